package keyseal

import (
	"testing"

	"licet.dev/licet/codec/internal/vectors"
)

// The golden file pins the format: sealed with the cheap parameters,
// passphrase "licet golden passphrase", salt and nonce from zeroRand (bytes
// 0, 1, 2, ...). Regenerate with go test ./codec/keyseal -run TestGolden -update.
const goldenFile = "testdata/golden-v1.key"

func TestGolden(t *testing.T) {
	pass := []byte("licet golden passphrase")
	got, err := SealWithParams(zeroRand{}, pass, []byte("licet keyseal golden secret"), cheap)
	if err != nil {
		t.Fatal(err)
	}
	vectors.Check(t, goldenFile, got)
	pt, err := Open(pass, got)
	if err != nil || string(pt) != "licet keyseal golden secret" {
		t.Fatalf("golden file does not open: %v", err)
	}
}
