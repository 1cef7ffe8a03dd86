package train

import (
	"fmt"
	"io"
	"math"
	"math/cmplx"
	"strings"

	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
)

// An Oracle is an output kind with the clean target known: given the noisy
// and clean spectra X and S of one frame (K bins each) it writes the
// spectrum Y of the best output of its kind to y.
type Oracle struct {
	Name string
	Mask func(y, x, s []complex128)
}

// Oracles are the ceilings of the output kinds that the v1 and v2 graphs
// can produce (see issue 16):
//
//   - the ideal real gain per bin, clipped to [0, 1] (v1's output kind):
//     g_k = clip(Re(S_k X_k*) / |X_k|², 0, 1), the gain that minimises
//     |g X_k − S_k|² (phase-sensitive);
//   - the ideal amplitude ratio per bin clipped to [0, 1], g_k = min(|S_k|/|X_k|, 1);
//   - the ideal gain per ERB band (32 bands, and v1's 128):
//     G_b = min(√(Σ_k W_bk|S_k|² / Σ_k W_bk|X_k|²), 1), spread back to bins as
//     g_k = Σ_b W_bk G_b / Σ_b W_bk (dsp.ERBBands' triangles);
//   - the ideal complex ratio mask M_k = S_k / X_k with |M_k| ≤ 1.5.
func Oracles() []Oracle {
	cfg := dsp.DefaultConfig
	os := []Oracle{
		{"noisy input (gain 1)", func(y, x, s []complex128) { copy(y, x) }},
		{"ideal real gain per bin, clipped to [0, 1]", func(y, x, s []complex128) {
			for k, xv := range x {
				p := real(xv)*real(xv) + imag(xv)*imag(xv)
				g := 0.0
				if p > 0 {
					g = min(max((real(s[k])*real(xv)+imag(s[k])*imag(xv))/p, 0), 1)
				}
				y[k] = complex(g, 0) * xv
			}
		}},
		{"ideal amplitude ratio per bin, |S|/|X| clipped to 1", func(y, x, s []complex128) {
			for k, xv := range x {
				g := 0.0
				if a := cmplx.Abs(xv); a > 0 {
					g = min(cmplx.Abs(s[k])/a, 1)
				}
				y[k] = complex(g, 0) * xv
			}
		}},
	}
	for _, nb := range []int{32, 128} {
		bands, _ := dsp.ERBBands(cfg, nb)
		gb := make([]float64, nb)
		os = append(os, Oracle{fmt.Sprintf("ideal gain per ERB band (%d bands)", nb), func(y, x, s []complex128) {
			for b, bd := range bands {
				var ex, es float64
				for i, w := range bd.Weights {
					xv, sv := x[bd.Start+i], s[bd.Start+i]
					ex += w * (real(xv)*real(xv) + imag(xv)*imag(xv))
					es += w * (real(sv)*real(sv) + imag(sv)*imag(sv))
				}
				gb[b] = 0
				if ex > 0 {
					gb[b] = min(math.Sqrt(es/ex), 1)
				}
			}
			gk := make([]float64, len(x))
			wk := make([]float64, len(x))
			for b, bd := range bands {
				for i, w := range bd.Weights {
					gk[bd.Start+i] += w * gb[b]
					wk[bd.Start+i] += w
				}
			}
			for k, xv := range x {
				g := 1.0 // the edge bins 0 and N/2 no band covers
				if wk[k] > 0 {
					g = gk[k] / wk[k]
				}
				y[k] = complex(g, 0) * xv
			}
		}})
	}
	os = append(os, Oracle{"ideal complex ratio mask, |M| ≤ 1.5", func(y, x, s []complex128) {
		for k, xv := range x {
			if xv == 0 {
				y[k] = 0
				continue
			}
			m := s[k] / xv
			if a := cmplx.Abs(m); a > 1.5 {
				m *= complex(1.5/a, 0)
			}
			y[k] = m * xv
		}
	}})
	return os
}

// ApplyOracle runs noisy and clean through the model's STFT (20 ms sqrt-Hann,
// 10 ms hop), replaces each frame by o's output and returns the resynthesised
// signal aligned with the input (the STFT's latency removed).
func ApplyOracle(o Oracle, noisy, clean []float32) []float32 {
	cfg := dsp.DefaultConfig
	an, _ := dsp.NewAnalyzer(cfg)
	as, _ := dsp.NewAnalyzer(cfg)
	syn, _ := dsp.NewSynthesizer(cfg)
	h, lat := cfg.Hop, cfg.Latency()
	n := len(noisy) + lat
	n = (n + h - 1) / h * h
	pad := func(v []float32) []float32 { p := make([]float32, n); copy(p, v); return p }
	xp, sp := pad(noisy), pad(clean)
	y := make([]complex128, cfg.Bins())
	out := make([]float32, n)
	for t := 0; t < n/h; t++ {
		x := an.Frame(xp[t*h : (t+1)*h])
		s := as.Frame(sp[t*h : (t+1)*h])
		o.Mask(y, x, s)
		syn.Frame(out[t*h:(t+1)*h], y)
	}
	return out[lat : lat+len(noisy)]
}

// CeilingRow is the SI-SDR (metrics.SISDR, against the clean speech) of one
// output kind at each input SNR of ValSNRs: mean and standard error.
type CeilingRow struct {
	Name     string
	Mean, SE []float64 // per SNR
	All      float64   // mean over the SNRs
}

// Ceilings scores every oracle, and each model in ms (named by names)
// through the streaming engine, on the mixtures of items at the SNRs in
// ValSNRs (clean and noise-only items are skipped).
func Ceilings(items []ValItem, names []string, ms []*enhancer.Model) ([]CeilingRow, error) {
	type scorer struct {
		name string
		run  func(x, s []float32) []float32
	}
	var sc []scorer
	for _, o := range Oracles() {
		sc = append(sc, scorer{o.Name, func(x, s []float32) []float32 { return ApplyOracle(o, x, s) }})
	}
	sc = append(sc, scorer{"oracle deep filter, order 3, held 4 frames, bins ≤ 2 kHz (ideal real gain above)", func(x, s []float32) []float32 { return ApplyDeepFilterOracle(x, s, false, 0) }})
	var seed uint64
	sc = append(sc, scorer{"the same deep filter fitted to random input (control)", func(x, s []float32) []float32 { seed++; return ApplyDeepFilterOracle(x, s, true, seed) }})
	for i, m := range ms {
		eng, err := enhancer.NewEngine(m, enhancer.Options{AttenLimDB: 200, Mix: 1})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		var buf []float32
		sc = append(sc, scorer{names[i], func(x, _ []float32) []float32 {
			out, y := enhance(eng, buf, x)
			buf = out
			return y
		}})
	}
	var rows []CeilingRow
	for _, s := range sc {
		r := CeilingRow{Name: s.name}
		for _, snr := range ValSNRs {
			var v []float64
			for _, it := range items {
				if it.Cond == fmt.Sprintf("snr=%g", snr) {
					v = append(v, metrics.SISDR(it.Clean, s.run(it.Noisy, it.Clean)))
				}
			}
			m, se := meanSE(v)
			r.Mean, r.SE = append(r.Mean, m), append(r.SE, se)
			r.All += m / float64(len(ValSNRs))
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// measureCeilings prints the oracle ceilings and the models' SI-SDR per
// input SNR on More held-out mixtures per SNR (train measure ceilings).
func measureCeilings(w io.Writer, in MeasureInput) error {
	rows, err := Ceilings(ValSet(in.Corpus, in.More), in.Names, in.Models)
	if err != nil {
		return err
	}
	fmt.Fprint(w, "| output kind | mean |")
	for _, snr := range ValSNRs {
		fmt.Fprintf(w, " %g dB |", snr)
	}
	fmt.Fprint(w, "\n|---|---|"+strings.Repeat("---|", len(ValSNRs))+"\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %.2f |", strings.ReplaceAll(r.Name, "|", "\\|"), r.All)
		for i := range r.Mean {
			fmt.Fprintf(w, " %.2f ± %.2f |", r.Mean[i], r.SE[i])
		}
		fmt.Fprintln(w)
	}
	return nil
}
