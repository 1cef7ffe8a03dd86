// Package metrics implements objective speech-quality measures from their
// papers: STOI (Taal et al. 2011), extended STOI (Jensen & Taal 2016),
// SI-SDR (Le Roux et al. 2019), SNR, segmental SNR, log-spectral distance
// (of all frames, and of speech frames with the over-suppressed share: SpeechLSD),
// plus the helpers needed to score real recordings (Align, Resample) and
// Compute, which evaluates all of them at once.
//
// Inputs are mono sample slices of either float32 or float64 (see Sample),
// in the usual [-1, 1] full-scale convention; every computation is done in
// float64 and results are float64. The first argument is always the clean
// reference, the second the degraded (or enhanced) signal.
//
// STOI and ESTOI follow pystoi 0.4.1 (the Python port of the reference MATLAB
// code) step by step, including its Octave-compatible Kaiser-windowed
// polyphase resampler to 10 kHz and its silent-frame removal; on the shared
// reference set results agree with pystoi to the 6 printed decimals.
package metrics

import "math"

// Sample is the element type accepted by the metric functions.
type Sample interface{ ~float32 | ~float64 }

// epsF64 is numpy's finfo(float).eps, used where pystoi uses it.
var epsF64 = math.Nextafter(1, 2) - 1

// toF64 converts a sample slice to a fresh []float64.
func toF64[T Sample](x []T) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}
