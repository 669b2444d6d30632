package licetcli

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"licet.dev/licet/codec/devcode"
)

// checkOneLineFailure fails unless a run ended non-zero with one line on
// standard error and no sign of a panic.
func checkOneLineFailure(t *testing.T, what string, code int, stderr string) {
	t.Helper()
	if code == 0 {
		t.Fatalf("%s: exit 0", what)
	}
	if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "licet inspect: ") ||
		strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine") {
		t.Fatalf("%s: exit %d, stderr %q", what, code, stderr)
	}
}

func TestInspectGarbage(t *testing.T) {
	vendor, _ := testKeys(t)
	trust := filepath.Join(vendor, "licet.pub")
	r := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{nil, {0}, {0x81}, {0x81, 0x40}, []byte("-----BEGIN LICET LICENSE-----\n"),
		[]byte("-----BEGIN LICET LICENSE-----\nAA==\n-----END LICET LICENSE-----\n")}
	for n := range 200 {
		b := make([]byte, r.IntN(4096))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if n%4 == 0 && len(b) > 0 {
			b[0] = 0x81 // an array of one: gets past the first check
		}
		inputs = append(inputs, b)
	}
	for i, in := range inputs {
		code, _, stderr := issueCLI(t, in, "inspect", "-", "--trust", trust)
		checkOneLineFailure(t, "input "+string(rune('0'+i%10)), code, stderr)
	}
	code, _, stderr := issueCLI(t, nil, "inspect", "/nonexistent/file", "--trust", trust)
	checkOneLineFailure(t, "missing file", code, stderr)
}

// TestInspectBitFlips flips every bit of a device license file in CBOR,
// and every third bit of the same as armoured text, and checks that no
// variant verifies and every one fails with a one-line error. With -short
// or the race detector it takes every seventh bit (every 21st armoured).
func TestInspectBitFlips(t *testing.T) {
	vendor, _ := testKeys(t)
	dir := t.TempDir()
	key, trust := filepath.Join(vendor, "licet.key"), filepath.Join(vendor, "licet.pub")
	c := devcode.New(7, [8]byte{8, 7, 6, 5, 4, 3, 2, 1}, 99).String()
	for _, form := range []string{"binary", "armoured"} {
		t.Run(form, func(t *testing.T) {
			out := filepath.Join(dir, form)
			args := []string{"issue", "device", "--key", key, "--device-code", c, "--product", "7", "--days", "30", "--out", out}
			if form == "binary" {
				args = append(args, "--binary")
			}
			if code, stdout, stderr := issueCLI(t, nil, args...); code != 0 {
				t.Fatalf("issue device: exit %d\n%s%s", code, stdout, stderr)
			}
			good, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if code, stdout, stderr := issueCLI(t, good, "inspect", "-", "--trust", trust); code != 0 {
				t.Fatalf("unchanged file: exit %d\n%s%s", code, stdout, stderr)
			}
			step := 1
			if form == "armoured" {
				step = 3
			}
			if raceEnabled || testing.Short() {
				step *= 7
			}
			flipped := make([]byte, len(good))
			for bit := 0; bit < 8*len(good); bit += step {
				copy(flipped, good)
				flipped[bit/8] ^= 1 << (bit % 8)
				code, _, stderr := issueCLI(t, flipped, "inspect", "-", "--trust", trust)
				if code == 0 {
					t.Fatalf("bit %d flipped: verifies", bit)
				}
				checkOneLineFailure(t, "bit flip", code, stderr)
			}
		})
	}
}
