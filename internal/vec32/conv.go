package vec32

// Conv is a bank of matrix–vector products over overlapping windows of a
// position-major input: a 1-D convolution whose input has been zero-padded
// by the caller. For the row-major Out×(Kernel·In) weight W and bias b it
// computes, for every output position p,
//
//	y[p·Out+o] = act(b[o] + Σ_{r<Kernel·In} W[o, r] · x[p·Stride·In + r])
//
// with act(v) = v for v ≥ 0 and slope·v otherwise (0 ≤ slope ≤ 1; slope 1
// is the identity): the window of position p is the Kernel·In contiguous
// values from position p·Stride of x, [positions, In] with channels
// contiguous.
//
// With AVX2 and FMA, NewConv's copy of W is transposed, [Kernel·In, L] with
// L = Out rounded up to a multiple of 8 (zero columns), b zero-padded to L,
// so that the kernel keeps one position's outputs in one or two 8-lane
// registers and adds each input value (broadcast) times a contiguous weight
// row, summing b[o], then r = 0, 1, … with fused multiply–adds: no
// horizontal sums. It runs four positions at a time (eight for Out ≤ 8) to
// hide the multiply–adds' latency, in column blocks of 16 outputs; where the
// CPU has AVX-512F (and VBMI: see hasAVX512), a block of 9 … 16 outputs is
// one 16-lane register instead, eight positions at a time (twice the AVX2
// kernel's speed on a Zen 5 core for the head's 12 channels), with the same
// sums. With one output (Out = 1) it instead takes each window's dot product
// with W's row, eight lanes wide, eight positions at a time, and sums the
// lanes of the eight at once, ((l₀+l₁) + (l₂+l₃)) + ((l₄+l₅) + (l₆+l₇)),
// then adds b. Without AVX2 and FMA each position is b + MulVecAdd(W,
// window) (the SSE kernel on amd64, the Go loop elsewhere). The kernels
// agree within float32 rounding; each sum's order depends only on the
// shapes, never on where the slices sit in memory.
type Conv struct {
	in, out, kernel, stride, lanes int
	w, b                           []float32 // AVX2 layout: [Kernel·In, lanes], [lanes]
	wr                             []float32 // W row-major, [Out, Kernel·In], zero-padded to a multiple of 8
}

// NewConv prepares the convolution with weight w, row-major
// [out, kernel·in], and bias b, [out]. It copies them: later changes to w
// and b do not reach the Conv. It panics if a size is not positive or w or
// b is short.
func NewConv(w, b []float32, in, out, kernel, stride int) Conv {
	if in <= 0 || out <= 0 || kernel <= 0 || stride <= 0 {
		panic("vec32: NewConv with a size ≤ 0")
	}
	kin := kernel * in
	w, b = w[:out*kin], b[:out]
	lanes := (out + 7) &^ 7
	c := Conv{in: in, out: out, kernel: kernel, stride: stride, lanes: lanes,
		w: make([]float32, kin*lanes), b: make([]float32, lanes), wr: make([]float32, (out*kin+7)&^7)}
	for o := 0; o < out; o++ {
		for r, v := range w[o*kin : (o+1)*kin] {
			c.w[r*lanes+o] = v
		}
	}
	copy(c.b, b)
	copy(c.wr, w)
	return c
}

// InputLen returns the length of x that Forward needs for n output
// positions: ((n−1)·Stride + Kernel)·In, or 0 for n = 0.
func (c *Conv) InputLen(n int) int {
	if n == 0 {
		return 0
	}
	return ((n-1)*c.stride + c.kernel) * c.in
}

// Forward sets y, [n, Out] for n = len(y)/Out output positions, to the
// convolution of x with the activation's slope (see Conv). It panics if
// len(y) is not a multiple of Out, x is shorter than InputLen(n), or slope
// is outside [0, 1]. It allocates nothing.
func (c *Conv) Forward(y, x []float32, slope float32) {
	n := len(y) / c.out
	if n*c.out != len(y) {
		panic("vec32: Conv.Forward output length not a multiple of Out")
	}
	if !(slope >= 0 && slope <= 1) {
		panic("vec32: Conv.Forward slope outside [0, 1]")
	}
	x = x[:c.InputLen(n)]
	if n == 0 {
		return
	}
	kin, xs := c.kernel*c.in, c.stride*c.in
	if kern >= kernAVX2 && c.out == 1 {
		convDotAVX2(y, c.wr, c.b[0], x, xs, kin, n, slope)
		return
	}
	if kern >= kernAVX2 {
		for o := 0; o < c.out; o += 16 {
			if nout := min(16, c.out-o); nout > 8 && conv512 {
				convAVX512(y[o:], c.out, nout, c.w[o:], c.lanes, c.b[o:], x, xs, kin, n, slope)
			} else {
				convAVX2(y[o:], c.out, nout, c.w[o:], c.lanes, c.b[o:], x, xs, kin, n, slope)
			}
		}
		return
	}
	for p := 0; p < n; p++ {
		yy := y[p*c.out : (p+1)*c.out]
		copy(yy, c.b)
		MulVecAdd(yy, c.wr, x[p*xs:p*xs+kin])
		for o, v := range yy {
			if v < 0 {
				yy[o] = slope * v
			}
		}
	}
}
