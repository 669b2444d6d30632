package licetcli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"licet.dev/licet/codec/devcode"
)

// codeCLI runs licet with args in-process and returns its exit code and
// output.
func codeCLI(t *testing.T, stdin string, rand []byte, args ...string) (code int, stdout, stderr string) {
	return runCLI("", strings.NewReader(stdin), bytes.NewReader(rand), args...)
}

// A code from codec/devcode/testdata/vectors/devcode.json: product 0x1234,
// digest 0123456789abcdef, nonce 0x2aaaaa.
const knownCode = "20938-0938N-KRKAY-DXYNA-NAKT7"

func TestCodeDecodeText(t *testing.T) {
	code, out, errOut := codeCLI(t, "", nil, "code", "decode", knownCode)
	want := `code:     20938-0938N-KRKAY-DXYNA-NAKT7
status:   valid
version:  1
flags:    0
product:  4660
digest:   0123456789abcdef
nonce:    2796202
`
	if code != 0 || out != want || errOut != "" {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, out, errOut)
	}

	// One typo (and lower case): corrected, exit 0.
	code, out, _ = codeCLI(t, "", nil, "code", "decode", "20938-0938n-kRkAY-DXYNA-NAZT7")
	want = `input:    20938-0938n-kRkAY-DXYNA-NAZT7
code:     20938-0938N-KRKAY-DXYNA-NAKT7
status:   corrected: character 23 (group 5): Z corrected to K
version:  1
`
	if code != 0 || !strings.HasPrefix(out, want) {
		t.Fatalf("exit %d\n%s", code, out)
	}

	// A swap: rejected, exit 1, one-line summary on stderr.
	code, out, errOut = codeCLI(t, "", nil, "code", "decode", knownCode, "20938-0938N-KRKAY-DXYNA-NATK7")
	if code != 1 || !strings.Contains(out, "\n\ninput:    20938-0938N-KRKAY-DXYNA-NATK7\nstatus:   invalid: devcode: check failed") ||
		!strings.HasPrefix(errOut, "licet code decode: 1 of 2 codes invalid\nhint: ") {
		t.Fatalf("exit %d\n%s\nstderr: %s", code, out, errOut)
	}
}

func TestCodeDecodeJSON(t *testing.T) {
	stdin := "\n" + strings.ToLower(knownCode) + "\n  20938-0938N-KRKAY-DXYNA-NAZT7  \nU0000\n"
	code, out, errOut := codeCLI(t, stdin, nil, "code", "decode", "-", "--json", "2000")
	if code != 1 || !strings.HasPrefix(errOut, "licet code decode: 2 of 4 codes invalid\n") {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{
		`{"input":"20938-0938n-krkay-dxyna-nakt7","valid":true,"corrected":false,"status":"valid","code":"20938-0938N-KRKAY-DXYNA-NAKT7","corrections":[],"version":1,"flags":0,"product":4660,"digest":"0123456789abcdef","nonce":2796202}`,
		`{"input":"20938-0938N-KRKAY-DXYNA-NAZT7","valid":true,"corrected":true,"status":"corrected","code":"20938-0938N-KRKAY-DXYNA-NAKT7","corrections":[{"position":23,"group":5,"was":"Z","became":"K"}],"version":1,"flags":0,"product":4660,"digest":"0123456789abcdef","nonce":2796202}`,
		`{"input":"U0000","valid":false,"corrected":false,"status":"invalid","code":"","corrections":[],"error":"devcode: character 1 is 'U'; codes never use U (did you mean V?)","errorKind":"syntax","position":1}`,
		`{"input":"2000","valid":false,"corrected":false,"status":"invalid","code":"","corrections":[],"error":"devcode: 4 characters, want 25","errorKind":"length"}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, lines[i], want[i])
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &v); err != nil {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
}

func TestCodeDecodeUsage(t *testing.T) {
	if code, _, errOut := codeCLI(t, "", nil, "code", "decode"); code != 2 || !strings.Contains(errOut, "no device code given") {
		t.Fatalf("no argument: exit %d, %s", code, errOut)
	}
	if code, _, _ := codeCLI(t, "", nil, "code", "decode", "--bogus", knownCode); code != 2 {
		t.Fatalf("bad flag: exit %d", code)
	}
	if code, _, errOut := codeCLI(t, "", nil, "code", "decode", "-h"); code != 0 || !strings.Contains(errOut, "usage: licet code decode") {
		t.Fatalf("-h: exit %d, %s", code, errOut)
	}
}

func TestCodeExample(t *testing.T) {
	rand := []byte{1, 2, 3, 4, 5, 6, 7, 8, 0xff, 0xff, 0xff, 0xff}
	code, out, errOut := codeCLI(t, "", rand, "code", "example", "--product", "4660")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	p, err := devcode.Parse(strings.TrimSuffix(out, "\n"))
	if err != nil || p.Corrected() || p.Canonical+"\n" != out {
		t.Fatalf("%q: %+v %v", out, p, err)
	}
	want := devcode.New(4660, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, devcode.MaxNonce)
	if p.Code != want {
		t.Fatalf("code %+v, want %+v", p.Code, want)
	}

	// Given digest and nonce: no randomness needed, output fixed.
	code, out, _ = codeCLI(t, "", nil, "code", "example", "--product", "0x1234", "--digest", "0123456789abcdef", "--nonce", "2796202")
	if code != 0 || out != knownCode+"\n" {
		t.Fatalf("exit %d, %q", code, out)
	}

	// The example decodes.
	if code, _, _ := codeCLI(t, "", nil, "code", "decode", strings.TrimSpace(out)); code != 0 {
		t.Fatalf("decode of the example: exit %d", code)
	}

	for _, args := range [][]string{
		{"--product", "65536"},
		{"--product", "-1"},
		{"--digest", "0123"},
		{"--digest", "zz23456789abcdef"},
		{"--nonce", "4194304"},
		{"--nonce", "-1"},
		{"extra"},
	} {
		if code, _, _ := codeCLI(t, "", rand, append([]string{"code", "example"}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := codeCLI(t, "", nil, "code", "example"); code != 1 || !strings.Contains(errOut, "reading randomness") {
		t.Errorf("no randomness: exit %d, %s", code, errOut)
	}
}
