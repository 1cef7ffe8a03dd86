package cli

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress draws one bar over the audio seconds of all jobs on a terminal,
// and nothing otherwise.
type progress struct {
	mu  sync.Mutex
	w   io.Writer
	bar *progressbar.ProgressBar
}

// newProgress returns a progress display for jobs on w; it is silent when
// quiet or when w is not a terminal.
func newProgress(w io.Writer, quiet bool, jobs []denoiseJob) *progress {
	p := &progress{w: w}
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) || len(jobs) == 0 {
		return p
	}
	p.bar = progressbar.NewOptions64(int64(len(jobs))*permille,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(fmt.Sprintf("denoising %d files", len(jobs))),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish())
	return p
}

// permille is a whole file's share of the bar.
const permille = 1000

// add moves the bar by n thousandths of a file.
func (p *progress) add(n int64) {
	if p.bar == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Add64(n)
}

// println prints a line without tearing the bar.
func (p *progress) println(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintln(p.w, s)
}

// finish removes the bar.
func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
