package main

import (
	"errors"
	"fmt"
	"strings"

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
// coded in alphanumeric mode, other text (a URL with lower-case letters)
// in byte mode, both with the mask of lowest penalty (airgap/qr).
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
	mode, encode := "alphanumeric", qr.Alphanumeric
	if qr.CheckAlphanumeric(text) != nil {
		mode, encode = "byte", qr.Bytes
	}
	c, err := encode(text, level, maxVersion)
	if err != nil {
		return qrFailure(err)
	}
	return map[string]any{"ok": true, "result": "valid", "svg": c.SVG(in.Quiet), "version": c.Version, "size": c.Size, "mode": mode}
}

func qrFailure(err error) map[string]any {
	if errors.Is(err, qr.ErrTooLong) {
		return failure("too-long", err)
	}
	return failure("argument", err)
}
