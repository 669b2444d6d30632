package main

import (
	"errors"
	"fmt"
	"strings"

	"rsc.io/qr/coding"

	"licet.dev/licet/airgap/qr"
)

// qrInput tunes licet.qrSVG.
type qrInput struct {
	Level      string // "L", "M" (default), "Q" or "H"
	MaxVersion int    // largest version, 1 to 40 (default 40)
	Quiet      int    // quiet zone in modules (default 4)
}

// qrSVG is licet.qrSVG: a QR code of text as a standalone SVG document
// (no width or height; one user unit per module).
//
//	{ok: true, svg, version, size, mode: "alphanumeric"|"byte"}
//
// Text of the QR alphanumeric set (request URLs, animated-QR frames) is
// coded in alphanumeric mode with the mask of lowest penalty
// (airgap/qr); other text (a URL with lower-case letters) in byte mode
// with mask 0.
func qrSVG(text string, in qrInput) map[string]any {
	level := qr.M
	switch strings.ToUpper(in.Level) {
	case "", "M":
	case "L":
		level = qr.L
	case "Q":
		level = qr.Q
	case "H":
		level = qr.H
	default:
		return failure("argument", fmt.Errorf("qr: level %q, want L, M, Q or H", in.Level))
	}
	maxVersion := in.MaxVersion
	if maxVersion == 0 {
		maxVersion = qr.MaxVersion
	}
	if text == "" {
		return failure("empty", errors.New("qr: no text"))
	}
	if qr.CheckAlphanumeric(text) == nil {
		c, err := qr.Alphanumeric(text, level, maxVersion)
		if err != nil {
			return qrFailure(err)
		}
		return map[string]any{"ok": true, "result": "valid", "svg": c.SVG(in.Quiet), "version": c.Version, "size": c.Size, "mode": "alphanumeric"}
	}
	enc := coding.String(text)
	for v := 1; v <= maxVersion; v++ {
		if enc.Bits(coding.Version(v)) > coding.Version(v).DataBytes(coding.Level(level))*8 {
			continue
		}
		p, err := coding.NewPlan(coding.Version(v), coding.Level(level), 0)
		if err != nil {
			return failure("internal", err)
		}
		c, err := p.Encode(enc)
		if err != nil {
			return failure("internal", err)
		}
		return map[string]any{"ok": true, "result": "valid", "svg": svgOf(c.Size, c.Black, in.Quiet), "version": v, "size": c.Size, "mode": "byte"}
	}
	return qrFailure(fmt.Errorf("qr: text of %d bytes does not fit a version %d QR code at level %v: %w", len(text), maxVersion, level, qr.ErrTooLong))
}

func qrFailure(err error) map[string]any {
	if errors.Is(err, qr.ErrTooLong) {
		return failure("too-long", err)
	}
	return failure("argument", err)
}

// svgOf draws a symbol in the form of qr.Code.SVG.
func svgOf(size int, dark func(x, y int) bool, quiet int) string {
	in := func(x, y int) bool { return x < size && dark(x, y) }
	n := size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := range size {
		for x := 0; x < size; {
			if !in(x, y) {
				x++
				continue
			}
			run := 1
			for in(x+run, y) {
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
