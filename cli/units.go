package cli

// frameMs converts frames at rate to milliseconds.
func frameMs(frames, rate int) float64 { return 1000 * float64(frames) / float64(rate) }
