// Command ghostrnn removes noise from speech: in batch over files, live from a
// microphone, and it measures its own latency. See README.md.
package main

import (
	"fmt"
	"os"

	"github.com/ghostrnn/ghostrnn/cli"
)

func main() {
	if err := cli.App().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "ghostrnn:", err)
		os.Exit(1)
	}
}
