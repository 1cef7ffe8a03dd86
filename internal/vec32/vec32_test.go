package vec32

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

func randSlice(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// dot64 is the float64 reference Σ a[i]·b[i] and Σ |a[i]·b[i]| (the scale
// of the rounding error).
func dot64(a, b []float32) (sum, abs float64) {
	for i := range a {
		p := float64(a[i]) * float64(b[i])
		sum += p
		abs += math.Abs(p)
	}
	return sum, abs
}

var kernelNames = [...]string{kernGo: "go", kernSSE: "sse", kernAVX2: "avx2", kernAVX512: "avx512"}

// forKernels runs f once for every kernel this machine can run, as subtests,
// with kern set to it.
func forKernels(t *testing.T, f func(t *testing.T)) {
	best := kern
	defer func() { kern = best }()
	for k := kernGo; k <= best; k++ {
		kern = k
		t.Run(kernelNames[k], f)
	}
}

// TestDot checks Dot against float64 sums for every length that exercises
// the kernels' blocks and scalar tails, and that the result does not depend
// on where the data sits in memory.
func TestDot(t *testing.T) { forKernels(t, testDot) }

func testDot(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for n := 0; n <= 100; n++ {
		a, b := randSlice(rng, n), randSlice(rng, n+3)
		want, abs := dot64(a, b)
		got := Dot(a, b)
		if d := math.Abs(float64(got) - want); d > 1e-6*abs+1e-30 {
			t.Fatalf("n=%d: Dot = %v, want %v (|error| %.3g, Σ|ab| %.3g)", n, got, want, d, abs)
		}
		for off := 1; off < 8; off++ {
			a2, b2 := make([]float32, n+off)[off:], make([]float32, n+8)[off+1:]
			copy(a2, a)
			copy(b2, b)
			if g := Dot(a2, b2); math.Float32bits(g) != math.Float32bits(got) {
				t.Fatalf("n=%d offset %d: %v, at offset 0 %v", n, off, g, got)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Dot with b shorter than a did not panic")
		}
	}()
	Dot(make([]float32, 3), make([]float32, 2))
}

// TestMulVecAdd checks y + A x against float64 sums, and each row against
// y + Dot(row, x), for shapes around the kernels' block sizes and the model's.
func TestMulVecAdd(t *testing.T) { forKernels(t, testMulVecAdd) }

func testMulVecAdd(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for _, sh := range [][2]int{{1, 1}, {3, 7}, {5, 8}, {4, 33}, {6, 48}, {9, 16}, {8, 100}, {192, 128}, {64, 64}, {161, 128}, {2, 0}, {0, 5}} {
		rows, cols := sh[0], sh[1]
		a, x, y := randSlice(rng, rows*cols+5), randSlice(rng, cols), randSlice(rng, rows)
		y0 := append([]float32(nil), y...)
		MulVecAdd(y, a, x)
		for i := range y {
			s, abs := dot64(a[i*cols:(i+1)*cols], x)
			want := float64(y0[i]) + s
			if d := math.Abs(float64(y[i]) - want); d > 1e-6*(abs+math.Abs(float64(y0[i]))) {
				t.Fatalf("%dx%d row %d: %v, want %v", rows, cols, i, y[i], want)
			}
			if g := y0[i] + Dot(a[i*cols:(i+1)*cols], x); g != y[i] {
				t.Fatalf("%dx%d row %d: %v, but y + Dot(row, x) = %v", rows, cols, i, y[i], g)
			}
		}
	}
}

// TestKernelsAgree checks every kernel against the preferred one on a
// model-sized product.
func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	a, x := randSlice(rng, 161*128), randSlice(rng, 128)
	want := make([]float32, 161)
	MulVecAdd(want, a, x)
	t.Logf("preferred kernel: %s", kernelNames[kern])
	forKernels(t, func(t *testing.T) {
		y := make([]float32, 161)
		MulVecAdd(y, a, x)
		for i := range y {
			if math.Abs(float64(y[i]-want[i])) > 1e-5 {
				t.Fatalf("row %d: %v, preferred kernel %v", i, y[i], want[i])
			}
		}
	})
}

// BenchmarkDot compares each kernel with gonum's blas32.Dot (which the
// resampler used before) on the resampler's filter lengths.
func BenchmarkDot(b *testing.B) {
	rng := rand.New(rand.NewSource(3))
	best := kern
	defer func() { kern = best }()
	for _, n := range []int{136, 392} { // the resampler's taps, 16→48 and 48→16 kHz
		x, y := randSlice(rng, n), randSlice(rng, n)
		for k := kernGo; k <= best; k++ {
			b.Run(fmt.Sprint(kernelNames[k], "/", n), func(b *testing.B) {
				kern = k
				var s float32
				for i := 0; i < b.N; i++ {
					s += Dot(x, y)
				}
			})
		}
		b.Run(fmt.Sprint("blas32/", n), func(b *testing.B) {
			var s float32
			for i := 0; i < b.N; i++ {
				s += blas32.Dot(blas32.Vector{N: n, Inc: 1, Data: x}, blas32.Vector{N: n, Inc: 1, Data: y})
			}
		})
	}
}

// BenchmarkMulVecAdd is one 192×128 product, a GRU gate matrix of the
// default model, with each kernel and with gonum's blas32.Gemv (which the
// network used before).
func BenchmarkMulVecAdd(b *testing.B) {
	rng := rand.New(rand.NewSource(4))
	const rows, cols = 192, 128
	a, x, y := randSlice(rng, rows*cols), randSlice(rng, cols), make([]float32, rows)
	best := kern
	defer func() { kern = best }()
	for k := kernGo; k <= best; k++ {
		b.Run(kernelNames[k], func(b *testing.B) {
			kern = k
			for i := 0; i < b.N; i++ {
				MulVecAdd(y, a, x)
			}
		})
	}
	b.Run("blas32", func(b *testing.B) {
		g := blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: a}
		for i := 0; i < b.N; i++ {
			blas32.Gemv(blas.NoTrans, 1, g, blas32.Vector{N: cols, Inc: 1, Data: x}, 1, blas32.Vector{N: rows, Inc: 1, Data: y})
		}
	})
}
