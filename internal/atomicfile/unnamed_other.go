//go:build !linux

package atomicfile

import "os"

// unnamedOff turns unnamed files off (for tests of the fallback).
var unnamedOff = true

// openUnnamed reports that unnamed files are a Linux feature.
func openUnnamed(dir, path string) (*os.File, error) { return nil, errNoUnnamed }

// linkUnnamed is never called where openUnnamed fails.
func linkUnnamed(f *os.File, path string) error { return errNoUnnamed }
