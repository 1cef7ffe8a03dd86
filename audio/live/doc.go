// Package live runs a signal processor on live audio: PortAudio devices
// (Devices, FindDevice, Session), the real-time Pipeline between a device
// callback and a Processor, lock-free rings feeding recordings written by
// another goroutine, and the latency measurements (ImpulseDelay,
// MeasureCompute, MeasureRoundTrip).
//
// It knows the processor only by its Processor (and StatsProcessor)
// interface and never imports the enhancer: the program wires one in (the
// ghostrnn CLI wraps an enhancer stream, with its bypass control, in
// cli/liveproc).
//
// The audio thread (the PortAudio callback) runs Pipeline.Process only: it
// allocates nothing, takes no lock and never touches the disk. Everything it
// shares with other goroutines goes through atomics (counters, levels, the
// processing-time Histogram) or single-producer single-consumer Rings.
package live
