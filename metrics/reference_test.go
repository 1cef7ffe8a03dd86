package metrics

import (
	"bufio"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readPCM16 is a tiny 16-bit mono WAV reader for the reference files, kept
// independent of the audio package so that the agreement test checks one thing.
func readPCM16(t *testing.T, path string) ([]float64, int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("%s: not a WAV file", path)
	}
	fs := 0
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(le.Uint32(b[p+4:p+8]))
		body := b[p+8 : min(len(b), p+8+n)]
		switch id {
		case "fmt ":
			if le.Uint16(body[0:2]) != 1 || le.Uint16(body[2:4]) != 1 || le.Uint16(body[14:16]) != 16 {
				t.Fatalf("%s: not 16-bit mono PCM", path)
			}
			fs = int(le.Uint32(body[4:8]))
		case "data":
			x := make([]float64, len(body)/2)
			for i := range x {
				x[i] = float64(int16(le.Uint16(body[2*i:]))) / 32768
			}
			return x, fs
		}
		p += 8 + n + n&1
	}
	t.Fatalf("%s: no data chunk", path)
	return nil, 0
}

// sharedMetricsDir finds ../shared/metrics next to the directory holding go.mod.
func sharedMetricsDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("skipping: no go.mod above the test directory, cannot locate ../shared/metrics")
		}
		dir = parent
	}
	d := filepath.Join(dir, "..", "shared", "metrics")
	if _, err := os.Stat(filepath.Join(d, "reference.tsv")); errors.Is(err, os.ErrNotExist) {
		t.Skipf("skipping: reference data %s not present", filepath.Join(d, "reference.tsv"))
	}
	return d
}

// TestSTOIReference checks STOI, ESTOI and SI-SDR against pystoi 0.4.1 and
// the reference SI-SDR on every row of ../shared/metrics/reference.tsv.
func TestSTOIReference(t *testing.T) {
	dir := sharedMetricsDir(t)
	f, err := os.Open(filepath.Join(dir, "reference.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	type row struct {
		deg, ref             string
		stoi, estoi, sisdrDB float64
	}
	var rows []row
	sc := bufio.NewScanner(f)
	for line := 0; sc.Scan(); line++ {
		fields := strings.Split(strings.TrimSpace(sc.Text()), "\t")
		if line == 0 || len(fields) != 5 {
			continue
		}
		var v [3]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(fields[2+i], 64); err != nil {
				t.Fatalf("reference.tsv line %d: %v", line+1, err)
			}
		}
		rows = append(rows, row{fields[0], fields[1], v[0], v[1], v[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("reference.tsv has no rows")
	}

	const tolSTOI, tolSDR = 0.005, 0.01
	var maxSTOI, maxESTOI, maxSDR float64
	for _, r := range rows {
		t.Run(filepath.Base(r.deg), func(t *testing.T) {
			x, fx := readPCM16(t, filepath.Join(dir, r.ref))
			y, fy := readPCM16(t, filepath.Join(dir, r.deg))
			if fx != fy {
				t.Fatalf("rates differ: %d vs %d", fx, fy)
			}
			n := min(len(x), len(y))
			x, y = x[:n], y[:n]
			stoi, err := STOI(x, y, fx)
			if err != nil {
				t.Fatal(err)
			}
			estoi, err := ESTOI(x, y, fx)
			if err != nil {
				t.Fatal(err)
			}
			sdr := SISDR(x, y)
			maxSTOI = math.Max(maxSTOI, math.Abs(stoi-r.stoi))
			maxESTOI = math.Max(maxESTOI, math.Abs(estoi-r.estoi))
			if math.Abs(stoi-r.stoi) > tolSTOI {
				t.Errorf("STOI = %.6f, pystoi %.6f", stoi, r.stoi)
			}
			if math.Abs(estoi-r.estoi) > tolSTOI {
				t.Errorf("ESTOI = %.6f, pystoi %.6f", estoi, r.estoi)
			}
			if r.sisdrDB > 60 {
				if !(sdr > 60) {
					t.Errorf("SI-SDR = %.4f dB, want > 60 dB", sdr)
				}
			} else {
				maxSDR = math.Max(maxSDR, math.Abs(sdr-r.sisdrDB))
				if math.Abs(sdr-r.sisdrDB) > tolSDR {
					t.Errorf("SI-SDR = %.4f dB, reference %.4f dB", sdr, r.sisdrDB)
				}
			}
		})
	}
	t.Logf("%d rows; max |deviation|: STOI %.2g, ESTOI %.2g, SI-SDR %.2g dB (rows <= 60 dB)",
		len(rows), maxSTOI, maxESTOI, maxSDR)
}
