package cli

import (
	"errors"
	"fmt"
	"log"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/ghostrnn/ghostrnn/enhancer"
	"github.com/ghostrnn/ghostrnn/models"
	"github.com/ghostrnn/ghostrnn/train"
)

// measureCommand is ghostrnn train measure: one subcommand per entry of
// train.Measurements (add a measurement there, not here).
func measureCommand() *ucli.Command {
	cmd := &ucli.Command{
		Name:      "measure",
		Usage:     "score model files on mixtures of the corpus's held-out (and training) speech and noise, as Markdown tables",
		ArgsUsage: "MEASUREMENT --model FILE [--model FILE...]",
		Description: "Measurements for the model card: they print tables and check nothing. Each draws its\n" +
			"mixtures from the corpus (--data, or --speech and --noise) exactly as training validation\n" +
			"does, runs them through the streaming engine and scores them with package metrics.",
	}
	var names []string
	for _, m := range train.Measurements {
		names = append(names, m.Name)
	}
	cmd.Action = func(c *ucli.Context) error {
		if c.NArg() > 0 {
			return fmt.Errorf("train measure: unknown measurement %q (want %s)", c.Args().First(), strings.Join(names, ", "))
		}
		return ucli.ShowSubcommandHelp(c)
	}
	for _, m := range train.Measurements {
		cmd.Subcommands = append(cmd.Subcommands, &ucli.Command{
			Name:  m.Name,
			Usage: m.Usage,
			Flags: append([]ucli.Flag{
				&ucli.StringSliceFlag{Name: "model", Required: true, Usage: "model file to score (repeatable: one column or row each)"},
				&ucli.IntFlag{Name: "clips", Usage: "mixtures per condition (default: 12 for the validation set, 48 for the larger held-out sets)"},
			}, corpusFlags()...),
			Action: func(c *ucli.Context) error { return runMeasure(c, m) },
		})
	}
	return cmd
}

// runMeasure loads the models and the corpus and runs measurement m.
func runMeasure(c *ucli.Context, m train.Measurement) error {
	name := "train measure " + m.Name
	if c.NArg() > 0 {
		return fmt.Errorf("%s: unexpected arguments %q (give models with --model)", name, c.Args().Slice())
	}
	in := train.MeasureInput{Names: c.StringSlice("model"), ValClips: train.DefaultConfig(enhancer.DefaultArch).ValClips, More: 48}
	if n := c.Int("clips"); c.IsSet("clips") {
		if n < 2 {
			return errors.New(name + ": --clips must be ≥ 2 (a standard error needs two mixtures)")
		}
		in.ValClips, in.More = n, n
	}
	for _, p := range in.Names {
		md, err := models.Load(p)
		if err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		in.Models = append(in.Models, md)
	}
	cc, err := corpusConfig(c, name)
	if err != nil {
		return err
	}
	logf := log.New(c.App.ErrWriter, "", 0).Printf
	if in.Corpus, err = loadCorpus(name, cc, false, logf); err != nil {
		return err
	}
	return m.Run(c.App.Writer, in)
}
