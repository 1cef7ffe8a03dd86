package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readVia reads data to the end as a regular file (Open) or as a stream
// (NewReader), returning the samples, the error that ended reading (nil at
// io.EOF) and what Damage reported.
func readVia(t *testing.T, mode, name string, data []byte, opts ...Option) ([]float32, string, error) {
	t.Helper()
	var r Reader
	var err error
	if mode == "Open" {
		var c io.Closer
		r, c, err = Open(writeTemp(t, name, data), opts...)
		if err == nil {
			defer c.Close()
		}
	} else {
		r, err = NewReader(bytes.NewReader(data), name, opts...)
	}
	if err != nil {
		return nil, "", err
	}
	x, err := readAll(r)
	return x, Damage(r), err
}

// writeTemp writes data to a file name in a temporary folder.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// ramp16 is frames·ch distinct 16-bit samples.
func ramp16(frames, ch int) []int16 {
	x := make([]int16, frames*ch)
	for i := range x {
		x[i] = int16(i*37%65536 - 32768)
	}
	return x
}

// samePrefix fails unless got is the first len(got) samples of want, and
// len(got) is wantLen.
func samePrefix(t *testing.T, what string, got, want []float32, wantLen int) {
	t.Helper()
	if len(got) != wantLen {
		t.Fatalf("%s: %d samples, want %d", what, len(got), wantLen)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: sample %d is %g, want %g", what, i, got[i], want[i])
		}
	}
}

// TestSalvageWAV: damaged WAV files give every whole frame they hold, with
// one Damage report, under Salvage; without it they are refused with
// ErrTruncated as before. Placeholder sizes on a stream are not damage.
func TestSalvageWAV(t *testing.T) {
	const frames, ch = 1000, 2
	src := ramp16(frames, ch)
	pcm := pcm16(src...)
	want := make([]float32, len(src))
	for i, v := range src {
		want[i] = float32(v) / 32768
	}
	fmtCk := ck("fmt ", fmtPCM(wavePCM, ch, 16000, 16))
	whole := wavBytes("RIFF", fmtCk, ck("data", pcm))
	dataOff := len(whole) - len(pcm)

	// Both sizes 0: what a recorder that crashed leaves.
	zero := bytes.Clone(whole)
	binary.LittleEndian.PutUint32(zero[4:], 0)
	binary.LittleEndian.PutUint32(zero[dataOff-4:], 0)
	// Data cut mid-frame: the header says 1000 frames, 600.5 are there.
	short := whole[:dataOff+600*4+2]

	cases := []struct {
		name, mode string
		data       []byte
		frames     int    // whole frames delivered
		damage     string // "" when not damaged
	}{
		{"zero_sizes", "Open", zero, frames, "WAV sizes were never written (0, as a recorder that crashed leaves them): read the 4000 bytes to the end of the file"},
		{"zero_sizes", "NewReader", zero, frames, ""}, // a stream's placeholder
		{"short_data", "Open", short, 600, "truncated WAV data: header declares 4000 bytes of samples, file has 2402"},
		{"short_data", "NewReader", short, 600, "truncated WAV data: header declares 4000 bytes of samples, stream ended after 2402"},
	}
	for _, c := range cases {
		t.Run(c.name+"/"+c.mode, func(t *testing.T) {
			if c.mode == "Open" {
				// A file's size tells the frames, damaged or not.
				r, cl, err := Open(writeTemp(t, c.name+".wav", c.data), Salvage)
				if err != nil {
					t.Fatal(err)
				}
				if r.Frames() != int64(c.frames) {
					t.Errorf("Frames() = %d, want %d", r.Frames(), c.frames)
				}
				cl.Close()
			}
			x, damage, err := readVia(t, c.mode, c.name+".wav", c.data, Salvage)
			if err != nil {
				t.Fatalf("Salvage: %v", err)
			}
			if damage != c.damage {
				t.Errorf("Damage = %q, want %q", damage, c.damage)
			}
			samePrefix(t, "Salvage", x, want, c.frames*ch)
			x, damage, err = readVia(t, c.mode, c.name+".wav", c.data)
			switch {
			case c.damage == "" && err != nil:
				t.Errorf("strict: %v", err)
			case c.damage == "" && damage != "":
				t.Errorf("strict: Damage %q", damage)
			case c.damage != "" && !errors.Is(err, ErrTruncated):
				t.Errorf("strict: error %v, want ErrTruncated", err)
			case c.damage == "":
				samePrefix(t, "strict", x, want, c.frames*ch)
			}
		})
	}

	// An empty file with sizes 0 is empty, not damaged.
	empty := wavBytes("RIFF", fmtCk, ck("data", nil))
	binary.LittleEndian.PutUint32(empty[4:], 0)
	for _, mode := range []string{"Open", "NewReader"} {
		if x, damage, err := readVia(t, mode, "empty.wav", empty, Salvage); err != nil || damage != "" || len(x) != 0 {
			t.Errorf("%s: empty WAV with sizes 0: %d samples, damage %q, err %v", mode, len(x), damage, err)
		}
	}
}

// TestPlaceholderSizes: the sizes streaming writers put in headers they
// cannot patch (sox: 0x7FFFF000 cut to whole frames, RIFF size to match;
// ffmpeg 0xFFFFFFFF; arecord 0x7FFFFFFF; others 0) are read to the end of
// the stream without error or damage, strict or not, for every frame size.
func TestPlaceholderSizes(t *testing.T) {
	for _, f := range []struct{ ch, bits int }{{1, 8}, {1, 16}, {2, 16}, {1, 24}, {2, 24}, {3, 16}, {5, 32}, {6, 16}} {
		ba := f.ch * f.bits / 8
		n := 333 * ba
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i * 7)
		}
		fmtCk := ck("fmt ", fmtPCM(wavePCM, f.ch, 16000, f.bits))
		sox := soxPlaceholder(ba)
		for _, sizes := range [][2]uint32{{sox + 36 + uint32(sox%2), sox}, {0xFFFFFFFF, 0xFFFFFFFF}, {0x7FFFFFFF + 36, 0x7FFFFFFF}, {0, 0}, {0xFFFFFFFF, 0}} {
			b := wavBytes("RIFF", fmtCk, chunk{id: "data", data: data, size: int64(sizes[1])})
			binary.LittleEndian.PutUint32(b[4:], sizes[0])
			x, damage, err := readVia(t, "NewReader", "-", b)
			if err != nil || damage != "" || len(x) != 333*f.ch {
				t.Errorf("%d ch %d bit, sizes %#x/%#x: %d samples (want %d), damage %q, err %v",
					f.ch, f.bits, sizes[0], sizes[1], len(x), 333*f.ch, damage, err)
			}
		}
	}
	if got := soxPlaceholder(3); got != 0x7fffefff {
		t.Errorf("soxPlaceholder(3) = %#x, sox writes 0x7fffefff for 24-bit mono", got)
	}
}

// cutPoints are the byte offsets at which a file of n bytes is cut.
func cutPoints(n, from int) []int {
	var cuts []int
	for _, c := range []int{from + 1, from + 7, n/3 + 5, n/2 + 5, 2*n/3 + 3, n - 41, n - 1} {
		if c > from && c < n {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// TestSalvageFLAC cuts a FLAC file at several points: under Salvage every
// whole FLAC frame before the cut comes out, sample-exact, with one Damage
// report; without it the cut is an ErrTruncated error.
func TestSalvageFLAC(t *testing.T) {
	full := flacBytes(t, 16000, 2, 20000)
	want, _, err := readVia(t, "NewReader", "x.flac", full)
	if err != nil {
		t.Fatal(err)
	}
	hdr := 8 + 34 + 4 // "fLaC", STREAMINFO block header and body
	for _, cut := range cutPoints(len(full), hdr+200) {
		for _, mode := range []string{"Open", "NewReader"} {
			x, damage, err := readVia(t, mode, "cut.flac", full[:cut], Salvage)
			if err != nil {
				t.Errorf("cut at %d/%d, %s: %v", cut, len(full), mode, err)
				continue
			}
			if !strings.Contains(damage, "truncated FLAC data") {
				t.Errorf("cut at %d, %s: Damage %q", cut, mode, damage)
			}
			if len(x) >= len(want) || len(x)%2 != 0 {
				t.Errorf("cut at %d, %s: %d samples of %d", cut, mode, len(x), len(want))
			}
			samePrefix(t, "cut FLAC", x, want, len(x))
			if _, _, err := readVia(t, mode, "cut.flac", full[:cut]); !errors.Is(err, ErrTruncated) {
				t.Errorf("cut at %d, %s, strict: error %v, want ErrTruncated", cut, mode, err)
			}
		}
	}
	// A cut inside the header stays an error, salvaging or not.
	if _, _, err := readVia(t, "Open", "head.flac", full[:20], Salvage); err == nil {
		t.Error("FLAC cut in STREAMINFO: no error")
	}
}

// TestSalvageMP3 cuts an MP3 file mid-frame: under Salvage the frames
// before the cut come out as in the whole file's decode, with one Damage
// report; without it the cut is an ErrTruncated error.
func TestSalvageMP3(t *testing.T) {
	for _, name := range []string{"tone_mono.mp3", "tone_stereo.mp3"} {
		full, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := readVia(t, "NewReader", name, full)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range cutPoints(len(full), 1000) {
			for _, mode := range []string{"Open", "NewReader"} {
				x, damage, err := readVia(t, mode, name, full[:cut], Salvage)
				if err != nil {
					t.Errorf("%s cut at %d/%d, %s: %v", name, cut, len(full), mode, err)
					continue
				}
				if !strings.Contains(damage, "truncated MP3 data") {
					t.Errorf("%s cut at %d, %s: Damage %q", name, cut, mode, damage)
				}
				if len(x) == 0 || len(x) >= len(want) {
					t.Errorf("%s cut at %d, %s: %d samples of %d", name, cut, mode, len(x), len(want))
					continue
				}
				samePrefix(t, name+" cut", x, want, len(x))
				if _, _, err := readVia(t, mode, name, full[:cut]); !errors.Is(err, ErrTruncated) {
					t.Errorf("%s cut at %d, %s, strict: error %v, want ErrTruncated", name, cut, mode, err)
				}
			}
		}
	}
}

// TestOnDamage: the callback hears of the damage once, with the message
// Damage gives, and ReadMono passes it on.
func TestOnDamage(t *testing.T) {
	data := wavBytes("RIFF", ck("fmt ", fmtPCM(wavePCM, 1, 16000, 16)), chunk{id: "data", data: pcm16(ramp16(100, 1)...), size: 1000})
	path := writeTemp(t, "cut.wav", data)
	var heard []string
	x, _, err := ReadMono(path, 1e9, OnDamage(func(d string) { heard = append(heard, d) }))
	if err != nil || len(x) != 100 {
		t.Fatalf("%d samples, err %v; want 100 and nil", len(x), err)
	}
	if len(heard) != 1 || heard[0] != "truncated WAV data: header declares 1000 bytes of samples, file has 200" {
		t.Errorf("heard %q", heard)
	}
	if _, _, err := ReadMono(path, 1e9); !errors.Is(err, ErrTruncated) {
		t.Errorf("without OnDamage: %v, want ErrTruncated", err)
	}
}
