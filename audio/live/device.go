package live

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gordonklaus/portaudio"
)

// Device is an audio device as PortAudio sees it.
type Device struct {
	Index             int     `json:"index"`
	Name              string  `json:"name"`
	HostAPI           string  `json:"host_api"`
	MaxInputChannels  int     `json:"max_input_channels"`
	MaxOutputChannels int     `json:"max_output_channels"`
	DefaultSampleRate float64 `json:"default_sample_rate"`
	// Default latencies PortAudio suggests for interactive (low) and robust
	// (high) use.
	DefaultLowInputLatency   time.Duration `json:"-"`
	DefaultLowOutputLatency  time.Duration `json:"-"`
	DefaultHighInputLatency  time.Duration `json:"-"`
	DefaultHighOutputLatency time.Duration `json:"-"`
	DefaultInput             bool          `json:"default_input"`  // the default input of the default host API
	DefaultOutput            bool          `json:"default_output"` // the default output of the default host API

	info *portaudio.DeviceInfo
}

var (
	initOnce sync.Once
	initErr  error
	initDone bool
)

// probeEnv, when set, makes a process that imports this package only
// initialise PortAudio and exit: Init runs its own executable that way first,
// because PortAudio 19.6 aborts the whole process (an assertion in
// BuildDeviceList) on some ALSA configurations, e.g. one without any PCM.
const probeEnv = "GHOSTRNN_PORTAUDIO_PROBE"

func init() {
	if os.Getenv(probeEnv) != "1" {
		return
	}
	muteStderr()
	if portaudio.Initialize() != nil {
		os.Exit(3)
	}
	portaudio.Terminate()
	os.Exit(0)
}

// probe initialises PortAudio in a child process and reports whether it
// crashed or hung there. Errors it returns cleanly are left to Init.
func probe() error {
	exe, err := os.Executable()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), probeEnv+"=1")
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return errors.New("cannot start PortAudio: it did not finish listing the devices within 15 s (a sound server or JACK not answering?)")
	case errors.As(err, &ee) && ee.ExitCode() != 3: // 3: a clean PortAudio error, which Init reports
		return fmt.Errorf("cannot start PortAudio: it crashed while listing the ALSA devices (%v); PortAudio 19.6 does on some ALSA configurations, e.g. one that defines no PCM: check ALSA_CONFIG_PATH and ~/.asoundrc (GHOSTRNN_AUDIO_DEBUG=1 shows the libraries' messages)", ee.ProcessState)
	}
	return nil
}

// Init initialises PortAudio; only the first call does anything. Debian's
// PortAudio probes JACK and ALSA plugins noisily on stderr while it starts:
// that output is hidden unless GHOSTRNN_AUDIO_DEBUG is set. Call Terminate
// before the process ends.
func Init() error {
	initOnce.Do(func() {
		if initErr = probe(); initErr != nil {
			return
		}
		restore := func() {}
		if os.Getenv("GHOSTRNN_AUDIO_DEBUG") == "" {
			restore = muteStderr()
		}
		initErr = portaudio.Initialize()
		initDone = true
		restore()
		if initErr != nil {
			msg := initErr.Error()
			if msg == "" {
				msg = "host API error"
			}
			initErr = fmt.Errorf("cannot start PortAudio: %s (check the ALSA/sound server configuration; GHOSTRNN_AUDIO_DEBUG=1 shows the libraries' messages)", msg)
		}
	})
	return initErr
}

// abandoned is set when a stream did not stop: PortAudio is then left as it
// is, since terminating it would wait for that stream forever.
var abandoned atomic.Bool

// Terminate releases PortAudio after a successful Init. It gives up after
// 3 s (a failed device can block PortAudio) and does nothing once a stream
// had to be abandoned.
func Terminate() {
	if !initDone || initErr != nil || abandoned.Load() {
		return
	}
	done := make(chan struct{})
	go func() {
		portaudio.Terminate()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
	}
}

// Devices lists every device, after Init.
func Devices() ([]*Device, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	infos, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("listing audio devices: %w", err)
	}
	var defIn, defOut int = -1, -1
	if d, err := portaudio.DefaultInputDevice(); err == nil && d != nil {
		defIn = d.Index
	}
	if d, err := portaudio.DefaultOutputDevice(); err == nil && d != nil {
		defOut = d.Index
	}
	devs := make([]*Device, 0, len(infos))
	for _, d := range infos {
		api := ""
		if d.HostApi != nil {
			api = d.HostApi.Name
		}
		devs = append(devs, &Device{
			Index: d.Index, Name: d.Name, HostAPI: api,
			MaxInputChannels: d.MaxInputChannels, MaxOutputChannels: d.MaxOutputChannels,
			DefaultSampleRate:      d.DefaultSampleRate,
			DefaultLowInputLatency: d.DefaultLowInputLatency, DefaultLowOutputLatency: d.DefaultLowOutputLatency,
			DefaultHighInputLatency: d.DefaultHighInputLatency, DefaultHighOutputLatency: d.DefaultHighOutputLatency,
			DefaultInput: d.Index == defIn, DefaultOutput: d.Index == defOut,
			info: d,
		})
	}
	sort.Slice(devs, func(i, j int) bool { return devs[i].Index < devs[j].Index })
	return devs, nil
}

// ErrNoDevice is wrapped by FindDevice's errors when no device matches.
var ErrNoDevice = errors.New("no such audio device")

// FindDevice picks the input (input true) or output device named by spec:
// "" or "default" for the default device, a number for a device index, or
// else a case-insensitive part of the device's name (an exact name wins over
// partial matches). Devices without channels in that direction never match.
// The errors list the candidates when spec matches none or several.
func FindDevice(devs []*Device, spec string, input bool) (*Device, error) {
	dir := "output"
	if input {
		dir = "input"
	}
	var cands []*Device
	for _, d := range devs {
		if (input && d.MaxInputChannels > 0) || (!input && d.MaxOutputChannels > 0) {
			cands = append(cands, d)
		}
	}
	list := func(ds []*Device) string {
		if len(ds) == 0 {
			return "none"
		}
		var b strings.Builder
		for _, d := range ds {
			fmt.Fprintf(&b, "\n  %d: %s (%s)", d.Index, d.Name, d.HostAPI)
		}
		return b.String()
	}
	spec = strings.TrimSpace(spec)
	if spec == "" || strings.EqualFold(spec, "default") {
		for _, d := range cands {
			if (input && d.DefaultInput) || (!input && d.DefaultOutput) {
				return d, nil
			}
		}
		for _, d := range cands {
			if strings.EqualFold(d.Name, "default") {
				return d, nil
			}
		}
		if len(cands) == 0 {
			return nil, fmt.Errorf("%w: no audio %s device found (see ghostrnn devices)", ErrNoDevice, dir)
		}
		return nil, fmt.Errorf("%w: no default audio %s device; pick one of:%s", ErrNoDevice, dir, list(cands))
	}
	if i, err := strconv.Atoi(spec); err == nil {
		for _, d := range devs {
			if d.Index == i {
				if (input && d.MaxInputChannels == 0) || (!input && d.MaxOutputChannels == 0) {
					return nil, fmt.Errorf("%w: device %d (%s) has no %s channels; %s devices:%s", ErrNoDevice, i, d.Name, dir, dir, list(cands))
				}
				return d, nil
			}
		}
		return nil, fmt.Errorf("%w: no audio device with index %d; %s devices:%s", ErrNoDevice, i, dir, list(cands))
	}
	var exact, partial []*Device
	for _, d := range cands {
		switch {
		case strings.EqualFold(d.Name, spec):
			exact = append(exact, d)
		case strings.Contains(strings.ToLower(d.Name), strings.ToLower(spec)):
			partial = append(partial, d)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], nil
	case len(exact) > 1:
		return nil, fmt.Errorf("%q names several %s devices, use an index:%s", spec, dir, list(exact))
	case len(partial) == 1:
		return partial[0], nil
	case len(partial) > 1:
		return nil, fmt.Errorf("%q matches several %s devices, be more precise or use an index:%s", spec, dir, list(partial))
	}
	return nil, fmt.Errorf("%w: no %s device matches %q; %s devices:%s", ErrNoDevice, dir, spec, dir, list(cands))
}

// StreamConfig describes a device stream.
type StreamConfig struct {
	Input       *Device // capture device, or nil
	Output      *Device // playback device, or nil
	InChannels  int
	OutChannels int
	Rate        int
	// FramesPerBuffer is the callback size; 0 lets PortAudio choose (and vary it).
	FramesPerBuffer int
	// Latency is "low" or "high" (the devices' defaults) or a number of
	// seconds; "" means high.
	Latency string
}

// Callback is the audio function of a stream: in holds the captured
// interleaved frames, out (nil without an output device) must be filled,
// and flags are the status flags (InputOverflow, …).
type Callback func(out, in []float32, flags uint)

// Stream is an open PortAudio stream.
type Stream struct {
	s      *portaudio.Stream
	cfg    StreamConfig
	closed bool
}

// ParseLatency reads a --latency value: "low", "high" or seconds.
func ParseLatency(s string) (low, high bool, secs float64, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "low":
		return true, false, 0, nil
	case "high", "":
		return false, true, 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || v > 10 {
		return false, false, 0, fmt.Errorf("latency %q: want low, high or seconds in (0, 10]", s)
	}
	return false, false, v, nil
}

// CheckStream reports whether the devices take the configuration (channel
// counts, rate, latency), without opening them.
func CheckStream(cfg StreamConfig) error {
	p, err := streamParams(cfg)
	if err != nil {
		return err
	}
	return checkParams(cfg, p, deviceCallback(cfg, func(out, in []float32, flags uint) {}))
}

// streamParams turns cfg into PortAudio's stream parameters.
func streamParams(cfg StreamConfig) (portaudio.StreamParameters, error) {
	var p portaudio.StreamParameters
	if err := Init(); err != nil {
		return p, err
	}
	low, _, secs, err := ParseLatency(cfg.Latency)
	if err != nil {
		return p, err
	}
	if cfg.Input == nil && cfg.Output == nil {
		return p, errors.New("a stream needs an input or an output device")
	}
	if cfg.Rate <= 0 {
		return p, fmt.Errorf("invalid sample rate %d Hz", cfg.Rate)
	}
	if cfg.FramesPerBuffer < 0 {
		return p, fmt.Errorf("invalid frames per buffer %d", cfg.FramesPerBuffer)
	}
	p = portaudio.StreamParameters{SampleRate: float64(cfg.Rate), FramesPerBuffer: cfg.FramesPerBuffer, Flags: portaudio.ClipOff | portaudio.DitherOff}
	if cfg.FramesPerBuffer == 0 {
		p.FramesPerBuffer = portaudio.FramesPerBufferUnspecified
	}
	pick := func(lo, hi time.Duration) time.Duration {
		switch {
		case secs > 0:
			return time.Duration(secs * float64(time.Second))
		case low:
			return lo
		}
		return hi
	}
	if d := cfg.Input; d != nil {
		if cfg.InChannels < 1 || cfg.InChannels > d.MaxInputChannels {
			return p, fmt.Errorf("input device %q has %d input channels, cannot capture %d", d.Name, d.MaxInputChannels, cfg.InChannels)
		}
		p.Input = portaudio.StreamDeviceParameters{Device: d.info, Channels: cfg.InChannels, Latency: pick(d.DefaultLowInputLatency, d.DefaultHighInputLatency)}
	}
	if d := cfg.Output; d != nil {
		if cfg.OutChannels < 1 || cfg.OutChannels > d.MaxOutputChannels {
			return p, fmt.Errorf("output device %q has %d output channels, cannot play %d", d.Name, d.MaxOutputChannels, cfg.OutChannels)
		}
		p.Output = portaudio.StreamDeviceParameters{Device: d.info, Channels: cfg.OutChannels, Latency: pick(d.DefaultLowOutputLatency, d.DefaultHighOutputLatency)}
	}
	return p, nil
}

// deviceCallback adapts cb to the binding's callback signature.
func deviceCallback(cfg StreamConfig, cb Callback) func(in, out []float32, _ portaudio.StreamCallbackTimeInfo, f portaudio.StreamCallbackFlags) {
	return func(in, out []float32, _ portaudio.StreamCallbackTimeInfo, f portaudio.StreamCallbackFlags) {
		var flags uint
		if f&portaudio.InputUnderflow != 0 {
			flags |= InputUnderflow
		}
		if f&portaudio.InputOverflow != 0 {
			flags |= InputOverflow
		}
		if f&portaudio.OutputUnderflow != 0 {
			flags |= OutputUnderflow
		}
		if f&portaudio.OutputOverflow != 0 {
			flags |= OutputOverflow
		}
		if cfg.Input == nil {
			in = nil
		}
		if cfg.Output == nil {
			out = nil
		}
		cb(out, in, flags)
	}
}

func checkParams(cfg StreamConfig, p portaudio.StreamParameters, fn any) error {
	if err := portaudio.IsFormatSupported(p, fn); err != nil {
		return fmt.Errorf("%s does not support %d Hz, %s: %v", streamName(cfg), cfg.Rate, channelsText(cfg), err)
	}
	return nil
}

// OpenStream checks the configuration against the devices and opens a
// stream calling cb on PortAudio's audio thread, with float32 samples.
func OpenStream(cfg StreamConfig, cb Callback) (*Stream, error) {
	p, err := streamParams(cfg)
	if err != nil {
		return nil, err
	}
	fn := deviceCallback(cfg, cb)
	if err := checkParams(cfg, p, fn); err != nil {
		return nil, err
	}
	s, err := portaudio.OpenStream(p, fn)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s at %d Hz, %s: %v", streamName(cfg), cfg.Rate, channelsText(cfg), explain(err))
	}
	return &Stream{s: s, cfg: cfg}, nil
}

// explain adds a hint to PortAudio errors that users meet.
func explain(err error) string {
	msg := err.Error()
	if errors.Is(err, portaudio.DeviceUnavailable) {
		msg += " (the device is busy or gone: close the program using it, or pick another with --input/--output)"
	}
	return msg
}

func streamName(cfg StreamConfig) string {
	switch {
	case cfg.Input != nil && cfg.Output != nil && cfg.Input.Index == cfg.Output.Index:
		return fmt.Sprintf("device %q", cfg.Input.Name)
	case cfg.Input != nil && cfg.Output != nil:
		return fmt.Sprintf("devices %q → %q", cfg.Input.Name, cfg.Output.Name)
	case cfg.Input != nil:
		return fmt.Sprintf("input device %q", cfg.Input.Name)
	}
	return fmt.Sprintf("output device %q", cfg.Output.Name)
}

func channelsText(cfg StreamConfig) string {
	var parts []string
	if cfg.Input != nil {
		parts = append(parts, fmt.Sprintf("%d input channel(s)", cfg.InChannels))
	}
	if cfg.Output != nil {
		parts = append(parts, fmt.Sprintf("%d output channel(s)", cfg.OutChannels))
	}
	return strings.Join(parts, ", ")
}

// Start starts the stream: the callback begins to run.
func (s *Stream) Start() error {
	if err := s.s.Start(); err != nil {
		return fmt.Errorf("cannot start %s: %v", streamName(s.cfg), explain(err))
	}
	return nil
}

// Latencies returns PortAudio's estimate of the input and output latencies of
// the open stream.
func (s *Stream) Latencies() (in, out time.Duration) {
	if i := s.s.Info(); i != nil {
		return i.InputLatency, i.OutputLatency
	}
	return 0, 0
}

// Stop stops the stream and closes it, abandoning the device after timeout
// if it does not answer (a device that failed may block). It is safe to call
// more than once.
func (s *Stream) Stop(timeout time.Duration) error {
	if s.closed {
		return nil
	}
	s.closed = true
	done := make(chan error, 1)
	go func() {
		err := s.s.Abort()
		if cerr := s.s.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, portaudio.StreamIsStopped) {
			return fmt.Errorf("closing %s: %v", streamName(s.cfg), err)
		}
		return nil
	case <-time.After(timeout):
		abandoned.Store(true)
		return fmt.Errorf("%s did not stop within %v; abandoned", streamName(s.cfg), timeout)
	}
}
