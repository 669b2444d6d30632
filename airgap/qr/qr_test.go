package qr_test

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"

	"licet.dev/licet/airgap/qr"
	"licet.dev/licet/airgap/scan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const sample = "HTTPS://PORTAL.EXAMPLE/R/0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs from the golden file (run go test -update if the change is intended):\n%s", name, got)
	}
}

func TestCapacityISO(t *testing.T) {
	// Alphanumeric capacities from ISO/IEC 18004:2015 table 7.
	for _, tc := range []struct {
		version    int
		l, m, q, h int
	}{
		{1, 25, 20, 16, 10},
		{9, 335, 262, 189, 143},
		{10, 395, 311, 221, 174},
		{11, 468, 366, 259, 200},
		{16, 854, 656, 470, 365},
		{40, 4296, 3391, 2420, 1852},
	} {
		for lv, want := range []int{tc.l, tc.m, tc.q, tc.h} {
			if got := qr.Capacity(tc.version, qr.Level(lv)); got != want {
				t.Errorf("Capacity(%d, %v) = %d, want %d", tc.version, qr.Level(lv), got, want)
			}
		}
	}
	if qr.Capacity(0, qr.M) != 0 || qr.Capacity(41, qr.M) != 0 || qr.Capacity(1, 4) != 0 {
		t.Error("Capacity out of range should be 0")
	}
}

func TestVersionChoice(t *testing.T) {
	for _, tc := range []struct {
		n, version int
	}{{1, 1}, {20, 1}, {21, 2}, {366, 11}, {367, 12}, {656, 16}} {
		c, err := qr.Alphanumeric(strings.Repeat("A", tc.n), qr.M, 16)
		if err != nil {
			t.Fatal(err)
		}
		if c.Version != tc.version || c.Size != 4*tc.version+17 || c.Level != qr.M {
			t.Errorf("%d characters: version %d size %d, want version %d", tc.n, c.Version, c.Size, tc.version)
		}
	}
	_, err := qr.Alphanumeric(strings.Repeat("A", 367), qr.M, 11)
	var tl *qr.TooLongError
	if !errors.As(err, &tl) || !errors.Is(err, qr.ErrTooLong) || tl.Chars != 367 || tl.Max != 366 {
		t.Fatalf("367 characters at version 11-M: %v", err)
	}
	for _, bad := range []string{"lower", "A_B", "Ä"} {
		if _, err := qr.Alphanumeric(bad, qr.M, 40); err == nil || !strings.Contains(err.Error(), "alphanumeric set") {
			t.Errorf("Alphanumeric(%q): %v", bad, err)
		}
	}
	if _, err := qr.Alphanumeric("A", qr.M, 41); err == nil {
		t.Error("version 41 accepted")
	}
	if _, err := qr.Alphanumeric("A", 7, 4); err == nil {
		t.Error("level 7 accepted")
	}
}

func TestMaskIsLowestPenalty(t *testing.T) {
	c, err := qr.Alphanumeric(sample, qr.M, 40)
	if err != nil {
		t.Fatal(err)
	}
	for m := range 8 {
		o, err := qr.AlphanumericMask(sample, c.Version, qr.M, m)
		if err != nil {
			t.Fatal(err)
		}
		if o.Penalty() < c.Penalty() {
			t.Fatalf("mask %d scores %d, below the chosen mask %d (%d)", m, o.Penalty(), c.Mask, c.Penalty())
		}
	}
}

// parseText turns a half-block rendering back into lit cells.
func parseText(t *testing.T, s string) [][]bool {
	t.Helper()
	var rows [][]bool
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		var top, bottom []bool
		for _, r := range line {
			switch r {
			case '█':
				top, bottom = append(top, true), append(bottom, true)
			case '▀':
				top, bottom = append(top, true), append(bottom, false)
			case '▄':
				top, bottom = append(top, false), append(bottom, true)
			case ' ':
				top, bottom = append(top, false), append(bottom, false)
			default:
				t.Fatalf("unexpected rune %q", r)
			}
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

func TestText(t *testing.T) {
	c, err := qr.Alphanumeric(sample, qr.M, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, dol := range []bool{false, true} {
		s := c.Text(qr.TextOptions{Quiet: qr.QuietZone, DarkOnLight: dol})
		rows := parseText(t, s)
		n := c.Size + 2*qr.QuietZone
		if len(rows) != n+1 || len(rows[0]) != n {
			t.Fatalf("%d rows of %d cells, want %d of %d", len(rows), len(rows[0]), n+1, n)
		}
		for y := range n {
			for x := range n {
				if rows[y][x] != (c.Dark(x-qr.QuietZone, y-qr.QuietZone) == dol) {
					t.Fatalf("DarkOnLight=%v: cell %d,%d wrong", dol, x, y)
				}
			}
		}
		name := "sample-light-on-dark.txt"
		if dol {
			name = "sample-dark-on-light.txt"
		}
		golden(t, name, s)
	}
}

func TestSVG(t *testing.T) {
	c, err := qr.Alphanumeric(sample, qr.M, 11)
	if err != nil {
		t.Fatal(err)
	}
	s := c.SVG(qr.QuietZone)
	golden(t, "sample.svg", s)
	// Count dark modules drawn by the path against the code.
	want := 0
	for y := range c.Size {
		for x := range c.Size {
			if c.Dark(x, y) {
				want++
			}
		}
	}
	got := 0
	for _, seg := range strings.Split(s, "M")[1:] {
		var x, y, w int
		if _, err := fmtSscanf(seg, &x, &y, &w); err != nil {
			t.Fatal(err)
		}
		got += w
	}
	if got != want {
		t.Fatalf("SVG draws %d modules, the code has %d dark", got, want)
	}
}

func TestPNGRoundTrip(t *testing.T) {
	c, err := qr.Alphanumeric(sample, qr.M, 11)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.PNG(3, qr.QuietZone)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if n := (c.Size + 2*qr.QuietZone) * 3; img.Bounds().Dx() != n {
		t.Fatalf("PNG is %d pixels wide, want %d", img.Bounds().Dx(), n)
	}
	for y := -qr.QuietZone; y < c.Size+qr.QuietZone; y++ {
		for x := -qr.QuietZone; x < c.Size+qr.QuietZone; x++ {
			r, _, _, _ := img.At((x+qr.QuietZone)*3+1, (y+qr.QuietZone)*3+1).RGBA()
			if (r == 0) != c.Dark(x, y) {
				t.Fatalf("pixel of module %d,%d wrong", x, y)
			}
		}
	}
	res, err := scan.Decode(bytes.NewReader(b))
	if err != nil || res.Text != sample || res.Inverted {
		t.Fatalf("scan = %+v, %v", res, err)
	}
}

// TestEveryVersionAndMask decodes the module matrix of every version up to
// 16 at every level and mask with gozxing's decoder (no image detection,
// which a forced bad mask can fool), so that an encoding slip anywhere
// shows: the text, the level and the alphanumeric mode must come back.
func TestEveryVersionAndMask(t *testing.T) {
	for v := 1; v <= 16; v++ {
		for lv := qr.L; lv <= qr.H; lv++ {
			n := qr.Capacity(v, lv)
			text := strings.Repeat(qr.AlphanumericSet, n/len(qr.AlphanumericSet)+1)[:n]
			for m := range 8 {
				c, err := qr.AlphanumericMask(text, v, lv, m)
				if err != nil {
					t.Fatal(err)
				}
				mods := make([][]bool, c.Size)
				for y := range mods {
					mods[y] = make([]bool, c.Size)
					for x := range mods[y] {
						mods[y][x] = c.Dark(x, y)
					}
				}
				res, err := decoder.NewDecoder().DecodeBoolMapWithoutHint(mods)
				if err != nil || res.GetText() != text || res.GetECLevel() != lv.String() || res.GetRawBytes()[0]>>4 != 2 {
					t.Fatalf("version %d level %v mask %d: %v", v, lv, m, err)
				}
			}
		}
	}
}

// TestScanChosenMask scans, as images, the symbols Alphanumeric makes for
// every version up to 16 at level M, at several scales and inverted.
func TestScanChosenMask(t *testing.T) {
	for v := 1; v <= 16; v++ {
		n := qr.Capacity(v, qr.M)
		text := strings.Repeat("LQ1:"+qr.AlphanumericSet, n)[:n]
		c, err := qr.Alphanumeric(text, qr.M, 16)
		if err != nil || c.Version != v {
			t.Fatalf("version %d: %v", v, err)
		}
		for _, scale := range []int{2, 3, 5} {
			img := c.Image(scale, qr.QuietZone)
			res, err := scan.Image(img)
			if err != nil || res.Text != text || res.Inverted {
				t.Fatalf("version %d (mask %d) at scale %d: %+v, %v", v, c.Mask, scale, res, err)
			}
			for i := range img.Pix {
				img.Pix[i] ^= 1
			}
			res, err = scan.Image(img)
			if err != nil || res.Text != text || !res.Inverted {
				t.Fatalf("version %d (mask %d) at scale %d inverted: %+v, %v", v, c.Mask, scale, res, err)
			}
		}
	}
}

// TestBytes: text outside the alphanumeric set is coded in byte mode in the
// smallest version that holds it, with the mask of lowest penalty, and
// scans back; too much text matches ErrTooLong.
func TestBytes(t *testing.T) {
	text := "https://portal.example/P/aZ09-_xyzAbCdEfGh"
	c, err := qr.Bytes(text, qr.Q, qr.MaxVersion)
	if err != nil {
		t.Fatal(err)
	}
	// 42 bytes: 4 + 8 + 336 bits; version 3-Q holds 34 data bytes, 4-Q 48.
	if c.Version != 4 || c.Level != qr.Q {
		t.Errorf("version %d level %v, want 4 Q", c.Version, c.Level)
	}
	res, err := scan.Image(c.Image(3, qr.QuietZone))
	if err != nil || res.Text != text {
		t.Fatalf("scanned %+v, %v", res, err)
	}
	if _, err := qr.Bytes(text, qr.Q, 3); !errors.Is(err, qr.ErrTooLong) {
		t.Errorf("version 3: %v, want ErrTooLong", err)
	}
	if _, err := qr.Bytes(text, qr.Q, 41); err == nil || errors.Is(err, qr.ErrTooLong) {
		t.Errorf("version 41: %v, want a range error", err)
	}
}

// BenchmarkFrameQR makes the version 16 symbol of one animated-QR frame,
// all eight masks tried, and its SVG: the work of showing one frame.
func BenchmarkFrameQR(b *testing.B) {
	text := "LQ1:" + strings.Repeat("0A:", 211)
	for b.Loop() {
		c, err := qr.Alphanumeric(text, qr.M, 16)
		if err != nil || c.Version != 16 {
			b.Fatal(err)
		}
		_ = c.SVG(qr.QuietZone)
	}
}
