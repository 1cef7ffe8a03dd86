package dsp

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand"
	"testing"

	godsp "github.com/mjibson/go-dsp/fft"
	"gonum.org/v1/gonum/dsp/fourier"
)

// naiveDFT is the O(n²) real DFT X_k = Σ_j x_j·e^{−2πijk/n}, k = 0 … n/2.
func naiveDFT(x []float64) []complex128 {
	n := len(x)
	X := make([]complex128, n/2+1)
	for k := range X {
		for j, v := range x {
			X[k] += complex(v, 0) * cmplx.Rect(1, -2*math.Pi*float64(j*k%n)/float64(n))
		}
	}
	return X
}

// naiveInverse is x_j = Σ_{k<n} X_k·e^{+2πijk/n} with X_{n−k} = X*_k and
// the imaginary parts of X_0 and X_{n/2} dropped.
func naiveInverse(X []complex128, n int) []float64 {
	x := make([]float64, n)
	for j := range x {
		for k := 0; k < n; k++ {
			var c complex128
			switch {
			case k == 0 || k == n/2:
				c = complex(real(X[k]), 0)
			case k < n/2:
				c = X[k]
			default:
				c = cmplx.Conj(X[n-k])
			}
			x[j] += real(c * cmplx.Rect(1, 2*math.Pi*float64(j*k%n)/float64(n)))
		}
	}
	return x
}

// TestRFFT checks forward and inverse against the O(n²) sums for lengths
// that exercise every butterfly (radix 2, 3, 4, 5, 7 and the generic one).
func TestRFFT(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, n := range []int{2, 4, 6, 8, 10, 14, 18, 22, 30, 42, 64, 98, 154, 320, 392, 882, 960} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			f := newRFFT(n)
			x, w := make([]float64, n), make([]float64, n)
			for i := range x {
				x[i], w[i] = rng.NormFloat64(), 1
			}
			got := make([]complex128, n/2+1)
			f.forward(got, x, w)
			want := naiveDFT(x)
			tol := 1e-12 * float64(n)
			for k := range want {
				if d := cmplx.Abs(got[k] - want[k]); d > tol {
					t.Fatalf("forward bin %d: %v, want %v", k, got[k], want[k])
				}
			}
			X := make([]complex128, n/2+1)
			for k := range X {
				X[k] = complex(rng.NormFloat64(), rng.NormFloat64())
			}
			y := make([]float64, n)
			f.inverse(y, X)
			for j, v := range naiveInverse(X, n) {
				if math.Abs(y[j]-v) > tol {
					t.Fatalf("inverse sample %d: %v, want %v", j, y[j], v)
				}
			}
		})
	}
}

// TestRFFTMatchesGoDSP compares the windowed forward transform of the
// default framing with go-dsp's FFT, an independent implementation.
func TestRFFTMatchesGoDSP(t *testing.T) {
	n := DefaultConfig.Window
	f := newRFFT(n)
	x := make([]float64, n)
	for i, v := range randomSignal(n, 9) {
		x[i] = float64(v)
	}
	w := Window(n)
	got := make([]complex128, n/2+1)
	f.forward(got, x, w)
	xw := make([]float64, n)
	for i := range x {
		xw[i] = x[i] * w[i]
	}
	want := godsp.FFTReal(xw)
	for k := range got {
		if d := cmplx.Abs(got[k] - want[k]); d > 1e-12 {
			t.Fatalf("bin %d: %v, go-dsp %v", k, got[k], want[k])
		}
	}
}

func TestRadices(t *testing.T) {
	for _, tc := range []struct {
		m    int
		want []int
	}{
		{1, nil}, {160, []int{4, 4, 2, 5}}, {480, []int{4, 4, 2, 3, 5}}, {77, []int{7, 11}}, {9, []int{3, 3}},
	} {
		if got := radices(tc.m); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("radices(%d) = %v, want %v", tc.m, got, tc.want)
		}
	}
}

// BenchmarkRFFT320 is one forward and one inverse transform of length 320.
func BenchmarkRFFT320(b *testing.B) {
	n := DefaultConfig.Window
	f := newRFFT(n)
	x, y, w := make([]float64, n), make([]float64, n), Window(n)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	X := make([]complex128, n/2+1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f.forward(X, x, w)
		f.inverse(y, X)
	}
}

// BenchmarkGonumFFT320 is BenchmarkRFFT320 with gonum's fourier.FFT (which
// the STFT used before), windowing included.
func BenchmarkGonumFFT320(b *testing.B) {
	n := DefaultConfig.Window
	f := fourier.NewFFT(n)
	x, xw, y, w := make([]float64, n), make([]float64, n), make([]float64, n), Window(n)
	for i := range x {
		x[i] = math.Sin(float64(i))
	}
	X := make([]complex128, n/2+1)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for j := range x {
			xw[j] = x[j] * w[j]
		}
		f.Coefficients(X, xw)
		f.Sequence(y, X)
	}
}

// TestRFFTKernelsAgree: the AVX2 passes (where the CPU has them) give the
// Go passes' results bit for bit, forward and inverse, for lengths whose
// factorisations use every vector kernel (radix 4 at stride 1 and above,
// 2, 3 and 7 at even strides and at odd ones with the last column in Go,
// and 5 as the last pass) and some that fall back to Go.
func TestRFFTKernelsAgree(t *testing.T) {
	if !useAVX2 {
		t.Skip("no AVX2 on this CPU: the Go passes run alone")
	}
	rng := rand.New(rand.NewSource(8))
	for _, n := range []int{16, 42, 48, 64, 120, 126, 320, 392, 480, 640, 882, 960, 1920, 2 * 3 * 3 * 4 * 4} {
		x, w := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i], w[i] = rng.NormFloat64(), 1
		}
		X := make([]complex128, n/2+1)
		for k := range X {
			X[k] = complex(rng.NormFloat64(), rng.NormFloat64())
		}
		var spec [2][]complex128
		var inv [2][]float64
		for i, vec := range []bool{false, true} {
			useAVX2 = vec
			f := newRFFT(n)
			spec[i] = make([]complex128, n/2+1)
			f.forward(spec[i], x, w)
			inv[i] = make([]float64, n)
			f.inverse(inv[i], X)
		}
		useAVX2 = true
		for k := range spec[0] {
			if spec[0][k] != spec[1][k] {
				t.Fatalf("n=%d: forward bin %d: AVX2 %v, Go %v", n, k, spec[1][k], spec[0][k])
			}
		}
		for j := range inv[0] {
			if inv[0][j] != inv[1][j] {
				t.Fatalf("n=%d: inverse sample %d: AVX2 %v, Go %v", n, j, inv[1][j], inv[0][j])
			}
		}
	}
}
