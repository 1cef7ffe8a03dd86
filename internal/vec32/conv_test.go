package vec32

import (
	"fmt"
	"math"
	"math/rand"
	"testing"
)

// convShape is a Conv's shape and its number of output positions.
type convShape struct{ in, out, kernel, stride, n int }

// convShapes are the v2 head's convolutions over 161 bins (head1 8→12
// kernel 5, head2 12→12 kernel 3, head3 12→1 or 12→7 kernel 3) and odd
// sizes around the kernels' blocks: Out across 1 … 8, 9 … 16 and past 16
// (several column blocks), windows of one output around blocks of 8,
// positions around the groups of 4 and 8, strides above 1.
var convShapes = func() []convShape {
	s := []convShape{{8, 12, 5, 1, 161}, {12, 12, 3, 1, 161}, {12, 1, 3, 1, 161}, {12, 7, 3, 1, 161},
		// one output (the dot-product kernel): windows of 8, 9, 15, 16, 60
		{8, 1, 1, 1, 9}, {3, 1, 3, 1, 7}, {5, 1, 3, 1, 17}, {8, 1, 2, 1, 8}, {12, 1, 5, 2, 13}}
	for _, out := range []int{1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 15, 16, 17, 23, 24, 25, 33, 40} {
		for _, n := range []int{1, 3, 4, 5, 8, 9, 15, 17} {
			s = append(s, convShape{1 + out%4, out, 1 + n%3, 1 + (out+n)%2, n})
		}
	}
	return s
}()

// convRef64 is the float64 reference of Conv.Forward from the row-major
// weight w, [out, kernel·in]: the activation of the sum, and Σ|terms| (the
// scale of the rounding error), for each output.
func convRef64(sh convShape, w, b, x []float32, slope float32) (y, abs []float64) {
	kin := sh.kernel * sh.in
	y, abs = make([]float64, sh.n*sh.out), make([]float64, sh.n*sh.out)
	for p := 0; p < sh.n; p++ {
		for o := 0; o < sh.out; o++ {
			s, a := dot64(w[o*kin:(o+1)*kin], x[p*sh.stride*sh.in:])
			s += float64(b[o])
			a += math.Abs(float64(b[o]))
			if s < 0 {
				s *= float64(slope)
				a *= float64(slope)
			}
			y[p*sh.out+o], abs[p*sh.out+o] = s, a
		}
	}
	return y, abs
}

// TestConv checks Conv.Forward with every kernel this machine runs against
// the float64 reference on random data, for the head's shapes and odd
// sizes, with and without the leaky activation; that it reads nothing past
// x, writes y and nothing around it; and that the result does not depend
// on where x and y sit in memory.
func TestConv(t *testing.T) { forConvKernels(t, testConv) }

// forConvKernels is forKernels, with the AVX2 kernel run once with
// AVX-512F for 9 … 16 outputs (where the CPU has it) and once without.
func forConvKernels(t *testing.T, f func(t *testing.T)) {
	has512 := conv512
	defer func() { conv512 = has512 }()
	conv512 = false
	forKernels(t, f)
	if has512 && kern == kernAVX2 {
		conv512 = true
		t.Run("avx512", f)
	}
}

func testConv(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, sh := range convShapes {
		for _, slope := range []float32{1, 0.1, 0} {
			kin := sh.kernel * sh.in
			w, b := randSlice(rng, sh.out*kin), randSlice(rng, sh.out)
			c := NewConv(w, b, sh.in, sh.out, sh.kernel, sh.stride)
			// x is followed by NaNs, which reach y if a kernel reads past it
			xb := randSlice(rng, c.InputLen(sh.n)+8)
			x := xb[:c.InputLen(sh.n)]
			for i := len(x); i < len(xb); i++ {
				xb[i] = float32(math.NaN())
			}
			want, abs := convRef64(sh, w, b, x, slope)
			const guard = 9
			buf := make([]float32, sh.n*sh.out+2*guard)
			for i := range buf {
				buf[i] = 7
			}
			y := buf[guard : guard+sh.n*sh.out]
			c.Forward(y, x, slope)
			for i := range buf {
				if (i < guard || i >= guard+len(y)) && buf[i] != 7 {
					t.Fatalf("%+v: wrote outside y at %d", sh, i-guard)
				}
			}
			for i, v := range y {
				if d := math.Abs(float64(v) - want[i]); !(d <= 2e-6*abs[i]+1e-30) {
					t.Fatalf("%+v slope %v: y[%d] (position %d, output %d) = %v, want %v (Σ|terms| %.3g)",
						sh, slope, i, i/sh.out, i%sh.out, v, want[i], abs[i])
				}
			}
			for off := 1; off < 8; off += 3 {
				x2 := make([]float32, len(x)+off)[off:]
				y2 := make([]float32, len(y)+off)[off:]
				copy(x2, x)
				c.Forward(y2, x2, slope)
				for i := range y {
					if math.Float32bits(y2[i]) != math.Float32bits(y[i]) {
						t.Fatalf("%+v offset %d: y[%d] = %v, at offset 0 %v", sh, off, i, y2[i], y[i])
					}
				}
			}
		}
	}
}

// TestConvKernelsAgree compares the AVX2 kernels (with and without
// AVX-512F) with the plain Go loop (dotGo per output) on the head's shapes
// and odd sizes: they differ only by rounding.
func TestConvKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	best, has512 := kern, conv512
	defer func() { kern, conv512 = best, has512 }()
	t.Logf("preferred kernel: %s, AVX-512F %v", kernelNames[kern], conv512)
	for _, sh := range convShapes {
		kin := sh.kernel * sh.in
		w, b := randSlice(rng, sh.out*kin), randSlice(rng, sh.out)
		c := NewConv(w, b, sh.in, sh.out, sh.kernel, sh.stride)
		x := randSlice(rng, c.InputLen(sh.n))
		_, abs := convRef64(sh, w, b, x, 0.1)
		kern = kernGo
		ref := make([]float32, sh.n*sh.out)
		c.Forward(ref, x, 0.1)
		kern = best
		for _, conv512 = range []bool{false, has512} {
			y := make([]float32, len(ref))
			c.Forward(y, x, 0.1)
			for i := range y {
				if d := math.Abs(float64(y[i] - ref[i])); d > 2e-6*abs[i] {
					t.Fatalf("%+v, AVX-512F %v: y[%d] = %v, Go loop %v", sh, conv512, i, y[i], ref[i])
				}
			}
		}
	}
}

// TestConvChecks: Forward panics on a short input, a ragged output or a
// slope outside [0, 1], and NewConv copies its weights.
func TestConvChecks(t *testing.T) {
	w, b := []float32{1, 2, 3, 4, 5, 6}, []float32{0.5, -0.5}
	c := NewConv(w, b, 1, 2, 3, 1) // y[p] = (x[p]+2x[p+1]+3x[p+2]+.5, 4x[p]+5x[p+1]+6x[p+2]−.5)
	w[0], b[0] = 100, 100
	y := make([]float32, 4)
	c.Forward(y, []float32{1, 0, 0, 1}, 1)
	if want := []float32{1.5, 3.5, 3.5, 5.5}; fmt.Sprint(y) != fmt.Sprint(want) {
		t.Errorf("y = %v, want %v", y, want)
	}
	for name, f := range map[string]func(){
		"short input":   func() { c.Forward(y, make([]float32, 3), 1) },
		"ragged output": func() { c.Forward(make([]float32, 3), make([]float32, 9), 1) },
		"slope 2":       func() { c.Forward(y, make([]float32, 4), 2) },
		"slope NaN":     func() { c.Forward(y, make([]float32, 4), float32(math.NaN())) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestConvAllocs: Forward allocates nothing.
func TestConvAllocs(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	c := NewConv(randSlice(rng, 12*40), randSlice(rng, 12), 8, 12, 5, 1)
	x, y := randSlice(rng, c.InputLen(161)), make([]float32, 161*12)
	if n := testing.AllocsPerRun(20, func() { c.Forward(y, x, 0.1) }); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

// BenchmarkConv times the v2 head's convolutions over 161 bins with each
// kernel, and as 161 MulVecAdd calls (the engine's way before Conv, without
// its separate leaky ReLU pass).
func BenchmarkConv(b *testing.B) {
	rng := rand.New(rand.NewSource(14))
	best, has512 := kern, conv512
	defer func() { kern, conv512 = best, has512 }()
	for _, sh := range convShapes[:4] {
		kin := sh.kernel * sh.in
		w := randSlice(rng, sh.out*kin)
		c := NewConv(w, randSlice(rng, sh.out), sh.in, sh.out, sh.kernel, sh.stride)
		x, y := randSlice(rng, c.InputLen(sh.n)), make([]float32, sh.n*sh.out)
		name := fmt.Sprintf("%dx%dk%d", sh.in, sh.out, sh.kernel)
		for k := kernGo; k <= best; k += kernAVX2 - kernGo {
			b.Run(name+"/"+kernelNames[k], func(b *testing.B) {
				kern, conv512 = k, false
				for i := 0; i < b.N; i++ {
					c.Forward(y, x, 0.1)
				}
			})
		}
		if has512 && best == kernAVX2 && sh.out > 8 {
			b.Run(name+"/avx512", func(b *testing.B) {
				kern, conv512 = best, true
				for i := 0; i < b.N; i++ {
					c.Forward(y, x, 0.1)
				}
			})
		}
		{
			b.Run(name+"/gemv", func(b *testing.B) {
				kern = best
				for i := 0; i < b.N; i++ {
					for p := 0; p < sh.n; p++ {
						MulVecAdd(y[p*sh.out:(p+1)*sh.out], w, x[p*sh.in:p*sh.in+kin])
					}
				}
			})
		}
	}
}
