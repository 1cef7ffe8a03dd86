package viz

import (
	"fmt"
	"math"
)

// Reduce says how the frames (and bins) that share one picture cell are
// combined.
type Reduce int

const (
	// Max keeps the largest value: short events (a word, a click) stay
	// visible however many frames share a column.
	Max Reduce = iota
	// Mean keeps the average (for gains).
	Mean
)

func (r Reduce) String() string {
	if r == Mean {
		return "mean"
	}
	return "max"
}

// Columns reduces a stream of frames, each a vector of bins, to at most
// maxCols columns of at most maxRows rows, in memory fixed by those two
// numbers whatever the length of the stream.
//
// Column c holds frames [c·P, (c+1)·P) for P frames per column, and row r
// bins [r·B, (r+1)·B) for B bins per row (B = ⌈bins/maxRows⌉); the cell
// is the max (or mean) over those frames and bins. P starts at
// ⌈expected/maxCols⌉ (1 if the length is not known); whenever a frame
// would need column maxCols+1, neighbouring columns are merged pairwise and
// P doubles. So the columns always cover the whole stream, between maxCols/2
// and maxCols of them once the stream is long enough.
type Columns struct {
	bins, binsPerRow, rows, maxCols int
	reduce                          Reduce
	perCol                          int64     // P
	data                            []float64 // maxCols·rows cells, column-major
	cols                            int       // columns started (the last may be partial)
	inLast                          int64     // frames in the last column
	frames                          int64
}

// NewColumns returns a reducer for frames of bins values. expected is the
// number of frames the stream will have, or ≤ 0 if unknown.
func NewColumns(bins, maxCols, maxRows int, reduce Reduce, expected int64) (*Columns, error) {
	if bins <= 0 || maxCols < 2 || maxRows <= 0 {
		return nil, fmt.Errorf("viz: NewColumns(%d bins, %d columns, %d rows): want bins ≥ 1, columns ≥ 2, rows ≥ 1", bins, maxCols, maxRows)
	}
	c := &Columns{bins: bins, maxCols: maxCols, reduce: reduce, perCol: 1}
	c.binsPerRow = (bins + maxRows - 1) / maxRows
	c.rows = (bins + c.binsPerRow - 1) / c.binsPerRow
	if expected > 0 {
		c.perCol = max(1, (expected+int64(maxCols)-1)/int64(maxCols))
	}
	c.data = make([]float64, maxCols*c.rows)
	return c, nil
}

// Add appends one frame of len(frame) == bins values. It allocates nothing.
func (c *Columns) Add(frame []float32) {
	if len(frame) != c.bins {
		panic(fmt.Sprintf("viz: Columns.Add got %d bins, want %d", len(frame), c.bins))
	}
	if c.cols == 0 || c.inLast == c.perCol {
		if c.cols == c.maxCols {
			c.halve()
		}
		if c.cols == 0 || c.inLast == c.perCol {
			c.cols++
			c.inLast = 0
		}
	}
	cell := c.data[(c.cols-1)*c.rows : c.cols*c.rows]
	first := c.inLast == 0
	for r := range cell {
		lo := r * c.binsPerRow
		v := float64(frame[lo])
		for _, b := range frame[lo+1 : min(lo+c.binsPerRow, c.bins)] {
			if c.reduce == Max {
				v = math.Max(v, float64(b))
			} else {
				v += float64(b)
			}
		}
		switch {
		case first:
			cell[r] = v
		case c.reduce == Max:
			cell[r] = math.Max(cell[r], v)
		default:
			cell[r] += v
		}
	}
	c.inLast++
	c.frames++
}

// halve merges columns pairwise and doubles the frames per column. All
// columns are full when it is called.
func (c *Columns) halve() {
	n := c.cols / 2
	for i := 0; i < n; i++ {
		a, b := c.data[2*i*c.rows:(2*i+1)*c.rows], c.data[(2*i+1)*c.rows:(2*i+2)*c.rows]
		dst := c.data[i*c.rows : (i+1)*c.rows]
		for r := range dst {
			if c.reduce == Max {
				dst[r] = math.Max(a[r], b[r])
			} else {
				dst[r] = a[r] + b[r]
			}
		}
	}
	c.perCol *= 2
	c.inLast = c.perCol
	if c.cols%2 == 1 {
		// The odd last column becomes a partial column of the new width.
		copy(c.data[n*c.rows:(n+1)*c.rows], c.data[(c.cols-1)*c.rows:c.cols*c.rows])
		c.inLast = c.perCol / 2
		n++
	}
	c.cols = n
}

// Held returns the number of columns held (at most maxCols).
func (c *Columns) Held() int { return c.cols }

// Frames returns the number of frames added.
func (c *Columns) Frames() int64 { return c.frames }

// PerColumn returns the frames per column (P).
func (c *Columns) PerColumn() int64 { return c.perCol }

// Panel returns the picture of the frames so far: Z[col][row], each cell
// the max or mean of its frames and bins, with frameSec seconds per frame
// and binHz per bin. Its Resolution says what a column is.
func (c *Columns) Panel(title, unit string, frameSec, binHz float64) Panel {
	p := Panel{Title: title, Unit: unit, FrameSec: frameSec * float64(c.perCol), BinHz: binHz * float64(c.binsPerRow)}
	for i := 0; i < c.cols; i++ {
		col := make([]float64, c.rows)
		copy(col, c.data[i*c.rows:(i+1)*c.rows])
		if c.reduce == Mean {
			n := float64(c.perCol)
			if i == c.cols-1 {
				n = float64(c.inLast)
			}
			for r := range col {
				w := min(c.binsPerRow, c.bins-r*c.binsPerRow)
				col[r] /= n * float64(w)
			}
		}
		p.Z = append(p.Z, col)
	}
	if c.perCol == 1 {
		p.Resolution = fmt.Sprintf("1 column = 1 frame of %s", fmtSec(frameSec))
	} else {
		p.Resolution = fmt.Sprintf("1 column = %s, %v over %d frames of %s", fmtSec(p.FrameSec), c.reduce, c.perCol, fmtSec(frameSec))
	}
	return p
}

// fmtSec formats a duration in seconds as "16 ms", "2.4 s" or "1.5 min".
func fmtSec(s float64) string {
	switch {
	case s < 1:
		return fmt.Sprintf("%.3g ms", s*1000)
	case s < 120:
		return fmt.Sprintf("%.3g s", s)
	}
	return fmt.Sprintf("%.3g min", s/60)
}
