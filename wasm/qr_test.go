package main

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"rsc.io/qr/coding"

	"licet.dev/licet/airgap/qr"
	"licet.dev/licet/airgap/scan"
)

func TestQRSVGAlphanumeric(t *testing.T) {
	text := "HTTPS://PORTAL.EXAMPLE/R/0C51260Z4RPK8ET29585EQK5DHSQN0C8HYB"
	got := qrSVG(text, qrInput{Quiet: 4})
	c, err := qr.Alphanumeric(text, qr.M, qr.MaxVersion)
	if err != nil {
		t.Fatal(err)
	}
	if got["ok"] != true || got["svg"] != c.SVG(4) || got["mode"] != "alphanumeric" || got["version"] != c.Version {
		t.Fatalf("%v", got)
	}
	if got := qrSVG(strings.Repeat("A", 400), qrInput{MaxVersion: 11}); errKind(got) != "too-long" {
		t.Errorf("400 characters in version 11: %v", got)
	}
	if got := qrSVG("A", qrInput{Level: "X"}); errKind(got) != "argument" {
		t.Errorf("level X: %v", got)
	}
	if got := qrSVG("", qrInput{}); errKind(got) != "empty" {
		t.Errorf("empty: %v", got)
	}
}

// TestQRSVGByteMode draws a URL with lower-case letters in byte mode and
// reads it back with gozxing (test only; the module never links it).
func TestQRSVGByteMode(t *testing.T) {
	text := "https://portal.example/P/aZ09-_xyzAbCdEfGh"
	got := qrSVG(text, qrInput{Level: "Q", Quiet: 2})
	if got["ok"] != true || got["mode"] != "byte" || !strings.HasPrefix(got["svg"].(string), "<svg") {
		t.Fatalf("%v", got)
	}
	v := got["version"].(int)
	p, err := coding.NewPlan(coding.Version(v), coding.Q, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := p.Encode(coding.String(text))
	if err != nil {
		t.Fatal(err)
	}
	if svg := svgOf(c.Size, c.Black, 2); svg != got["svg"] {
		t.Fatal("svg differs from the symbol")
	}
	const scale, quiet = 6, 4
	n := (c.Size + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := range n {
		for x := range n {
			mx, my := x/scale-quiet, y/scale-quiet
			if mx >= 0 && my >= 0 && mx < c.Size && my < c.Size && c.Black(mx, my) {
				img.SetGray(x, y, color.Gray{0})
			} else {
				img.SetGray(x, y, color.Gray{255})
			}
		}
	}
	res, err := scan.Image(img)
	if err != nil || res.Text != text {
		t.Fatalf("scanned %q, %v", res.Text, err)
	}
	if got := qrSVG(strings.Repeat("a", 100), qrInput{MaxVersion: 3}); errKind(got) != "too-long" {
		t.Errorf("100 bytes in version 3: %v", got)
	}
}
