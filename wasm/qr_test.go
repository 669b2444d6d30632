package main

import (
	"strings"
	"testing"

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
	c, err := qr.Bytes(text, qr.Q, qr.MaxVersion)
	if err != nil {
		t.Fatal(err)
	}
	if got["svg"] != c.SVG(2) || got["version"] != c.Version {
		t.Fatal("svg differs from the symbol")
	}
	img := c.Image(6, 4)
	res, err := scan.Image(img)
	if err != nil || res.Text != text {
		t.Fatalf("scanned %q, %v", res.Text, err)
	}
	if got := qrSVG(strings.Repeat("a", 100), qrInput{MaxVersion: 3}); errKind(got) != "too-long" {
		t.Errorf("100 bytes in version 3: %v", got)
	}
}
