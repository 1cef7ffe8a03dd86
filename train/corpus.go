package train

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ghostrnn/ghostrnn/audio"
	"github.com/ghostrnn/ghostrnn/dsp"
)

// SampleRate is the model rate (dsp's default); all audio is resampled to it
// on load.
const SampleRate = dsp.DefaultRate

// Clip is one decoded recording at 16 kHz.
type Clip struct {
	Path    string    // file path
	Group   string    // speaker (speech) or noise category/recording id (noise)
	Samples []float32 // mono, 16 kHz
}

// Corpus holds the decoded speech, noise and RIR clips, split into training
// and validation sets.
type Corpus struct {
	Speech, Noise, RIR       []Clip // training
	ValSpeech, ValNoise      []Clip // held out
	ValSpeakers, ValNoiseIDs []string
}

// Decoder reads an audio file into mono samples and their sample rate.
type Decoder func(path string) ([]float32, int, error)

// DecodeFile is the built-in Decoder: any file package audio reads (WAV,
// FLAC, MP3), averaged to mono.
func DecodeFile(path string) ([]float32, int, error) {
	return audio.ReadMono(path, math.Inf(1))
}

// entry is one file to load.
type entry struct {
	path, kind, group string
}

// readManifest lists the files of a corpus directory with MANIFEST.tsv
// (columns path, kind, …, speaker_or_category in the 7th column).
func readManifest(dir string) ([]entry, error) {
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	var es []entry
	first := true
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if first {
			first = false
			if len(cols) > 0 && cols[0] == "path" {
				continue
			}
		}
		if len(cols) < 7 {
			continue
		}
		es = append(es, entry{path: filepath.Join(dir, cols[0]), kind: cols[1], group: cols[6]})
	}
	return es, sc.Err()
}

var audioExt = map[string]bool{".flac": true, ".wav": true, ".mp3": true}

// walkDir lists the audio files under dir as kind. The group of a speech
// file is its parent directory's name (one speaker per directory, as in
// LibriSpeech and VCTK); a noise file is its own group.
func walkDir(dir, kind string) ([]entry, error) {
	var es []entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !audioExt[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		g, _ := filepath.Rel(dir, p)
		if kind == "speech" {
			g = filepath.Base(filepath.Dir(p))
		}
		es = append(es, entry{path: p, kind: kind, group: g})
		return nil
	})
	return es, err
}

// named returns the groups ids as a set, or an error naming the first one
// that is not among groups.
func named(ids, groups []string, what string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, id := range ids {
		if !slices.Contains(groups, id) {
			return nil, fmt.Errorf("train: held-out %s %q is not in the corpus", what, id)
		}
		out[id] = true
	}
	return out, nil
}

// SplitRule documents how validation groups are chosen.
const SplitRule = "held out: the ceil(10%) speakers and ceil(10%) noise groups with the smallest FNV-1a-32 hash of \"ghostrnn-split-v1/\"+id"

func splitHash(id string) uint32 {
	h := fnv.New32a()
	h.Write([]byte("ghostrnn-split-v1/" + id))
	return h.Sum32()
}

// heldOut returns the validation groups: the ceil(frac·n) groups with the
// smallest hash, so the split is deterministic and independent of file order.
func heldOut(groups []string, frac float64) map[string]bool {
	u := map[string]bool{}
	for _, g := range groups {
		u[g] = true
	}
	ids := make([]string, 0, len(u))
	for g := range u {
		ids = append(ids, g)
	}
	sort.Slice(ids, func(i, j int) bool {
		hi, hj := splitHash(ids[i]), splitHash(ids[j])
		if hi != hj {
			return hi < hj
		}
		return ids[i] < ids[j]
	})
	n := int(math.Ceil(frac * float64(len(ids))))
	if len(ids) < 2 {
		n = 0
	}
	out := map[string]bool{}
	for _, g := range ids[:n] {
		out[g] = true
	}
	return out
}

// CorpusConfig selects the training data.
type CorpusConfig struct {
	Data              string   // corpus root with MANIFEST.tsv, used when Speech and Noise are empty
	Speech, Noise     []string // directories of speech / noise files
	RIR               []string // directories of room impulse responses
	Decode            Decoder  // nil: DecodeFile
	MaxRIRSeconds     float64  // RIRs are cut to this length (default 1 s)
	ValidationPercent float64  // share of speakers and noise groups held out (default 10)
	// HeldOut, when set, names the held-out speakers and noise groups
	// instead of SplitRule (for example a model's own split, ParseSplit of
	// its "split" metadata); every one of them must be in the corpus.
	HeldOut *Split
}

// Split names the held-out speakers and noise groups of a corpus.
type Split struct {
	Speakers, Noise []string
}

// ParseSplit reads the held-out groups from a model's "split" metadata, as
// Corpus.SplitMeta writes it ("…; val_speakers=a,b; val_noise=c,d; …").
func ParseSplit(meta string) (Split, error) {
	var sp Split
	found := 0
	for _, part := range strings.Split(meta, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || (k != "val_speakers" && k != "val_noise") {
			continue
		}
		found++
		var ids []string
		if v != "" {
			ids = strings.Split(v, ",")
		}
		if k == "val_speakers" {
			sp.Speakers = ids
		} else {
			sp.Noise = ids
		}
	}
	if found != 2 {
		return Split{}, fmt.Errorf("train: no val_speakers and val_noise in the split %q", meta)
	}
	return sp, nil
}

// LoadCorpus decodes every file to memory at 16 kHz (in parallel) and splits
// speakers and noise groups into training and validation.
func LoadCorpus(cfg CorpusConfig, logf func(string, ...any)) (*Corpus, error) {
	var es []entry
	if len(cfg.Speech) == 0 && len(cfg.Noise) == 0 {
		if cfg.Data == "" {
			return nil, errors.New("train: no data: give a corpus directory or speech and noise directories")
		}
		m, err := readManifest(cfg.Data)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		es = m
	}
	for _, kd := range []struct {
		kind string
		dirs []string
	}{{"speech", cfg.Speech}, {"noise", cfg.Noise}, {"rir", cfg.RIR}} {
		for _, d := range kd.dirs {
			w, err := walkDir(d, kd.kind)
			if err != nil {
				return nil, fmt.Errorf("train: %w", err)
			}
			es = append(es, w...)
		}
	}
	dec := cfg.Decode
	if dec == nil {
		dec = DecodeFile
	}
	maxRIR := cfg.MaxRIRSeconds
	if maxRIR <= 0 {
		maxRIR = 1
	}
	clips := make([]Clip, len(es))
	errs := make([]error, len(es))
	var wg sync.WaitGroup
	jobs := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				x, fs, err := dec(es[i].path)
				if err != nil {
					errs[i] = fmt.Errorf("train: %s: %w", es[i].path, err)
					continue
				}
				if fs != SampleRate {
					x = Resample(x, float64(fs)/SampleRate, 16)
				}
				if es[i].kind == "rir" && len(x) > int(maxRIR*SampleRate) {
					x = x[:int(maxRIR*SampleRate)]
				}
				clips[i] = Clip{Path: es[i].path, Group: es[i].group, Samples: x}
			}
		}()
	}
	for i := range es {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	frac := cfg.ValidationPercent
	if frac == 0 {
		frac = 10
	}
	var spk, noi []string
	for _, e := range es {
		switch e.kind {
		case "speech":
			spk = append(spk, e.group)
		case "noise":
			noi = append(noi, e.group)
		}
	}
	vs, vn := heldOut(spk, frac/100), heldOut(noi, frac/100)
	if h := cfg.HeldOut; h != nil {
		var err error
		if vs, err = named(h.Speakers, spk, "speaker"); err != nil {
			return nil, err
		}
		if vn, err = named(h.Noise, noi, "noise group"); err != nil {
			return nil, err
		}
	}
	c := &Corpus{}
	for i, e := range es {
		cl := clips[i]
		if len(cl.Samples) < SampleRate/4 {
			continue
		}
		switch e.kind {
		case "speech":
			if vs[e.group] {
				c.ValSpeech = append(c.ValSpeech, cl)
			} else {
				c.Speech = append(c.Speech, cl)
			}
		case "noise":
			if vn[e.group] {
				c.ValNoise = append(c.ValNoise, cl)
			} else {
				c.Noise = append(c.Noise, cl)
			}
		case "rir":
			c.RIR = append(c.RIR, cl)
		}
	}
	for g := range vs {
		c.ValSpeakers = append(c.ValSpeakers, g)
	}
	for g := range vn {
		c.ValNoiseIDs = append(c.ValNoiseIDs, g)
	}
	sort.Strings(c.ValSpeakers)
	sort.Strings(c.ValNoiseIDs)
	if len(c.Speech) == 0 || len(c.Noise) == 0 {
		return nil, errors.New("train: need training speech and noise")
	}
	if logf != nil {
		logf("corpus: speech %d files %.1f min (val %d files, %d speakers), noise %d files %.1f min (val %d files, %d groups), rir %d",
			len(c.Speech), minutes(c.Speech), len(c.ValSpeech), len(c.ValSpeakers),
			len(c.Noise), minutes(c.Noise), len(c.ValNoise), len(c.ValNoiseIDs), len(c.RIR))
	}
	return c, nil
}

func minutes(cs []Clip) float64 {
	n := 0
	for _, c := range cs {
		n += len(c.Samples)
	}
	return float64(n) / SampleRate / 60
}

// SplitMeta describes the split for the model metadata.
func (c *Corpus) SplitMeta() string {
	return SplitRule + "; val_speakers=" + strings.Join(c.ValSpeakers, ",") +
		"; val_noise=" + strings.Join(c.ValNoiseIDs, ",") +
		"; val_files=" + strconv.Itoa(len(c.ValSpeech)) + "+" + strconv.Itoa(len(c.ValNoise))
}
