package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/audio"
)

// strictFlag is --strict of the commands that read audio files.
var strictFlag = &ucli.BoolFlag{Name: "strict", Usage: "refuse damaged inputs (cut short, sizes never written) instead of salvaging what they hold"}

// readOptions are the audio.Open options of a command: damaged inputs are
// salvaged unless strict.
func readOptions(strict bool) []audio.Option {
	if strict {
		return nil
	}
	return []audio.Option{audio.Salvage}
}

// damageWarning is the one-line warning for an input r that was salvaged
// after sec seconds of audio, or "" if r was intact.
func damageWarning(r audio.Reader, sec float64) string {
	d := audio.Damage(r)
	if d == "" {
		return ""
	}
	return fmt.Sprintf("damaged input, kept the %s it holds: %s (--strict refuses it)", fmtDuration(sec), d)
}
