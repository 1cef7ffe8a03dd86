//go:build !openblas || !cgo

package train

import "gonum.org/v1/gonum/blas/gonum"

// BLASName names the float32 matrix-multiply backend compiled in.
const BLASName = "gonum (pure Go)"

// SetThreads sets the number of threads of the matrix-multiply backend; the
// pure-Go backend follows GOMAXPROCS instead.
func SetThreads(n int) {}

func sgemm(ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	gonum.Implementation{}.Sgemm(trans(ta), trans(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
