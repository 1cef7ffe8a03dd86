// Command ghostrnn removes noise from speech: in batch over files, live from a
// microphone, and it measures its own latency. See README.md.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ghostrnn/ghostrnn/cli"
)

func main() {
	err := cli.Run(os.Args)
	if err == nil {
		return
	}
	code := 1
	var ee *cli.ExitError
	if errors.As(err, &ee) {
		code = ee.Code
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintln(os.Stderr, "ghostrnn:", msg)
	}
	os.Exit(code)
}
