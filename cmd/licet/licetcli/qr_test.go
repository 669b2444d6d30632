package licetcli

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"licet.dev/licet/airgap/fountain"
)

// qrCLI runs licet with args and stdin in-process.
func qrCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	return runCLI("", strings.NewReader(stdin), bytes.NewReader(nil), args...)
}

func qrPayload(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func qrTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestQRFrames(t *testing.T) {
	payload := qrPayload(5120)
	file := qrTemp(t, "license.cose", payload)
	enc, err := fountain.NewEncoder(payload, fountain.Options{})
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := qrCLI(t, "", "qr", "frames", file)
	if want := strings.Join(enc.Frames(enc.LoopLen()), "\n") + "\n"; code != 0 || out != want || errOut != "" {
		t.Fatalf("exit %d, stderr %q, %d lines", code, errOut, strings.Count(out, "\n"))
	}
	if strings.Count(out, "\n") != 18 {
		t.Fatalf("a 5 KB file makes %d frames, want 18", strings.Count(out, "\n"))
	}

	// Flags after the file, standard input, other block size, more frames, an id.
	code, out, _ = qrCLI(t, string(payload), "qr", "frames", "-", "--block", "100", "--count", "70", "--id", "00c0ffee")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 70 {
		t.Fatalf("exit %d, %d lines", code, len(lines))
	}
	f, err := fountain.ParseFrame(lines[69])
	if err != nil || f.TransferID != 0xc0ffee || f.Blocks != 52 || f.Seq != 69 {
		t.Fatalf("last frame %+v, %v", f.Transfer(), err)
	}

	for _, tc := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"qr", "frames"}, 2, "want one FILE"},
		{[]string{"qr", "frames", file, "--block", "0"}, 2, "--block 0 is outside 1 to 2048"},
		{[]string{"qr", "frames", file, "--count", "-1"}, 2, "negative"},
		{[]string{"qr", "frames", file, "--id", "xyz"}, 2, "--id"},
		{[]string{"qr", "frames", filepath.Join(t.TempDir(), "nope")}, 1, "no such file"},
		{[]string{"qr", "frames", qrTemp(t, "empty", nil)}, 1, "fountain: empty payload\nhint: "},
		{[]string{"qr", "frames", file, "--block", "1"}, 1, "at most 4096"},
	} {
		code, _, errOut := qrCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, errOut, tc.code, tc.err)
		}
	}
}

func TestQRJoin(t *testing.T) {
	payload := qrPayload(5120)
	enc, _ := fountain.NewEncoder(payload, fountain.Options{})
	other, _ := fountain.NewEncoder(qrPayload(3000), fountain.Options{})

	// A stray frame of another transfer first, then 60 frames with 10%
	// lost, shuffled, with blank lines, a damaged line and CRLF endings.
	r := rand.New(rand.NewPCG(3, 4))
	var in []string
	for _, f := range enc.Frames(60) {
		if r.Float64() >= 0.1 {
			in = append(in, f)
		}
	}
	r.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
	stdin := other.Frame(0) + "\n\n" + "LQ1:NOT A FRAME\r\n" + strings.Join(in, "\r\n") + "\n"

	code, out, errOut := qrCLI(t, stdin, "qr", "join")
	if code != 0 || out != string(payload) {
		t.Fatalf("exit %d, %d bytes out, stderr:\n%s", code, len(out), errOut)
	}
	wantErr := "licet qr join: line 3 skipped: fountain: malformed frame: base45: invalid input: group \" A \" at offset 3 has value 73386, above 65535\n" +
		"licet qr join: skipped 1 frame of another transfer, " + other.Transfer().String() + "\n"
	if errOut != wantErr {
		t.Fatalf("stderr:\n%s\nwant:\n%s", errOut, wantErr)
	}

	// --out writes the file and says so.
	dst := filepath.Join(t.TempDir(), "out.cose")
	code, out, errOut = qrCLI(t, stdin, "qr", "join", "--out", dst)
	got, err := os.ReadFile(dst)
	if code != 0 || out != "" || err != nil || !bytes.Equal(got, payload) || !strings.Contains(errOut, "wrote "+dst+": 5120 bytes from ") {
		t.Fatalf("--out: exit %d, stdout %q, stderr %q, %v", code, out, errOut, err)
	}

	// The join stops reading when complete: a frame after it is not read.
	code, out, errOut = qrCLI(t, strings.Join(enc.Frames(enc.LoopLen()), "\n")+"\ngarbage\n", "qr", "join")
	if code != 0 || out != string(payload) || errOut != "" {
		t.Fatalf("stop when complete: exit %d, stderr %q", code, errOut)
	}
}

func TestQRJoinIncomplete(t *testing.T) {
	payload := qrPayload(5120)
	enc, _ := fountain.NewEncoder(payload, fountain.Options{})
	// Source frames 0 to 3 (seqs 0, 1, 2, 4): 9 of 13 blocks missing.
	stdin := strings.Join([]string{enc.Frame(0), enc.Frame(1), enc.Frame(2), enc.Frame(4)}, "\n")
	code, out, errOut := qrCLI(t, stdin, "qr", "join")
	want := "licet qr join: incomplete: 9 of 13 blocks of transfer " + enc.Transfer().String() +
		" missing after 4 frames; at least 9 more frames needed\nhint: add more frames of the same transfer, in any order\n"
	if code != 1 || out != "" || errOut != want {
		t.Fatalf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}

	code, _, errOut = qrCLI(t, "\n\nhello\n", "qr", "join")
	if code != 1 || !strings.Contains(errOut, "line 3 skipped") || !strings.Contains(errOut, "no frame on standard input, only 1 line skipped as damaged\nhint: ") {
		t.Fatalf("no frames: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut = qrCLI(t, "", "qr", "join", "extra")
	if code != 2 || !strings.Contains(errOut, "takes no arguments") {
		t.Fatalf("argument: exit %d, stderr %q", code, errOut)
	}
}
