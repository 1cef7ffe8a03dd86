package viz

import (
	"fmt"
	"io"

	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
)

// saveImage writes img as PNG to path through a temp file renamed on success.
func saveImage(img *vgimg.Canvas, path string) error {
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
