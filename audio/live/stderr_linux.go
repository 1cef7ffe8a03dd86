package live

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>

static void ghostrnn_alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

static void ghostrnn_alsa_silence(void) { snd_lib_error_set_handler(ghostrnn_alsa_quiet); }
*/
import "C"

import (
	"os"
	"syscall"
)

// muteStderr points file descriptor 2 at /dev/null, where the C libraries
// under PortAudio (ALSA, JACK) print their probing noise, and silences ALSA's
// error messages for the rest of the process (xruns are counted instead). The
// returned function restores stderr.
func muteStderr() (restore func()) {
	C.ghostrnn_alsa_silence()
	saved, err := syscall.Dup(2)
	if err != nil {
		return func() {}
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		syscall.Close(saved)
		return func() {}
	}
	defer null.Close()
	if err := syscall.Dup3(int(null.Fd()), 2, 0); err != nil {
		syscall.Close(saved)
		return func() {}
	}
	return func() {
		syscall.Dup3(saved, 2, 0)
		syscall.Close(saved)
	}
}
