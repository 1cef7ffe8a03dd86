package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
)

func infoCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "info",
		Usage: "describe a model: architecture, parameters, weight bytes, MAC/s, latency, metadata",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "model", Usage: "model file (default: the embedded GhostRNN model)"},
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: func(c *ucli.Context) error {
			m, err := models.Open(c.String("model"))
			if err != nil {
				return exitf(2, "%v", err)
			}
			info := describeModel(m)
			if c.Bool("json") {
				enc := json.NewEncoder(c.App.Writer)
				enc.SetIndent("", "  ")
				return enc.Encode(info)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "architecture      %s\n", info.Summary)
			fmt.Fprintf(w, "parameters        %d (%d bytes of float32 weights)\n", info.Params, info.WeightBytes)
			fmt.Fprintf(w, "compute           %.2f M multiply-accumulates per second of audio (network, %d per 10 ms frame)\n", info.MACsPerSec/1e6, info.MACsPerFrame)
			fmt.Fprintf(w, "latency           %d samples = %.1f ms at %d Hz (window %d − hop %d + look-ahead %d × hop)\n", info.LatencySamples, info.LatencyMs, info.SampleRate, info.Window, info.Hop, info.Arch.Lookahead)
			fmt.Fprintf(w, "gain floor        %.4f (%.1f dB)\n", info.GainFloor, info.GainFloorDB)
			fmt.Fprintf(w, "band              0–%g kHz (%d bins, %g Hz apart)\n", float64(info.SampleRate)/2000, info.Arch.Bins, float64(info.SampleRate)/float64(info.Window))
			fmt.Fprintf(w, "native rates      %s Hz, and any rate ≥ %d Hz whose %g ms hop is whole samples: STFT at the input rate, full band kept, %g ms latency\n",
				joinInts(info.NativeRates), info.SampleRate, 1000*float64(info.Hop)/float64(info.SampleRate), info.LatencyMs)
			fmt.Fprintf(w, "resampled rates   %s Hz and the rest: resampled to %d Hz and back, band 0–%g kHz\n",
				joinInts(info.ResampledRates), info.SampleRate, float64(info.SampleRate)/2000)
			keys := make([]string, 0, len(info.Meta))
			for k := range info.Meta {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v := info.Meta[k]
				if len(v) > 100 {
					v = v[:97] + "..."
				}
				fmt.Fprintf(w, "meta %-12s %s\n", k, strings.ReplaceAll(v, "\n", " "))
			}
			return nil
		},
	}
}

// modelInfo is what `ghostrnn info` prints; every figure is computed from the model.
type modelInfo struct {
	Summary        string            `json:"summary"`
	Arch           archJSON          `json:"arch"`
	Params         int               `json:"params"`
	WeightBytes    int               `json:"weight_bytes"`
	MACsPerFrame   int               `json:"macs_per_frame"`
	MACsPerSec     float64           `json:"macs_per_second"`
	SampleRate     int               `json:"sample_rate"`
	Window         int               `json:"window"`
	Hop            int               `json:"hop"`
	LatencySamples int               `json:"latency_samples"`
	LatencyMs      float64           `json:"latency_ms"`
	GainFloor      float32           `json:"gain_floor"`
	GainFloorDB    float64           `json:"gain_floor_db"`
	NativeRates    []int             `json:"native_rates"`    // common rates run natively (enhancer.Native)
	ResampledRates []int             `json:"resampled_rates"` // common rates resampled to the model's
	Meta           map[string]string `json:"meta"`
}

func describeModel(m *enhancer.Model) modelInfo {
	a, cfg := m.Arch, m.Config()
	frames := float64(cfg.SampleRate) / float64(cfg.Hop)
	var native, resampled []int
	for _, r := range commonRates {
		if enhancer.Native(m, r) {
			native = append(native, r)
		} else {
			resampled = append(resampled, r)
		}
	}
	cell := "GRU"
	if a.Kind == enhancer.KindGhost {
		cell = fmt.Sprintf("GhostGRU(r=%d, %d intrinsic + %d ghost, φ=%s)", a.Ratio, a.Intrinsic(), a.Hidden-a.Intrinsic(), a.GhostAct)
	}
	summary := fmt.Sprintf("%d features → dense %d → %s %d ×%d → dense %d%s → sigmoid", a.Features, a.Hidden, cell, a.Hidden, a.Layers, a.Bins, skipSummary(a))
	if a.Graph == enhancer.GraphV2 {
		cv := a.V2Convs()
		summary = strings.TrimSuffix(summary, " → sigmoid") + fmt.Sprintf(" → logits corrected per bin by a head of convolutions over frequency (each bin's v1 logit, level and phase advance over 3 frames → %d ch k%d → %d ch k%d → 1 ch k%d, weights shared by all %d bins) → sigmoid",
			cv[0].Out, cv[0].Kernel, cv[1].Out, cv[1].Kernel, cv[2].Kernel, a.Bins)
		if a.DF > 0 {
			summary += fmt.Sprintf(", and a deep filter on bins 0 … %d (%d complex taps over frames t, t−1, t−2 from %d more head outputs)", a.DF-1, enhancer.V2DFOrder, 2*enhancer.V2DFOrder)
		}
	}
	return modelInfo{
		Summary:        summary,
		Arch:           archJSON(a),
		Params:         a.Params(),
		WeightBytes:    4 * a.Params(),
		MACsPerFrame:   a.MACsPerFrame(),
		MACsPerSec:     float64(a.MACsPerFrame()) * frames,
		SampleRate:     cfg.SampleRate,
		Window:         cfg.Window,
		Hop:            cfg.Hop,
		LatencySamples: m.Latency(),
		LatencyMs:      1000 * float64(m.Latency()) / float64(cfg.SampleRate),
		GainFloor:      m.GainFloor,
		GainFloorDB:    20 * log10(float64(m.GainFloor)),
		Meta:           m.Meta,
		NativeRates:    native,
		ResampledRates: resampled,
	}
}

// commonRates are the sample rates ghostrnn info classifies.
var commonRates = []int{8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000, 176400, 192000}

func joinInts(x []int) string {
	s := make([]string, len(x))
	for i, v := range x {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

func log10(x float64) float64 { return math.Log10(x) }

// skipSummary describes the feature skip of a, or returns "" without one.
func skipSummary(a enhancer.Arch) string {
	if a.Skip == 0 {
		return ""
	}
	return fmt.Sprintf(" + feature skip (±%d bands × %d frames)", a.Skip, a.Lookahead+1)
}
