package train

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/ghostrnn/ghostrnn/enhancer"
)

// budget splits the error of gains G on one mixture X = S + N in the STFT
// domain (a tight frame, so energies match the waveform's):
//
//	Y − S = (G − 1)·S + G·N:  distortion D = Σ (G − 1)²|S|²,  residual R = Σ G²|N|²
//
// with |N|² = |X|² − 2 Re(X S*) + |S|². It also scores the clipped
// phase-sensitive oracle G* = min(max(Re(X S*)/|X|², floor), 1), the best
// real gain per bin, and sorts the residual and the gains into three kinds
// of bin: frames without speech (the clean frame's energy 30 dB below the
// loudest), and in speech frames the bins where the noise is stronger than
// the speech and those where it is weaker.
type budget struct {
	P, E, EOracle, D, R float64    // Σ|S|², Σ|G X − S|², the same for G*, D, R
	RLow                float64    // R below 1 kHz
	RKind, GSum, N      [3]float64 // per kind (pause, noise-dominated, speech-dominated): R, Σ G, bins
}

// add accounts the gains g ([T, K] rows as sp's targets) of one mixture.
func (bu *budget) add(sp Spectra, g []float32, floor float64, k int) {
	fe := make([]float64, sp.Frames)
	for i, v := range sp.SS {
		fe[i/k] += float64(v)
	}
	loud := 0.0
	for _, v := range fe {
		loud = math.Max(loud, v)
	}
	low := 1000 * 2 * (k - 1) / SampleRate // bins below 1 kHz
	for i := range sp.XP {
		xp, xs, ss := float64(sp.XP[i]), float64(sp.XS[i]), float64(sp.SS[i])
		nn := math.Max(xp-2*xs+ss, 0)
		G := math.Max(float64(g[i]), floor)
		o := math.Min(math.Max(xs/math.Max(xp, 1e-30), floor), 1)
		bu.P += ss
		bu.E += G*G*xp - 2*G*xs + ss
		bu.EOracle += o*o*xp - 2*o*xs + ss
		bu.D += (G - 1) * (G - 1) * ss
		r := G * G * nn
		bu.R += r
		if i%k < low {
			bu.RLow += r
		}
		kind := 0
		if fe[i/k] > 1e-3*loud {
			kind = 1
			if ss > nn {
				kind = 2
			}
		}
		bu.RKind[kind] += r
		bu.GSum[kind] += G
		bu.N[kind]++
	}
}

// TestBudgetSplit checks the split on random spectra: G = 1 leaves no
// distortion and all the noise, G = 0 no residual and all the speech as
// distortion, and the oracle never does worse than either.
func TestBudgetSplit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	const k, nt = 161, 20
	sp := Spectra{Frames: nt}
	var noise float64
	for i := 0; i < k*nt; i++ {
		s := complex(rng.NormFloat64(), rng.NormFloat64())
		n := complex(0.5*rng.NormFloat64(), 0.5*rng.NormFloat64())
		x := s + n
		sp.XP = append(sp.XP, float32(real(x)*real(x)+imag(x)*imag(x)))
		sp.XS = append(sp.XS, float32(real(x)*real(s)+imag(x)*imag(s)))
		sp.SS = append(sp.SS, float32(real(s)*real(s)+imag(s)*imag(s)))
		noise += real(n)*real(n) + imag(n)*imag(n)
	}
	for _, tc := range []struct {
		g          float32
		wantD, wnR func(b budget) float64
	}{
		{1, func(b budget) float64 { return 0 }, func(b budget) float64 { return noise }},
		{0, func(b budget) float64 { return b.P }, func(b budget) float64 { return 0 }},
	} {
		var b budget
		g := make([]float32, k*nt)
		for i := range g {
			g[i] = tc.g
		}
		b.add(sp, g, 0, k)
		if d, r := tc.wantD(b), tc.wnR(b); math.Abs(b.D-d) > 1e-3*b.P || math.Abs(b.R-r) > 1e-3*b.P {
			t.Errorf("G = %v: distortion %.4g residual %.4g, want %.4g and %.4g", tc.g, b.D, b.R, d, r)
		}
		if b.EOracle > b.E*(1+1e-6) {
			t.Errorf("G = %v: oracle error %.4g above the gains' %.4g", tc.g, b.EOracle, b.E)
		}
	}
}

// TestErrorBudget is a measurement, not a check: for the model files in
// $GHOSTRNN_BUDGET (space-separated, relative to the repository root) it
// splits the error on the validation mixtures at 0, 5 and 10 dB SNR, pooled
// over the 12 mixtures of each, into speech distortion and residual noise
// (see budget) and prints where the residual lies and what gains the model
// gave there.
//
//	GHOSTRNN_BUDGET="models/ghostrnn.safetensors" go test -run ErrorBudget -v ./train
func TestErrorBudget(t *testing.T) {
	paths, c := measurement(t, "GHOSTRNN_BUDGET")
	items := ValSet(c, DefaultConfig(enhancer.DefaultArch).ValClips)
	db := func(a, b float64) float64 { return 10 * math.Log10(a/b) }
	var out strings.Builder
	fmt.Fprintln(&out, "| model | input | SDR out | oracle G* | S / distortion | S / residual | residual < 1 kHz | residual in pauses / noise-dominated / speech-dominated bins | mean gain there |")
	fmt.Fprintln(&out, "|---|---|---|---|---|---|---|---|---|")
	for _, p := range paths {
		m := loadMeasured(t, p)
		net, err := NewNet[float32](m.Arch)
		if err != nil {
			t.Fatal(err)
		}
		if err := net.SetModel(m); err != nil {
			t.Fatal(err)
		}
		for _, snr := range []float64{0, 5, 10} {
			var b budget
			for _, it := range items {
				if it.Cond == "clean" || it.Cond == "noise" || it.SNR != snr {
					continue
				}
				sp := Analyze(it.Noisy, it.Clean, m.Arch.Features, m.Arch.Lookahead, DefaultLoss.Compress)
				b.add(sp, net.Forward(sp.Feat, 1, sp.Frames), float64(m.GainFloor), m.Arch.Bins)
			}
			fmt.Fprintf(&out, "| %s | %g dB | %.2f dB | %.2f dB | %.2f dB | %.2f dB | %.0f %% | %.0f / %.0f / %.0f %% | %.2f / %.2f / %.2f |\n",
				p, snr, db(b.P, b.E), db(b.P, b.EOracle), db(b.P, b.D), db(b.P, b.R), 100*b.RLow/b.R,
				100*b.RKind[0]/b.R, 100*b.RKind[1]/b.R, 100*b.RKind[2]/b.R,
				b.GSum[0]/b.N[0], b.GSum[1]/b.N[1], b.GSum[2]/b.N[2])
		}
	}
	t.Log("\n" + out.String())
}
