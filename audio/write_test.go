package audio

import (
	"bytes"
	"io"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// signal returns frames×ch samples of a test signal in [-1, 1] plus, at
// the start, clip samples outside that range.
func signal(frames, ch, clip int) []float32 {
	x := make([]float32, frames*ch)
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.01)*0.9 + math.Sin(float64(i)*1.3)*0.09)
	}
	for i := 0; i < clip; i++ {
		x[i] = 1.5 - 3*float32(i%2)
	}
	return x
}

// writeTo writes x through w in uneven pieces and closes it.
func writeTo(t *testing.T, w Writer, x []float32, ch int) {
	t.Helper()
	for i := 0; len(x) > 0; i++ {
		n := min(len(x), ch*(1+i*37%1000))
		if err := w.Write(x[:n]); err != nil {
			t.Fatal(err)
		}
		x = x[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// nonSeeker hides the Seek method of a *bytes.Buffer-like writer.
type nonSeeker struct{ io.Writer }

func TestWAVWriteRoundTrip(t *testing.T) {
	tests := []struct {
		enc Encoding
		tol float64
	}{
		{PCM8, 1.0 / 256}, {PCM16, 1.0 / 65536}, {PCM24, 1.0 / (1 << 24)}, {PCM32, 1e-7}, {Float32, 0}, {Float64, 0},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		for _, ch := range []int{1, 2, 3} {
			for _, seekable := range []bool{true, false} {
				name := tt.enc.String() + map[bool]string{true: "/file", false: "/pipe"}[seekable]
				t.Run(name, func(t *testing.T) {
					const frames, clip = 5001, 4
					x := signal(frames, ch, clip)
					f := Format{SampleRate: 22050, Channels: ch, Encoding: tt.enc}
					meta := []Chunk{{ID: "LIST", Data: infoList("round trip")}}
					path := filepath.Join(dir, "out.wav")
					var buf bytes.Buffer
					var out io.Writer = nonSeeker{&buf}
					if seekable {
						fh, err := os.Create(path)
						if err != nil {
							t.Fatal(err)
						}
						defer fh.Close()
						out = fh
					}
					w, err := CreateWAV(out, f, meta...)
					if err != nil {
						t.Fatal(err)
					}
					writeTo(t, w, x, ch)
					if w.Clipped() != clip {
						t.Errorf("Clipped = %d, want %d", w.Clipped(), clip)
					}
					var r Reader
					wantFrames := int64(frames)
					if seekable {
						var c io.Closer
						if r, c, err = Open(path); err != nil {
							t.Fatal(err)
						}
						defer c.Close()
					} else {
						wantFrames = -1
						if r, err = NewReader(&buf, "-"); err != nil {
							t.Fatal(err)
						}
					}
					if r.Frames() != wantFrames {
						t.Errorf("Frames = %d, want %d", r.Frames(), wantFrames)
					}
					if g := r.Format(); g.SampleRate != 22050 || g.Channels != ch || g.Encoding != tt.enc {
						t.Errorf("format %v", g)
					}
					got, err := readAll(r)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(x) {
						t.Fatalf("read %d samples, want %d", len(got), len(x))
					}
					for i := range x {
						want := math.Max(-1, math.Min(1, float64(x[i])))
						if tt.enc == Float32 || tt.enc == Float64 {
							want = float64(x[i])
						}
						if d := math.Abs(float64(got[i]) - want); d > tt.tol+1e-9 && !(want == 1 && d <= 2*tt.tol) {
							t.Fatalf("sample %d: %g, want %g", i, got[i], want)
						}
					}
					if m := Metadata(r); len(m) != 1 || !bytes.Equal(m[0].Data, meta[0].Data) {
						t.Errorf("metadata %v", m)
					}
				})
			}
		}
	}
}

// TestWAVWriteAtOffset checks that sizes are patched relative to where the
// header starts when the output file does not start at offset 0.
func TestWAVWriteAtOffset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "off.wav")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fh.Write([]byte("prefix"))
	w, err := CreateWAV(fh, Format{SampleRate: 8000, Channels: 1, Encoding: PCM16})
	if err != nil {
		t.Fatal(err)
	}
	writeTo(t, w, signal(100, 1, 0), 1)
	data, _ := os.ReadFile(path)
	r, err := NewReader(bytes.NewReader(data[6:]), "")
	if err != nil {
		t.Fatal(err)
	}
	if r.Frames() != 100 {
		t.Errorf("Frames = %d, want 100", r.Frames())
	}
}

func TestCreateWAVErrors(t *testing.T) {
	var b bytes.Buffer
	for _, tt := range []struct {
		f    Format
		meta []Chunk
	}{
		{Format{SampleRate: 0, Channels: 1}, nil},
		{Format{SampleRate: 8000, Channels: 0}, nil},
		{Format{SampleRate: 8000, Channels: 1, Encoding: MP3}, nil},
		{Format{SampleRate: 8000, Channels: 1}, []Chunk{{ID: "data"}}},
		{Format{SampleRate: 8000, Channels: 1}, []Chunk{{ID: "toolong"}}},
	} {
		if _, err := CreateWAV(&b, tt.f, tt.meta...); err == nil {
			t.Errorf("CreateWAV(%v, %v) succeeded", tt.f, tt.meta)
		}
	}
	w, _ := CreateWAV(&b, Format{SampleRate: 8000, Channels: 2})
	if err := w.Write(make([]float32, 3)); err == nil {
		t.Error("Write of a partial frame succeeded")
	}
}

func TestFLACRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		enc  Encoding
		rate int
		ch   int
	}{
		{PCM16, 16000, 1}, {PCM16, 44100, 2}, {PCM24, 48000, 2}, {PCM16, 11025, 3}, {PCM24, 22050, 1},
	} {
		for _, seekable := range []bool{true, false} {
			name := tt.enc.String() + map[bool]string{true: "/file", false: "/pipe"}[seekable]
			t.Run(name, func(t *testing.T) {
				const frames = 10000 // 2 whole blocks and a partial one
				x := signal(frames, tt.ch, 2)
				var buf bytes.Buffer
				var out io.Writer = nonSeeker{&buf}
				path := filepath.Join(dir, "x.flac")
				if seekable {
					fh, err := os.Create(path)
					if err != nil {
						t.Fatal(err)
					}
					defer fh.Close()
					out = fh
				}
				w, err := CreateFLAC(out, Format{SampleRate: tt.rate, Channels: tt.ch, Encoding: tt.enc})
				if err != nil {
					t.Fatal(err)
				}
				writeTo(t, w, x, tt.ch)
				if w.Clipped() != 2 {
					t.Errorf("Clipped = %d", w.Clipped())
				}
				var r Reader
				wantFrames := int64(frames)
				if seekable {
					var c io.Closer
					if r, c, err = Open(path); err != nil {
						t.Fatal(err)
					}
					defer c.Close()
				} else {
					wantFrames = -1
					if r, err = NewReader(&buf, "-"); err != nil {
						t.Fatal(err)
					}
				}
				bits := map[Encoding]int{PCM16: 16, PCM24: 24}[tt.enc]
				if f := r.Format(); f != (Format{tt.rate, tt.ch, FLAC, bits}) {
					t.Errorf("format %+v", f)
				}
				if r.Frames() != wantFrames {
					t.Errorf("Frames = %d, want %d", r.Frames(), wantFrames)
				}
				got, err := readAll(r)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(x) {
					t.Fatalf("read %d samples, want %d", len(got), len(x))
				}
				full := int64(1) << (bits - 1)
				for i := range x {
					v, _ := quantize(x[i], full)
					if want := float32(v) / float32(full); got[i] != want {
						t.Fatalf("sample %d: %g, want %g", i, got[i], want)
					}
				}
			})
		}
	}
}

func TestMP3(t *testing.T) {
	tests := []struct {
		file   string
		rate   int
		ch     int
		frames int64
		freqs  []float64 // tone per channel
		// gapless: the LAME tag lets the decoder trim delays, so the
		// tones start at phase 0 at frame 0.
		gapless bool
	}{
		{"tone_mono.mp3", 16000, 1, -1, []float64{440}, false},
		{"tone_stereo.mp3", 44100, 2, 13230, []float64{440, 1000}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r, c, err := Open(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if f := r.Format(); f != (Format{tt.rate, tt.ch, MP3, 16}) {
				t.Errorf("format %+v", f)
			}
			if r.Frames() != tt.frames {
				t.Errorf("Frames = %d, want %d", r.Frames(), tt.frames)
			}
			got, err := readAll(r)
			if err != nil {
				t.Fatal(err)
			}
			n := len(got) / tt.ch
			if tt.frames >= 0 && int64(n) != tt.frames {
				t.Errorf("decoded %d frames, want %d", n, tt.frames)
			}
			for c, f := range tt.freqs {
				y := make([]float32, n)
				for i := range y {
					y[i] = got[i*tt.ch+c]
				}
				amp, ph, resid := fitTone(y, tt.rate, f, n/4, n*3/4)
				if math.Abs(amp-0.5) > 0.05 || resid > 0.01 { // LAME encodes these at 0.475
					t.Errorf("channel %d: %g Hz tone amplitude %.3f residual %.4f", c, f, amp, resid)
				}
				if tt.gapless && math.Abs(ph) > 0.05 {
					t.Errorf("channel %d: phase %.3f rad, want 0 (gapless alignment)", c, ph)
				}
			}
		})
	}
}

// fitTone least-squares fits amp·sin(2πft/rate + ph) to y[from:to].
func fitTone(y []float32, rate int, f float64, from, to int) (amp, ph, resid float64) {
	var ss, sc, cc, ys, yc float64
	w := 2 * math.Pi * f / float64(rate)
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		ss, sc, cc = ss+s*s, sc+s*c, cc+c*c
		ys, yc = ys+float64(y[i])*s, yc+float64(y[i])*c
	}
	det := ss*cc - sc*sc
	a, b := (ys*cc-yc*sc)/det, (yc*ss-ys*sc)/det
	var e float64
	for i := from; i < to; i++ {
		s, c := math.Sincos(w * float64(i))
		d := float64(y[i]) - a*s - b*c
		e += d * d
	}
	return math.Hypot(a, b), math.Atan2(b, a), math.Sqrt(e / float64(to-from))
}

// TestFLACRateNotice checks that reading a 24 kHz FLAC from the reference
// encoder does not flood the standard logger with mewkiz/flac's per-frame
// notice, while other log lines still pass.
func TestFLACRateNotice(t *testing.T) {
	var buf bytes.Buffer
	defer log.SetOutput(log.Writer())
	log.SetOutput(&buf)
	muteOnce = sync.Once{}
	r, c, err := Open("testdata/tone24k.flac")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	x, err := readAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 4800 {
		t.Errorf("read %d samples, want 4800", len(x))
	}
	log.Print("other line")
	if got := buf.String(); strings.Contains(got, flacRateNotice) || !strings.Contains(got, "other line") {
		t.Errorf("log output %q", got)
	}
}

// TestMP3NameHint checks that junk before the first MP3 frame is skipped
// only when the name says MP3.
func TestMP3NameHint(t *testing.T) {
	b, err := os.ReadFile("testdata/tone_stereo.mp3")
	if err != nil {
		t.Fatal(err)
	}
	junk := append(bytes.Repeat([]byte{0x00, 0xFF, 0x12}, 40), b...)
	r, err := NewReader(bytes.NewReader(junk), "song.MP3")
	if err != nil {
		t.Fatal(err)
	}
	if x, err := readAll(r); err != nil || len(x) == 0 {
		t.Errorf("read %d samples, %v", len(x), err)
	}
	if _, err := NewReader(bytes.NewReader(junk), "-"); err == nil {
		t.Error("junk without the .mp3 hint was accepted")
	}
}
