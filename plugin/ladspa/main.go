// Command ladspa is the ghostrnn LADSPA plugin (and LV2 plugin binary), built
// as a C shared library:
//
//	go build -buildmode=c-shared -o ghostrnn_ladspa.so ./plugin/ladspa
//
// (`make plugin`). ladspa.c holds the LADSPA descriptors and forwards each
// host call to the exported functions below, which drive a plugin.Instance.
// Instances are passed to C as cgo handles; Run looks its handle up without a
// lock (cgo.Handle is a lock-free map read) and allocates nothing.
package main

/*
#include <stdint.h>
*/
import "C"

import (
	"fmt"
	"os"
	"runtime/cgo"
	"unsafe"

	"github.com/ghostrnn/ghostrnn/plugin"
)

func main() {}

// ghostrnnNew makes an instance for channels channels at rate Hz and returns
// its handle, or 0 (after a message on stderr) when the model does not load
// or the rate is not supported.
//
//export ghostrnnNew
func ghostrnnNew(channels C.int, rate C.ulong) C.uintptr_t {
	m, err := plugin.LoadModel()
	if err == nil {
		var p *plugin.Instance
		if p, err = plugin.New(m, int(rate), int(channels)); err == nil {
			return C.uintptr_t(cgo.NewHandle(p))
		}
	}
	fmt.Fprintf(os.Stderr, "ghostrnn plugin: %v\n", err)
	return 0
}

// ghostrnnLatency returns the instance's latency in frames.
//
//export ghostrnnLatency
func ghostrnnLatency(h C.uintptr_t) C.float {
	return C.float(cgo.Handle(h).Value().(*plugin.Instance).Latency())
}

// ghostrnnActivate resets the instance's audio history.
//
//export ghostrnnActivate
func ghostrnnActivate(h C.uintptr_t) {
	cgo.Handle(h).Value().(*plugin.Instance).Activate()
}

// ghostrnnRun enhances n frames from in to out (arrays of one pointer per
// channel) with the given controls. A panic (never expected) silences the
// block instead of taking the host down.
//
//export ghostrnnRun
func ghostrnnRun(h C.uintptr_t, in, out **C.float, n C.ulong, atten, mix C.float, bypass C.int) {
	p := cgo.Handle(h).Value().(*plugin.Instance)
	ch := p.Channels()
	var ins, outs [2][]float32
	ip := unsafe.Slice(in, ch)
	op := unsafe.Slice(out, ch)
	for c := 0; c < ch && c < len(ins); c++ {
		ins[c] = unsafe.Slice((*float32)(unsafe.Pointer(ip[c])), int(n))
		outs[c] = unsafe.Slice((*float32)(unsafe.Pointer(op[c])), int(n))
	}
	defer func() {
		if recover() != nil {
			for c := 0; c < ch && c < len(outs); c++ {
				clear(outs[c])
			}
		}
	}()
	p.Run(outs[:ch], ins[:ch], int(n), plugin.Controls{AttenLimDB: float32(atten), Mix: float32(mix), Bypass: bypass != 0})
}

// ghostrnnFree releases the instance.
//
//export ghostrnnFree
func ghostrnnFree(h C.uintptr_t) {
	cgo.Handle(h).Delete()
}
