package scan_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/qr"
	"licet.dev/licet/airgap/scan"
)

func frameCode(t *testing.T) (string, *qr.Code) {
	t.Helper()
	e, err := fountain.NewEncoder(bytes.Repeat([]byte("licet "), 900), fountain.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := e.Frame(5)
	c, err := qr.Alphanumeric(text, qr.M, 16)
	if err != nil {
		t.Fatal(err)
	}
	if c.Version > 16 {
		t.Fatalf("frame needs version %d", c.Version)
	}
	return text, c
}

// inverted returns img with light and dark swapped, on a grey frame, as a
// screenshot of a dark terminal would look.
func inverted(img *image.Paletted) image.Image {
	b := img.Bounds()
	out := image.NewGray(b.Inset(-20))
	for i := range out.Pix {
		out.Pix[i] = 0x20
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			v := uint8(0xe0)
			if img.ColorIndexAt(x, y) == 0 { // light module
				v = 0x10
			}
			out.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return out
}

func TestDecode(t *testing.T) {
	text, c := frameCode(t)
	img := c.Image(3, qr.QuietZone)
	var pngBuf, jpgBuf, invBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&jpgBuf, img, &jpeg.Options{Quality: 80}); err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(&invBuf, inverted(img)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		inverted bool
	}{
		{"png", pngBuf.Bytes(), false},
		{"jpeg", jpgBuf.Bytes(), false},
		{"inverted png", invBuf.Bytes(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := scan.Decode(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if res.Text != text || res.Inverted != tc.inverted {
				t.Fatalf("got %+v", res)
			}
			if _, err := fountain.ParseFrame(res.Text); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	blank := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	res, err := scan.Image(blank)
	if !errors.Is(err, scan.ErrNotFound) || res != (scan.Result{}) {
		t.Fatalf("blank image: %+v, %v", res, err)
	}
	if _, err := scan.Image(image.NewGray(image.Rect(0, 0, 0, 0))); !errors.Is(err, scan.ErrNotFound) {
		t.Fatalf("empty image: %v", err)
	}
	var buf bytes.Buffer
	png.Encode(&buf, blank)
	if _, err := scan.Decode(&buf); !errors.Is(err, scan.ErrNotFound) || !strings.Contains(err.Error(), "png image of 200x200") {
		t.Fatalf("blank png: %v", err)
	}
	if _, err := scan.Decode(strings.NewReader("not an image")); err == nil || !strings.Contains(err.Error(), "scan: reading image") {
		t.Fatalf("not an image: %v", err)
	}
}

func BenchmarkImage(b *testing.B) {
	e, _ := fountain.NewEncoder(bytes.Repeat([]byte("licet "), 900), fountain.Options{})
	c, _ := qr.Alphanumeric(e.Frame(1), qr.M, 16)
	img := c.Image(6, qr.QuietZone) // about 540 pixels a side
	for b.Loop() {
		if _, err := scan.Image(img); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	e, _ := fountain.NewEncoder([]byte("licet"), fountain.Options{})
	c, _ := qr.Alphanumeric(e.Frame(0), qr.M, 16)
	var buf bytes.Buffer
	png.Encode(&buf, c.Image(1, 2))
	f.Add(buf.Bytes())
	buf.Reset()
	jpeg.Encode(&buf, c.Image(2, 2), nil)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := scan.Decode(bytes.NewReader(b))
		if err != nil && res != (scan.Result{}) {
			t.Fatalf("result %+v with error %v", res, err)
		}
	})
}

func TestDecodeTooLarge(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// IHDR data starts at byte 16: width and height, then its CRC at 29.
	binary.BigEndian.PutUint32(b[16:], 10000)
	binary.BigEndian.PutUint32(b[20:], 10000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	_, err := scan.Decode(bytes.NewReader(b))
	if err == nil || !strings.Contains(err.Error(), "image of 10000x10000 pixels") {
		t.Fatalf("huge image: %v", err)
	}
}
