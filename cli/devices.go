//go:build !nolive

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio/live"
)

func devicesCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "devices",
		Usage: "list the audio devices (for live and latency)",
		Description: `Lists every device PortAudio sees: index, name, host API, input and output
channel counts, default sample rate, and default low/high latencies (input/output).
The default input is marked "<" and the default output ">". --input and --output of
live and latency take an index or a case-insensitive part of a name.`,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
		},
		Action: runDevices,
	}
}

// deviceJSON is a device in the --json listing.
type deviceJSON struct {
	*live.Device
	LowInputMs   float64 `json:"default_low_input_latency_ms"`
	LowOutputMs  float64 `json:"default_low_output_latency_ms"`
	HighInputMs  float64 `json:"default_high_input_latency_ms"`
	HighOutputMs float64 `json:"default_high_output_latency_ms"`
}

func runDevices(c *ucli.Context) error {
	if c.NArg() > 0 {
		return exitf(2, "devices takes no arguments")
	}
	defer live.Terminate()
	devs, err := live.Devices()
	if err != nil {
		return exitf(1, "%v", err)
	}
	out := c.App.Writer
	if out == nil {
		out = os.Stdout
	}
	if c.Bool("json") {
		list := make([]deviceJSON, len(devs))
		for i, d := range devs {
			list[i] = deviceJSON{Device: d, LowInputMs: ms(d.DefaultLowInputLatency), LowOutputMs: ms(d.DefaultLowOutputLatency),
				HighInputMs: ms(d.DefaultHighInputLatency), HighOutputMs: ms(d.DefaultHighOutputLatency)}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"devices": list})
	}
	if len(devs) == 0 {
		fmt.Fprintln(out, "no audio devices found")
		return nil
	}
	printDevices(out, devs)
	return nil
}

// printDevices writes the device table.
func printDevices(w io.Writer, devs []*live.Device) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tINDEX\tNAME\tHOST API\tIN\tOUT\tRATE\tLOW LATENCY in/out\tHIGH LATENCY in/out")
	for _, d := range devs {
		mark := ""
		if d.DefaultInput {
			mark += "<"
		}
		if d.DefaultOutput {
			mark += ">"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%g\t%s\t%s\n", mark, d.Index, d.Name, d.HostAPI,
			d.MaxInputChannels, d.MaxOutputChannels, d.DefaultSampleRate,
			pair(d.DefaultLowInputLatency, d.DefaultLowOutputLatency), pair(d.DefaultHighInputLatency, d.DefaultHighOutputLatency))
	}
	tw.Flush()
	fmt.Fprintln(w, "< default input, > default output")
}

// pair formats two latencies as "8.7/8.7 ms".
func pair(in, out time.Duration) string {
	return fmt.Sprintf("%.1f/%.1f ms", ms(in), ms(out))
}

// ms converts a duration to milliseconds, rounded to 0.001 ms.
func ms(d time.Duration) float64 { return float64(d.Round(time.Microsecond)) / 1e6 }
