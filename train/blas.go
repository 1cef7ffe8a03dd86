package train

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Float is the element type of the trainer: float32 for training, float64 for
// the finite-difference gradient check.
type Float interface{ ~float32 | ~float64 }

// gemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where
// op(A) is [m, k] (A itself when !ta, Aᵀ otherwise) and op(B) is [k, n].
// float32 goes to sgemm (OpenBLAS with the openblas build tag, gonum's pure-Go
// kernel otherwise); float64 goes to gonum's dgemm.
func gemm[T Float](ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	switch a := any(a).(type) {
	case []float32:
		sgemm(ta, tb, m, n, k, float32(alpha), a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		gonum.Implementation{}.Dgemm(trans(ta), trans(tb), m, n, k, float64(alpha), a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
