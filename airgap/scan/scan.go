// Package scan reads the text of a QR code from an image file or image, with
// gozxing (a Go port of ZXing). An image that does not read as is is tried
// again inverted, for light-on-dark codes such as a screenshot of a
// terminal.
//
// gozxing suits image files and tests; in a browser, the platform's
// BarcodeDetector or zxing-wasm read camera frames better.
package scan

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // register GIF
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNotFound reports an image in which no QR code could be read, neither
// as is nor inverted.
var ErrNotFound = errors.New("scan: no readable QR code")

// Result is what a scan found.
type Result struct {
	Text     string // the text of the QR code
	Inverted bool   // the code was light on dark
}

// MaxPixels bounds the size of an image that Decode reads (an 8K photo has
// about 33 million).
const MaxPixels = 40_000_000

// Decode reads a PNG, JPEG or GIF image from r and scans it; see Image.
func Decode(r io.Reader) (Result, error) {
	var head bytes.Buffer
	cfg, _, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return Result{}, fmt.Errorf("scan: reading image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxPixels/max(cfg.Height, 1) {
		return Result{}, fmt.Errorf("scan: image of %dx%d pixels: empty or over %d pixels", cfg.Width, cfg.Height, MaxPixels)
	}
	img, format, err := image.Decode(io.MultiReader(&head, r))
	if err != nil {
		return Result{}, fmt.Errorf("scan: reading image: %w", err)
	}
	res, err := Image(img)
	if err != nil {
		return Result{}, fmt.Errorf("%w (in a %s image of %dx%d)", err, format, img.Bounds().Dx(), img.Bounds().Dy())
	}
	return res, nil
}

// Image returns the text of the QR code in img, trying the inverted image
// when the image as is gives nothing. An error wraps ErrNotFound.
func Image(img image.Image) (Result, error) {
	if img.Bounds().Empty() {
		return Result{}, fmt.Errorf("%w: empty image", ErrNotFound)
	}
	src := gozxing.NewLuminanceSourceFromImage(img)
	text, err := read(src)
	if err == nil {
		return Result{Text: text}, nil
	}
	text, ierr := read(gozxing.NewInvertedLuminanceSource(src))
	if ierr == nil {
		return Result{Text: text, Inverted: true}, nil
	}
	return Result{}, fmt.Errorf("%w: %v", ErrNotFound, err)
}

// read decodes one QR code from src. gozxing's finder-pattern search now
// and then takes a run of data modules for a finder pattern and gives up
// on a perfectly sharp code (a few in a hundred large codes drawn straight
// from a matrix), so an image it cannot locate a code in is read once
// more as a pure barcode: one upright code on a quiet background, as a
// saved image or a screenshot of a code is.
func read(src gozxing.LuminanceSource) (string, error) {
	text, err := decode(src, false)
	if err == nil {
		return text, nil
	}
	if text, perr := decode(src, true); perr == nil {
		return text, nil
	}
	return "", err
}

func decode(src gozxing.LuminanceSource, pure bool) (string, error) {
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return "", err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	if pure {
		hints[gozxing.DecodeHintType_PURE_BARCODE] = true
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}
