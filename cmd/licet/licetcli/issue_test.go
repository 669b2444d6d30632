package licetcli

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
)

// issueCLI runs licet in-process with a passphrase in the environment, a
// fixed clock and a seeded random source.
func issueCLI(t *testing.T, stdin []byte, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return issueCLISeed(t, 1, stdin, args...)
}

func issueCLISeed(t *testing.T, seed byte, stdin []byte, args ...string) (code int, stdout, stderr string) {
	return runCLI("correct horse battery staple", bytes.NewReader(stdin), rand.NewChaCha8([32]byte{seed}), args...)
}

// Key pairs are slow to make (the private key's KDF is memory-hard), so the
// tests share two: the vendor's and a site's.
var (
	keysOnce sync.Once
	keysDir  string
	keysErr  string
)

func testKeys(t *testing.T) (vendor, site string) {
	t.Helper()
	keysOnce.Do(func() {
		dir, err := os.MkdirTemp("", "licet-issue-test")
		if err != nil {
			keysErr = err.Error()
			return
		}
		keysDir = dir
		for i, who := range []string{"vendor", "site"} {
			if code, _, errOut := issueCLISeed(t, byte(100+i), nil, "keys", "generate", "--out", filepath.Join(dir, who)); code != 0 {
				keysErr = "keys generate: " + errOut
				return
			}
		}
	})
	if keysErr != "" {
		t.Fatal(keysErr)
	}
	return filepath.Join(keysDir, "vendor"), filepath.Join(keysDir, "site")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if keysDir != "" {
		os.RemoveAll(keysDir)
	}
	os.Exit(code)
}

func issueOrder(t *testing.T, out string, extra ...string) {
	t.Helper()
	vendor, site := testKeys(t)
	args := append([]string{"issue", "order", "--key", filepath.Join(vendor, "licet.key"), "--product", "7",
		"--customer", "Example Site", "--seats", "50", "--mode", "periodic", "--days", "365", "--out", out,
		"--site-key", filepath.Join(site, "licet.pub"), "--feature", "export=on", "--feature", "channels=16",
		"--arch", "amd64,arm64", "--vendor", "Example Vendor"}, extra...)
	if code, stdout, stderr := issueCLI(t, nil, args...); code != 0 {
		t.Fatalf("issue order: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestIssueOrderInspect(t *testing.T) {
	vendor, site := testKeys(t)
	out := filepath.Join(t.TempDir(), "site.license")
	issueOrder(t, out)
	text, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(text, []byte("-----BEGIN LICET LICENSE-----\n")) {
		t.Fatalf("not armoured:\n%s", text)
	}
	trust := filepath.Join(vendor, "licet.pub")
	code, stdout, stderr := issueCLI(t, nil, "inspect", out, "--trust", trust)
	if code != 0 || stderr != "" {
		t.Fatalf("inspect: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"[1] order license ", "customer:        Example Site", "mode:            periodic",
		"seats:           50", "lease:           7d, renew every 1d, grace 0s", "features:        channels=16, export=on",
		"architectures:   amd64, arm64", "(trusted root)", "verified:  yes, at 2030-01-02T03:04:05Z"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, stdout)
		}
	}

	code, stdout, _ = issueCLI(t, nil, "inspect", "--json", "--trust", trust, out)
	var js struct {
		Encoding string
		Verified bool
		Leaf     string
		Links    []struct {
			Type   string
			Key    string
			Object struct {
				Customer string
				Seats    int
				Mode     string
				SiteKey  string `json:"site_key"`
				NotAfter string `json:"not_after"`
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &js); err != nil || code != 0 {
		t.Fatalf("inspect --json: exit %d, %v\n%s", code, err, stdout)
	}
	o := js.Links[0].Object
	if !js.Verified || js.Encoding != "armour" || js.Leaf != "order" || js.Links[0].Type != "order" ||
		js.Links[0].Key != "trusted-root" || o.Customer != "Example Site" || o.Seats != 50 || o.Mode != "periodic" ||
		o.NotAfter != "2031-01-02T03:04:05Z" || o.SiteKey == "" {
		t.Errorf("inspect --json: %+v", js)
	}

	// The site's key is not a root: the order does not verify under it.
	code, stdout, stderr = issueCLI(t, nil, "inspect", out, "--trust", filepath.Join(site, "licet.pub"))
	if code != 1 || !strings.Contains(stdout, "verified:  no") || !strings.Contains(stderr, "which is not a trusted root") ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("inspect with the wrong key: exit %d\n%s%s", code, stdout, stderr)
	}
	// After the window: expired.
	code, stdout, _ = issueCLI(t, nil, "inspect", out, "--trust", trust, "--json", "--at", "2031-06-01T00:00:00Z")
	if code != 1 || !strings.Contains(stdout, `"reason":"expired"`) {
		t.Errorf("inspect --at after the end: exit %d\n%s", code, stdout)
	}
	// Without --trust: shows the file, does not verify.
	code, stdout, stderr = issueCLI(t, nil, "inspect", out)
	if code != 1 || !strings.Contains(stdout, "customer:") || !strings.Contains(stderr, "hint: pass --trust") {
		t.Errorf("inspect without --trust: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestIssueOrderRules(t *testing.T) {
	vendor, _ := testKeys(t)
	key := filepath.Join(vendor, "licet.key")
	out := filepath.Join(t.TempDir(), "x.license")
	base := []string{"issue", "order", "--key", key, "--product", "7", "--customer", "C", "--days", "30", "--out", out}
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"permanent without seats", []string{"--mode", "permanent"}, 2, "--seats must be at least 1 in mode permanent"},
		{"unlimited with seats", []string{"--mode", "unlimited", "--seats", "5"}, 2, "mode unlimited has no seat limit"},
		{"unknown mode", []string{"--mode", "forever", "--seats", "1"}, 2, `unknown mode "forever"`},
		{"borrow outside concurrent", []string{"--mode", "periodic", "--seats", "1", "--borrow-days", "3"}, 2, "max_borrow is only for mode concurrent"},
		{"renew beyond lease", []string{"--mode", "periodic", "--seats", "1", "--lease-days", "1", "--renew-hours", "48"}, 2, "renew_interval"},
		{"no such key", []string{"--mode", "permanent", "--seats", "1", "--key", "/nonexistent/licet.key"}, 1, "licet.key"},
		{"unlimited", []string{"--mode", "unlimited"}, 0, ""},
		{"preactivation", []string{"--mode", "preactivation", "--seats", "1000", "--device-days", "365"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := issueCLI(t, nil, append(append([]string{}, base...), tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, want %d with %q\n%s%s", code, tt.code, tt.err, stdout, stderr)
			}
		})
	}
	if _, stdout, _ := issueCLI(t, nil, "inspect", out, "--trust", filepath.Join(vendor, "licet.pub")); !strings.Contains(stdout, "device term:     365d from activation") {
		t.Errorf("preactivation order:\n%s", stdout)
	}
}

func TestIssueDevice(t *testing.T) {
	vendor, _ := testKeys(t)
	dir := t.TempDir()
	key, trust := filepath.Join(vendor, "licet.key"), filepath.Join(vendor, "licet.pub")
	order := filepath.Join(dir, "order.license")
	issueOrder(t, order, "--mode", "permanent", "--binary")
	c := devcode.New(7, [8]byte{1, 2, 3, 4, 5, 6, 7, 8}, 12345).String()
	// One wrong character, in lower case without hyphens: corrected.
	typo := []byte(strings.ToLower(strings.ReplaceAll(c, "-", "")))
	if typo[3] == '0' {
		typo[3] = '1'
	} else {
		typo[3] = '0'
	}
	out := filepath.Join(dir, "device.license")
	code, stdout, stderr := issueCLI(t, nil, "issue", "device", "--key", key, "--device-code", string(typo),
		"--product", "7", "--days", "30", "--out", out, "--binary", "--order", order, "--feature", "export=on", "--policy", "exact")
	if code != 0 || !strings.Contains(stderr, "device code corrected") || !strings.Contains(stdout, c) {
		t.Fatalf("issue device: exit %d\n%s%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f, err := codec.ParseFile(b)
	if err != nil || f.Armoured {
		t.Fatalf("device license file: %v", err)
	}
	d, ok := f.Leaf().Object.(*codec.DeviceLicense)
	if !ok {
		t.Fatalf("leaf is %T", f.Leaf().Object)
	}
	orderB, _ := os.ReadFile(order)
	of, _ := codec.ParseFile(orderB)
	if string(d.Binding.Digest) != "\x01\x02\x03\x04\x05\x06\x07\x08" || d.Binding.Nonce != 12345 || d.Binding.Policy != codec.MatchExact ||
		d.Product != 7 || d.Order != codec.HeaderOf(of.Leaf().Object).ID || d.NotAfter.Time() != testNow.AddDate(0, 0, 30).Truncate(time.Second) {
		t.Errorf("device license: %+v", d)
	}
	code, stdout, stderr = issueCLI(t, nil, "inspect", out, "--trust", trust)
	if code != 0 || !strings.Contains(stdout, "binding:         digest 0102030405060708, nonce 12345, policy exact") {
		t.Errorf("inspect: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tt := range []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"other product", []string{"--device-code", c, "--product", "8"}, 1, "the device code is for product 7, not --product 8"},
		{"two typos", []string{"--device-code", "00000" + c[5:], "--product", "7"}, 1, "--device-code"},
		{"U in the code", []string{"--device-code", "U" + c[1:], "--product", "7"}, 1, "--device-code"},
		{"no code", []string{"--product", "7"}, 2, "--device-code is required"},
		{"no days", []string{"--device-code", c, "--product", "7", "--days", ""}, 2, "days"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"issue", "device", "--key", key, "--days", "30", "--out", filepath.Join(dir, "x")}, tt.args...)
			code, stdout, stderr := issueCLI(t, nil, args...)
			if code != tt.code || !strings.Contains(stderr, tt.err) {
				t.Errorf("exit %d, want %d with %q\n%s%s", code, tt.code, tt.err, stdout, stderr)
			}
		})
	}
}
