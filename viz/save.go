package viz

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg/vgimg"

	"github.com/ghostrnn/ghostrnn/internal/atomicfile"
)

// CheckImagePath refuses a picture path whose extension is not .png, .jpg
// or .jpeg, so callers can say so before any work.
func CheckImagePath(path string) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png", ".jpg", ".jpeg":
		return nil
	}
	return fmt.Errorf("%s: cannot tell the picture format from the name: want .png, .jpg or .jpeg", path)
}

// saveImage writes img to path through a temp file renamed on success: as
// JPEG (image/jpeg, its default quality 75) for .jpg and .jpeg, else as PNG.
func saveImage(img *vgimg.Canvas, path string) error {
	var enc io.WriterTo = vgimg.PngCanvas{Canvas: img}
	if ext := strings.ToLower(filepath.Ext(path)); ext == ".jpg" || ext == ".jpeg" {
		enc = vgimg.JpegCanvas{Canvas: img}
	}
	err := atomicfile.Write(path, func(w io.Writer) error {
		_, err := enc.WriteTo(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
