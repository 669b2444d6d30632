//go:build js && wasm

package main

import "licet.dev/licet/airgap/qr"

// registerQR adds QR rendering.
func registerQR(api map[string]any) {
	api["qrSVG"] = fn("qrSVG", func(a *args) any {
		text := a.str(0, "text")
		o := a.options(1, "options")
		in := qrInput{
			Level:      o.str("level"),
			MaxVersion: int(o.int("maxVersion", qr.MaxVersion, 1, qr.MaxVersion)),
			Quiet:      int(o.int("quiet", qr.QuietZone, 0, 64)),
		}
		if a.err != "" {
			return nil
		}
		return qrSVG(text, in)
	})
}
