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
// release codes and scanned animated QR codes (testdata/confirm), with
// the settings of TestScripts.
func TestConfirmScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/confirm",
		Setup: func(env *testscript.Env) error {
			env.Setenv(testNowEnv, "2030-01-01T00:00:00Z")
			env.Setenv("LICET_PASSPHRASE", "correct horse")
			conf := filepath.Join(env.WorkDir, "licetd.conf")
			if err := os.WriteFile(conf, []byte("# empty\n"), 0o644); err != nil {
				return err
			}
			env.Setenv("LICETD_CONFIG", conf)
			env.Setenv("LICETD_STATE", filepath.Join(env.WorkDir, "state"))
			env.Setenv("LICETD_SOCKET", filepath.Join(env.WorkDir, "run", "licetd.sock"))
			env.Setenv("LICETD_LICENSE_FILE", filepath.Join(env.WorkDir, "run", "license"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"machine":   cmdMachine,
			"capture":   cmdCapture,
			"vendorkey": cmdVendorKey,
			"qrframes":  cmdQRFrames,
		},
	})
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
