package enhancer_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/audio/resample"
	"github.com/ghostrnn/ghostrnn/dsp"
	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/metrics"
	"github.com/ghostrnn/ghostrnn/models"
)

// data48 is the corpus of real 44.1/48 kHz speech and noise (MANIFEST.tsv).
const data48 = "../../shared/data48"

func newRS(in, out int) (enhancer.Resampler, error) { return resample.New(in, out, 1) }

// resampleTo returns x at rate to (x itself when from = to).
func resampleTo(t *testing.T, x []float32, from, to int) []float32 {
	if from == to {
		return x
	}
	rs, err := resample.New(from, to, 1)
	if err != nil {
		t.Fatal(err)
	}
	return rs.Flush(rs.Process(nil, x))
}

// enhance runs x through a time-aligned Stream at rate r, natively or, with
// resampled, through the model's rate and back.
func enhance(t *testing.T, m *enhancer.Model, x []float32, r int, resampled bool) []float32 {
	st, err := enhancer.NewStream(m, enhancer.DefaultOptions, enhancer.StreamConfig{Rate: r, Channels: 1, Aligned: true, Resample: resampled}, newRS)
	if err != nil {
		t.Fatal(err)
	}
	return st.Flush(st.Process(nil, x))
}

// bandEnergy returns the energy of each 20 ms frame (10 ms hop) of x below
// and above 8 kHz, from a sqrt-Hann STFT with 50 Hz bins (bin 160 = 8 kHz).
func bandEnergy(x []float32, r int) (lo, hi []float64) {
	cfg := dsp.Config{SampleRate: r, Window: r / 50, Hop: r / 100}
	a, _ := dsp.NewAnalyzer(cfg)
	for i := 0; i+cfg.Hop <= len(x); i += cfg.Hop {
		var l, h float64
		for k, c := range a.Frame(x[i : i+cfg.Hop]) {
			p := real(c)*real(c) + imag(c)*imag(c)
			if k <= 160 {
				l += p
			} else {
				h += p
			}
		}
		lo, hi = append(lo, l), append(hi, h)
	}
	return lo, hi
}

func dB(x float64) float64 { return 10 * math.Log10(x) }

// fullBandMix is one mixture of the test set.
type fullBandMix struct {
	name                string
	snr                 float64
	clean, noise, noisy []float32
}

// fullBandMixes builds speech + noise mixtures at rate r from data48: each
// of the speech files at each SNR, with a different noise recording each
// time, sec seconds from 5 s into the speech; SNR over the whole band.
func fullBandMixes(t *testing.T, r int, snrs []float64, sec float64) []fullBandMix {
	if _, err := os.Stat(data48); err != nil {
		t.Skipf("no %s (real 44.1/48 kHz speech and noise): %v", data48, err)
	}
	load := func(pattern string) (xs [][]float32, names []string) {
		paths, _ := filepath.Glob(filepath.Join(data48, pattern))
		sort.Strings(paths)
		for _, p := range paths {
			x, fs, err := audio.ReadMono(p, math.Inf(1))
			if err != nil {
				t.Fatal(err)
			}
			xs, names = append(xs, resampleTo(t, x, fs, r)), append(names, strings.TrimSuffix(filepath.Base(p), ".flac"))
		}
		if len(xs) == 0 {
			t.Skipf("no %s under %s", pattern, data48)
		}
		return xs, names
	}
	speech, sn := load("speech/*/*.flac")
	noise, nn := load("noise/*/*.flac")
	n := int(sec * float64(r))
	var mixes []fullBandMix
	for i, s := range speech {
		for j, snr := range snrs {
			c := s[5*r : 5*r+n]
			k := (i*len(snrs) + j) % len(noise)
			nz := make([]float32, n)
			for q := range nz {
				nz[q] = noise[k][(q+r)%len(noise[k])]
			}
			var ec, en float64
			for q := range c {
				ec += float64(c[q]) * float64(c[q])
				en += float64(nz[q]) * float64(nz[q])
			}
			g := float32(math.Sqrt(ec / en / math.Pow(10, snr/10)))
			y := make([]float32, n)
			for q := range y {
				nz[q] *= g
				y[q] = c[q] + nz[q]
			}
			mixes = append(mixes, fullBandMix{sn[i] + "+" + nn[k], snr, c, nz, y})
		}
	}
	return mixes
}

// fullBandScores are the figures of one mixture.
type fullBandScores struct {
	dNative48, dResampled48, d16 float64 // ΔSI-SDR (dB)
	hiOut, hiClean               float64 // energy above 8 kHz in speech frames, native output and clean
	hiNoiseIn, hiNoiseOut        float64
	loNoiseIn, loNoiseOut        float64
	lowDiff, lowRef              float64 // 0–8 kHz: energy of native − resampled, and of resampled
}

// TestFullBand48 runs data48 mixtures at 48 kHz natively and through the
// 16 kHz path and checks issue 17's targets: the output's energy above 8 kHz
// in speech frames within 3 dB of the clean speech's; noise alone attenuated
// by at least 20 dB above 8 kHz; full-band SI-SDR improving at least as much
// as the 16 kHz path's does at 16 kHz; the 0–8 kHz part close to the
// resampled path's. go test -run FullBand48 -v prints the table in README.
func TestFullBand48(t *testing.T) {
	if testing.Short() {
		t.Skip("long: real recordings")
	}
	const r = 48000
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	snrs := []float64{0, 5, 10, 15}
	mixes := fullBandMixes(t, r, snrs, 4)
	var all []fullBandScores
	for _, mx := range mixes {
		var s fullBandScores
		native, resampled := enhance(t, m, mx.noisy, r, false), enhance(t, m, mx.noisy, r, true)
		base := metrics.SISDR(mx.clean, mx.noisy)
		s.dNative48 = metrics.SISDR(mx.clean, native) - base
		s.dResampled48 = metrics.SISDR(mx.clean, resampled) - base
		c16, n16 := resampleTo(t, mx.clean, r, 16000), resampleTo(t, mx.noisy, r, 16000)
		s.d16 = metrics.SISDR(c16, enhance(t, m, n16, 16000, false)) - metrics.SISDR(c16, n16)

		// Speech frames: within 30 dB of the clean signal's loudest frame.
		cl, ch := bandEnergy(mx.clean, r)
		_, oh := bandEnergy(native, r)
		peak := 0.0
		for f := range cl {
			peak = max(peak, cl[f]+ch[f])
		}
		for f := range cl {
			if cl[f]+ch[f] > 1e-3*peak {
				s.hiOut += oh[f]
				s.hiClean += ch[f]
			}
		}
		// Noise alone, after its first second (the feature means settle).
		nl, nh := bandEnergy(mx.noise[r:], r)
		ol, oh2 := bandEnergy(enhance(t, m, mx.noise, r, false)[r:], r)
		for f := range nl {
			s.loNoiseIn += nl[f]
			s.hiNoiseIn += nh[f]
			s.loNoiseOut += ol[f]
			s.hiNoiseOut += oh2[f]
		}
		// 0–8 kHz: both outputs band-limited to 16 kHz and compared.
		a, b := resampleTo(t, native, r, 16000), resampleTo(t, resampled, r, 16000)
		for i := range b {
			d := float64(a[i] - b[i])
			s.lowDiff += d * d
			s.lowRef += float64(b[i]) * float64(b[i])
		}
		all = append(all, s)
		if att := dB(s.hiNoiseOut / s.hiNoiseIn); att > -20 {
			t.Errorf("%s: noise alone attenuated by only %.1f dB above 8 kHz, want ≥ 20", mx.name, -att)
		}
	}

	row := func(label string, sel []fullBandScores) fullBandScores {
		var sum fullBandScores
		for _, s := range sel {
			sum.dNative48 += s.dNative48 / float64(len(sel))
			sum.dResampled48 += s.dResampled48 / float64(len(sel))
			sum.d16 += s.d16 / float64(len(sel))
			sum.hiOut += s.hiOut
			sum.hiClean += s.hiClean
			sum.hiNoiseIn += s.hiNoiseIn
			sum.hiNoiseOut += s.hiNoiseOut
			sum.loNoiseIn += s.loNoiseIn
			sum.loNoiseOut += s.loNoiseOut
			sum.lowDiff += s.lowDiff
			sum.lowRef += s.lowRef
		}
		t.Logf("| %s | %d | %+.2f | %+.2f | %+.2f | %+.1f | %.1f / %.1f | %.1f |", label, len(sel),
			sum.dNative48, sum.dResampled48, sum.d16, dB(sum.hiOut/sum.hiClean),
			-dB(sum.hiNoiseOut/sum.hiNoiseIn), -dB(sum.loNoiseOut/sum.loNoiseIn), dB(sum.lowRef/sum.lowDiff))
		return sum
	}
	t.Logf("| input SNR | mixtures | ΔSI-SDR native 48 kHz (dB) | ΔSI-SDR resampled path, 48 kHz | ΔSI-SDR 16 kHz path at 16 kHz | energy > 8 kHz in speech frames, output − clean (dB) | noise alone: attenuation > 8 kHz / < 8 kHz (dB) | 0–8 kHz: native vs resampled path, SNR (dB) |")
	t.Logf("|---|---|---|---|---|---|---|---|")
	for j, snr := range snrs {
		var sel []fullBandScores
		for i := j; i < len(all); i += len(snrs) {
			sel = append(sel, all[i])
		}
		row(fmt.Sprintf("%.0f dB", snr), sel)
	}
	tot := row("all", all)
	if d := dB(tot.hiOut / tot.hiClean); math.Abs(d) > 3 {
		t.Errorf("energy above 8 kHz in speech frames %.1f dB from the clean speech's, want within 3 dB", d)
	}
	if att := dB(tot.hiNoiseOut / tot.hiNoiseIn); att > -20 {
		t.Errorf("noise alone attenuated by %.1f dB above 8 kHz, want ≥ 20", -att)
	}
	if tot.dNative48 < tot.d16 {
		t.Errorf("full-band ΔSI-SDR at 48 kHz %+.2f dB, below the 16 kHz path's %+.2f dB", tot.dNative48, tot.d16)
	}
	if snr := dB(tot.lowRef / tot.lowDiff); snr < 15 {
		t.Errorf("0–8 kHz part differs from the resampled path's by %.1f dB SNR, want ≥ 15", snr)
	}
}

// BenchmarkStream48 times 10 ms of 48 kHz mono through a Stream natively and
// through the resampled 16 kHz path (the denoise path without decoding and
// encoding); with -count the two alternate. Its "ratio" run feeds the same
// chunks to both paths, alternating chunk by chunk (and which goes first), and
// reports each path's time per chunk and native/resampled, the issue's
// real-time factor ratio, so that a machine busy with other work slows both
// paths alike.
func BenchmarkStream48(b *testing.B) {
	m, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float32, 48000)
	for i := range x {
		x[i] = float32(0.1*math.Sin(float64(i)*0.0571) + 0.01*math.Sin(float64(i)*1.31))
	}
	newStream := func(b *testing.B, resampled bool) (*enhancer.Stream, []float32) {
		st, err := enhancer.NewStream(m, enhancer.DefaultOptions, enhancer.StreamConfig{Rate: 48000, Channels: 1, Resample: resampled}, newRS)
		if err != nil {
			b.Fatal(err)
		}
		out := make([]float32, 0, 4096)
		for i := 0; i < 200; i++ { // grow the buffers
			out = st.Process(out[:0], x[(i%100)*480:(i%100+1)*480])
		}
		return st, out
	}
	for _, path := range []struct {
		name      string
		resampled bool
	}{{"native", false}, {"resampled", true}} {
		b.Run(path.name, func(b *testing.B) {
			st, out := newStream(b, path.resampled)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				j := (i % 100) * 480
				out = st.Process(out[:0], x[j:j+480])
			}
		})
	}
	b.Run("ratio", func(b *testing.B) {
		var st [2]*enhancer.Stream
		var out [2][]float32
		var d [2]time.Duration
		st[0], out[0] = newStream(b, false)
		st[1], out[1] = newStream(b, true)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			j := (i % 100) * 480
			for k := range 2 {
				p := (i + k) % 2
				t0 := time.Now()
				out[p] = st[p].Process(out[p][:0], x[j:j+480])
				d[p] += time.Since(t0)
			}
		}
		b.ReportMetric(float64(d[0].Nanoseconds())/float64(b.N), "native-ns/op")
		b.ReportMetric(float64(d[1].Nanoseconds())/float64(b.N), "resampled-ns/op")
		b.ReportMetric(float64(d[0])/float64(d[1]), "native/resampled")
	})
}
