//go:build !linux

package live

// muteStderr does nothing outside Linux.
func muteStderr() (restore func()) { return func() {} }
