// Package cli holds the ghostrnn command-line interface: one file per command,
// each registering itself with Register from an init function.
package cli

import (
	"fmt"
	"sort"

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
