//go:build nolive

package cli

import (
	ucli "github.com/urfave/cli/v2"
)

// A build with the nolive tag (CGO_ENABLED=0 go build -tags nolive) has no
// PortAudio, hence no live audio: live, latency and devices are still listed
// but only say so.

func liveCommand() *ucli.Command { return noLiveCommand("live", "denoise a microphone live") }

func latencyCommand() *ucli.Command { return noLiveCommand("latency", "measure the latency") }

func devicesCommand() *ucli.Command { return noLiveCommand("devices", "list the audio devices") }

// noLiveCommand is a command of the live build that this build lacks.
func noLiveCommand(name, usage string) *ucli.Command {
	return &ucli.Command{
		Name:            name,
		Usage:           usage + " (not in this build: built without live audio)",
		SkipFlagParsing: true,
		Action: func(*ucli.Context) error {
			return exitf(1, "%s: this ghostrnn was built without live audio (-tags nolive); "+
				"live, latency and devices need a build with cgo and PortAudio (see README.md, Building)", name)
		},
	}
}
