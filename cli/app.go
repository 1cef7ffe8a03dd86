// Package cli holds the ghostrnn command-line interface: one file per command.
// Commands lists them all; each file's xxxCommand builds its *ucli.Command.
package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Commands returns every ghostrnn command, in the order help lists them.
func Commands() []*ucli.Command {
	return []*ucli.Command{
		benchCommand(),
		compareCommand(),
		denoiseCommand(),
		devicesCommand(),
		evalCommand(),
		infoCommand(),
		latencyCommand(),
		liveCommand(),
		micCommand(),
		reportCommand(),
		spectrogramCommand(),
		trainCommand(),
	}
}

// App builds the ghostrnn application with every command of Commands.
func App() *ucli.App {
	return &ucli.App{
		Name:                 "ghostrnn",
		Usage:                "real-time speech enhancement with a GhostRNN mask estimator",
		Version:              Version(),
		Commands:             Commands(),
		EnableBashCompletion: true,
		// Errors are returned to main, which prints them and sets the exit status.
		ExitErrHandler: func(*ucli.Context, error) {},
	}
}

// version is set at link time by the Makefile (-X …/cli.version=…).
var version string

// Version is the version the Makefile linked in (git describe, e.g.
// "56903f1-dirty"), else the module version and commit as the Go toolchain
// records them ("v1.2.0", or "(devel) 8b538c9 modified 2026-12-02T03:38:42Z"
// for a build of a work tree), followed by the Go version.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return strings.TrimSpace(version + " unknown")
	}
	if version != "" {
		return version + " " + bi.GoVersion
	}
	v := bi.Main.Version
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(len(s.Value), 12)]
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "modified"
			}
		}
	}
	return strings.Join(strings.Fields(strings.Join([]string{v, rev, dirty, at, bi.GoVersion}, " ")), " ")
}

// ExitError is an error with the process exit status it should cause. An
// empty message means the reasons were already printed.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// ExitCode implements urfave/cli's ExitCoder.
func (e *ExitError) ExitCode() int { return e.Code }

// exitf returns an ExitError with a formatted message.
func exitf(code int, format string, args ...any) error {
	return &ExitError{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Run runs the application on args (os.Args). Unlike plain urfave/cli v2 it
// accepts flags after positional arguments, as in
// `ghostrnn denoise in.wav -o out.wav`; "--" ends the flags.
func Run(args []string) error {
	return App().Run(interspersed(args))
}

// interspersed moves the flags of a subcommand in front of its positional
// arguments, keeping each flag's value with it.
func interspersed(args []string) []string {
	if len(args) < 2 {
		return args
	}
	var cmd *ucli.Command
	for _, c := range Commands() {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil || len(cmd.Subcommands) > 0 { // subcommands parse their own flags
		return args
	}
	boolFlag := map[string]bool{"help": true, "h": true}
	for _, f := range cmd.Flags {
		_, isBool := f.(*ucli.BoolFlag)
		for _, n := range f.Names() {
			boolFlag[n] = isBool
		}
	}
	var flags, pos []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if isBool, known := boolFlag[name]; known && !isBool && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := append([]string{args[0], args[1]}, flags...)
	if len(pos) > 0 {
		out = append(append(out, "--"), pos...)
	}
	return out
}
