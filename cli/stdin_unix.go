//go:build unix

package cli

import (
	"context"
	"io"
	"os"
	"syscall"
	"time"
)

// cancellableReader returns r, made to stop reading when ctx ends if it is a
// pipe or socket (a FIFO stdin can block for ever): such a file is read
// through a non-blocking duplicate of its descriptor, whose pending Read the
// context's end interrupts. done restores blocking mode and releases it.
func cancellableReader(ctx context.Context, r io.Reader) (io.Reader, func()) {
	f, ok := r.(*os.File)
	if !ok {
		return r, func() {}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&(os.ModeNamedPipe|os.ModeSocket) == 0 {
		return r, func() {}
	}
	var fd int
	var derr error
	if cerr := withFd(f, func(raw uintptr) { fd, derr = syscall.Dup(int(raw)) }); cerr != nil || derr != nil {
		return r, func() {}
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return r, func() {}
	}
	nf := os.NewFile(uintptr(fd), f.Name()) // non-blocking: served by the runtime poller
	stop := context.AfterFunc(ctx, func() { nf.SetReadDeadline(time.Unix(1, 0)) })
	return nf, func() {
		stop()
		withFd(nf, func(raw uintptr) { syscall.SetNonblock(int(raw), false) })
		nf.Close()
	}
}

// withFd runs fn with f's descriptor without switching it to blocking mode
// (as File.Fd does).
func withFd(f *os.File, fn func(fd uintptr)) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return sc.Control(fn)
}
