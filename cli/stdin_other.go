//go:build !unix

package cli

import (
	"context"
	"io"
)

// cancellableReader returns r as it is: only Unix pipes are made cancellable.
func cancellableReader(ctx context.Context, r io.Reader) (io.Reader, func()) {
	return r, func() {}
}
