package scan_test

import (
	"math/rand/v2"
	"testing"

	"licet.dev/licet/airgap/fountain"
	"licet.dev/licet/airgap/qr"
	"licet.dev/licet/airgap/scan"
)

// TestManyFrames reads back the frames of many animated-QR transfers drawn
// straight from their matrices, as licetd scan gets them from saved images.
// gozxing's finder-pattern search alone loses a few in a hundred of these
// large codes; every one must be read.
func TestManyFrames(t *testing.T) {
	rng := rand.New(rand.NewChaCha8([32]byte{'s', 'c', 'a', 'n'}))
	n := 160
	if testing.Short() {
		n = 40
	}
	for i := range n {
		payload := make([]byte, 3575)
		for j := range payload {
			payload[j] = byte(rng.Uint32())
		}
		enc, err := fountain.NewEncoder(payload, fountain.Options{})
		if err != nil {
			t.Fatal(err)
		}
		text := enc.Frame(uint32(i % 12))
		code, err := qr.Alphanumeric(text, qr.M, 40)
		if err != nil {
			t.Fatal(err)
		}
		scale := 3 + i%4
		res, err := scan.Image(code.Image(scale, qr.QuietZone))
		if err != nil {
			t.Fatalf("frame %d (version %d, mask %d, %d px a module): %v", i, code.Version, code.Mask, scale, err)
		}
		if res.Text != text {
			t.Fatalf("frame %d read as %.40q…, want %.40q…", i, res.Text, text)
		}
	}
}
