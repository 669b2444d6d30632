package licetdcli_test

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/qr"
)

// TestConfirmScripts runs the flows of activation by confirmation code,
// release codes and scanned animated QR codes (testdata/confirm).
func TestConfirmScripts(t *testing.T) {
	testscript.Run(t, scriptParams("testdata/confirm"))
}

// qrframes FILE DIR FIRST COUNT [SKIP [inverted]] writes the animated-QR
// frames seq FIRST to FIRST+COUNT-1 of FILE as PNG images DIR/NNN.png,
// leaving out every SKIP-th frame (0: none), drawn light on dark with
// "inverted", as a screenshot of a terminal shows them.
func cmdQRFrames(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 4 || len(args) > 6 {
		ts.Fatalf("usage: qrframes FILE DIR FIRST COUNT [SKIP [inverted]]")
	}
	payload, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	num := func(s string) int {
		n, err := strconv.Atoi(s)
		ts.Check(err)
		return n
	}
	first, count, skip := num(args[2]), num(args[3]), 0
	if len(args) > 4 {
		skip = num(args[4])
	}
	inverted := len(args) > 5 && args[5] == "inverted"
	enc, err := fountain.NewEncoder(payload, fountain.Options{})
	ts.Check(err)
	for i := range count {
		if skip > 0 && (i+1)%skip == 0 {
			continue
		}
		seq := uint32(first + i)
		code, err := qr.Alphanumeric(enc.Frame(seq), qr.M, 40)
		ts.Check(err)
		img := code.Image(3, 4)
		if inverted {
			pal := make(color.Palette, len(img.Palette))
			for j, c := range img.Palette {
				r, g, b, _ := c.RGBA()
				pal[j] = color.RGBA{uint8(255 - r>>8), uint8(255 - g>>8), uint8(255 - b>>8), 255}
			}
			img.Palette = pal
		}
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%03d.png", seq)))
		ts.Check(err)
		ts.Check(png.Encode(f, image.Image(img)))
		ts.Check(f.Close())
	}
}
