package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
)

// QuietZone is the light border, in modules, that ISO/IEC 18004 asks for
// around a symbol.
const QuietZone = 4

// TextOptions tune Text.
type TextOptions struct {
	// Quiet is the light border in modules on each side; 0 means none.
	Quiet int

	// DarkOnLight draws the dark modules as blocks, for terminals that
	// draw dark text on a light background and for files. By default the
	// light modules are drawn, which shows the code right in the common
	// terminal with light text on a dark background.
	DarkOnLight bool
}

// Text renders the code with the Unicode half blocks ▀ ▄ █ and spaces, two
// module rows per line, each line ending in a newline.
func (c *Code) Text(opts TextOptions) string {
	q := max(opts.Quiet, 0)
	n := c.Size + 2*q
	lit := func(x, y int) bool {
		if y >= n {
			return false // below the last row: terminal background
		}
		return c.Dark(x-q, y-q) == opts.DarkOnLight
	}
	var b strings.Builder
	b.Grow((n + 1) / 2 * (n*3 + 1))
	for y := 0; y < n; y += 2 {
		for x := range n {
			switch top, bottom := lit(x, y), lit(x, y+1); {
			case top && bottom:
				b.WriteString("█")
			case top:
				b.WriteString("▀")
			case bottom:
				b.WriteString("▄")
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Image returns the code as a two-colour image, scale pixels per module,
// with a quiet zone of quiet modules. A scale below 1 is taken as 1.
func (c *Code) Image(scale, quiet int) *image.Paletted {
	scale, quiet = max(scale, 1), max(quiet, 0)
	n := (c.Size + 2*quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, n, n), color.Palette{color.Gray{0xff}, color.Gray{0x00}})
	for y := range c.Size {
		for x := range c.Size {
			if !c.Dark(x, y) {
				continue
			}
			for dy := range scale {
				row := img.Pix[((quiet+y)*scale+dy)*img.Stride:]
				for dx := range scale {
					row[(quiet+x)*scale+dx] = 1
				}
			}
		}
	}
	return img
}

// PNG returns the code as a PNG image; see Image.
func (c *Code) PNG(scale, quiet int) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image(scale, quiet)); err != nil {
		return nil, fmt.Errorf("qr: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG returns the code as a standalone SVG document whose user unit is one
// module, with a quiet zone of quiet modules; it has no width or height, so
// it fills the box the page gives it. Dark modules are one path of
// horizontal runs.
func (c *Code) SVG(quiet int) string {
	quiet = max(quiet, 0)
	n := c.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range c.Size {
		for x := 0; x < c.Size; {
			if !c.Dark(x, y) {
				x++
				continue
			}
			run := 1
			for c.Dark(x+run, y) {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+quiet, y+quiet, run, run)
			x += run
		}
	}
	b.WriteString(`"/></svg>`)
	b.WriteByte('\n')
	return b.String()
}
