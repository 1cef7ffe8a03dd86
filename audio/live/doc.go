// Package live runs the enhancer on live audio: PortAudio devices (Devices,
// FindDevice, Session), the real-time Pipeline between a device callback and
// an enhancer stream, lock-free rings feeding recordings written by another
// goroutine, and the latency measurements (ImpulseDelay, MeasureCompute,
// MeasureRoundTrip).
//
// The audio thread (the PortAudio callback) runs Pipeline.Process only: it
// allocates nothing, takes no lock and never touches the disk. Everything it
// shares with other goroutines goes through atomics (counters, levels, the
// processing-time Histogram) or single-producer single-consumer Rings.
package live
