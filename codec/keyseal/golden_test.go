package keyseal

import (
	"bytes"
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata from the generator")

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
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sealing differs from %s:\n%s", goldenFile, got)
	}
	pt, err := Open(pass, want)
	if err != nil || string(pt) != "licet keyseal golden secret" {
		t.Fatalf("golden file does not open: %v", err)
	}
}
