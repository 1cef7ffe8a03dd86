// Package cli holds the ghostrnn command-line interface: one file per command,
// each registering itself with Register from an init function.
package cli

import (
	"fmt"
	"sort"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

var commands []*ucli.Command

// Register adds a command to the application. Each command file calls it from init.
func Register(c *ucli.Command) { commands = append(commands, c) }

// App builds the ghostrnn application with every registered command, sorted by name.
func App() *ucli.App {
	cs := append([]*ucli.Command(nil), commands...)
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	return &ucli.App{
		Name:                 "ghostrnn",
		Usage:                "real-time speech enhancement with a GhostRNN mask estimator",
		Commands:             cs,
		EnableBashCompletion: true,
		// Errors are returned to main, which prints them and sets the exit status.
		ExitErrHandler: func(*ucli.Context, error) {},
	}
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
	for _, c := range commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
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
