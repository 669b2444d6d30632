package licetcli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
)

// The device code of docs/formats.md: product 0x1234 (4660).
const confirmDevice = "20938-0938N-KRKAY-DXYNA-NAKT7"

// confirmSetup copies the shared vendor key into a directory of its own,
// so that the confirmation key made next to it is the test's, and issues
// a permanent order for product 4660 with --confirm.
func confirmSetup(t *testing.T, extra ...string) (dir, orderFile string) {
	t.Helper()
	return confirmSetupSeed(t, 1, extra...)
}

// confirmSetupSeed is confirmSetup with another seed for the random source,
// hence another confirmation key.
func confirmSetupSeed(t *testing.T, seed byte, extra ...string) (dir, orderFile string) {
	t.Helper()
	vendor, _ := testKeys(t)
	dir = t.TempDir()
	b, err := os.ReadFile(filepath.Join(vendor, "licet.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "licet.key"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	orderFile = filepath.Join(dir, "site.license")
	args := append([]string{"issue", "order", "--key", filepath.Join(dir, "licet.key"), "--product", "4660",
		"--customer", "Example Site", "--seats", "5", "--mode", "permanent", "--days", "365", "--out", orderFile,
		"--feature", "edition=pro"}, extra...)
	code, stdout, stderr := issueCLISeed(t, seed, nil, args...)
	if code != 0 {
		t.Fatalf("issue order: exit %d\n%s%s", code, stdout, stderr)
	}
	return dir, orderFile
}

func TestIssueOrderConfirmKey(t *testing.T) {
	dir, orderFile := confirmSetup(t, "--confirm")
	keyPath := filepath.Join(dir, confirmKeyFile)
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("confirm.key: %v %v", st, err)
	}
	order, err := readOrder(orderFile)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := confirm.KeyOf(order)
	if err != nil {
		t.Fatal(err)
	}
	// A second order names the same key.
	second := filepath.Join(dir, "second.license")
	code, stdout, stderr := issueCLI(t, nil, "issue", "order", "--key", filepath.Join(dir, "licet.key"), "--product", "4660",
		"--customer", "Example Site", "--seats", "5", "--mode", "permanent", "--days", "30", "--out", second, "--confirm-key", keyPath)
	if code != 0 || !strings.Contains(stdout, "confirmation key "+pub.String()+" (named): "+keyPath) {
		t.Fatalf("second order: exit %d\n%s%s", code, stdout, stderr)
	}
	o2, _ := readOrder(second)
	if k2, err := confirm.KeyOf(o2); err != nil || !k2.Equal(pub) {
		t.Fatalf("second order names %v, %v", k2, err)
	}

	// Refusals.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "periodic", "--confirm"}, "mode periodic grants leases"},
		{[]string{"--mode", "permanent", "--confirm", "--confirm-key", keyPath}, "give one"},
		{[]string{"--mode", "permanent", "--confirm-key", filepath.Join(dir, "licet.key")}, "vendor's signing key"},
		{[]string{"--mode", "permanent", "--confirm-key", orderFile}, "not a sealed confirmation key"},
	} {
		args := append([]string{"issue", "order", "--key", filepath.Join(dir, "licet.key"), "--product", "4660",
			"--customer", "X", "--seats", "1", "--days", "30", "--out", filepath.Join(dir, "x.license")}, tc.args...)
		code, _, stderr := issueCLI(t, nil, args...)
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.license")); err == nil {
		t.Error("a refused order was written")
	}
}

func TestIssueConfirm(t *testing.T) {
	dir, orderFile := confirmSetup(t, "--confirm")
	order, err := readOrder(orderFile)
	if err != nil {
		t.Fatal(err)
	}
	device, _ := devcode.Parse(confirmDevice)

	// A typo in the device code is corrected and said so.
	typo := "20938-0938N-KRKAY-DXYNA-NAKT8"
	code, stdout, stderr := issueCLI(t, nil, "issue", "confirm", "--key", dir, "--order", orderFile, "--device-code", typo, "--days", "30")
	if code != 0 || !strings.Contains(stderr, "device code corrected") || !strings.Contains(stderr, "(classical)") {
		t.Fatalf("issue confirm: exit %d\n%s%s", code, stdout, stderr)
	}
	text := strings.TrimSpace(stdout)
	p, err := confirm.Parse(text)
	if err != nil || p.Canonical != text || len(text) != 95 {
		t.Fatalf("output %q: %v", text, err)
	}
	g, err := confirm.Verify(order, device.Code, p.Code)
	if err != nil {
		t.Fatal(err)
	}
	wantEnd := confirm.OrderStart(order) + 30*86400 // the order starts now
	if g.NotAfter != wantEnd {
		t.Fatalf("ends at %s, want %s", g.NotAfter, wantEnd)
	}

	// JSON, without --days: the order's end.
	code, stdout, stderr = issueCLI(t, nil, "issue", "confirm", "--key", filepath.Join(dir, confirmKeyFile), "--order", orderFile,
		"--device-code", confirmDevice, "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s%s", code, stdout, stderr)
	}
	var out confirmOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	p, _ = confirm.Parse(out.Code)
	if out.Days != 0 || out.NotAfter != order.NotAfter || out.License != p.Code.LicenseID() || out.Order != order.ID || out.Device != confirmDevice {
		t.Fatalf("json %+v", out)
	}

	// More days than the order has left: the activation ends with the order.
	code, _, stderr = issueCLI(t, nil, "issue", "confirm", "--key", dir, "--order", orderFile, "--device-code", confirmDevice, "--days", "1000")
	if code != 0 || !strings.Contains(stderr, "ends with the order") {
		t.Fatalf("--days 1000: exit %d\n%s", code, stderr)
	}

	noKeyOrder := filepath.Join(t.TempDir(), "plain.license")
	vendor, _ := testKeys(t)
	if code, _, stderr := issueCLI(t, nil, "issue", "order", "--key", filepath.Join(vendor, "licet.key"), "--product", "4660",
		"--customer", "X", "--seats", "1", "--mode", "permanent", "--days", "30", "--out", noKeyOrder); code != 0 {
		t.Fatal(stderr)
	}
	other, _ := confirmSetupSeed(t, 2, "--confirm")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--key", dir, "--order", orderFile, "--device-code", "20938-0938N-KRKAY-DXYNA-NAK7T"}, "cannot be corrected"},
		{[]string{"--key", dir, "--order", orderFile, "--device-code", devcode.New(7, device.Code.Digest, 1).String()}, "for product 7"},
		{[]string{"--key", dir, "--order", noKeyOrder, "--device-code", confirmDevice}, "names no confirmation key"},
		{[]string{"--key", other, "--order", orderFile, "--device-code", confirmDevice}, "hint: pass the confirmation key that was named"},
		{[]string{"--key", filepath.Join(dir, "nothing.key"), "--order", orderFile, "--device-code", confirmDevice}, "does not exist"},
		{[]string{"--key", filepath.Join(dir, "licet.key"), "--order", orderFile, "--device-code", confirmDevice}, "vendor's signing key"},
		{[]string{"--order", orderFile, "--device-code", confirmDevice}, "--key is required"},
	} {
		code, _, stderr := issueCLI(t, nil, append([]string{"issue", "confirm"}, tc.args...)...)
		if code == 0 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 2 {
			t.Errorf("%v: exit %d, stderr %q, want %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestReleaseCheck(t *testing.T) {
	vendor, _ := testKeys(t)
	lic := filepath.Join(t.TempDir(), "device.license")
	if code, _, stderr := issueCLI(t, nil, "issue", "device", "--key", filepath.Join(vendor, "licet.key"), "--product", "4660",
		"--device-code", confirmDevice, "--days", "30", "--out", lic); code != 0 {
		t.Fatal(stderr)
	}
	b, err := os.ReadFile(lic)
	if err != nil {
		t.Fatal(err)
	}
	a, err := release.FromFile(b)
	if err != nil {
		t.Fatal(err)
	}
	rc := a.Code(20500).String()
	code, stdout, stderr := issueCLI(t, nil, "release", "check", rc, "--license", lic)
	if code != 0 || stdout != "valid: license "+a.License.String()+" released on 2026-02-16\n" {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	// Typed in groups with spaces, one typo per block.
	typed := []byte(strings.ReplaceAll(rc, "-", " "))
	for _, i := range []int{0, 30} {
		if typed[i] == 'Z' {
			typed[i] = 'Y'
		} else {
			typed[i] = 'Z'
		}
	}
	code, stdout, stderr = issueCLI(t, nil, append([]string{"release", "check", "--license", lic}, strings.Fields(string(typed))...)...)
	if code != 0 || !strings.Contains(stderr, "corrected") {
		t.Fatalf("typos: exit %d\n%s%s", code, stdout, stderr)
	}
	other := a
	other.Secret[0] ^= 1
	code, stdout, stderr = issueCLI(t, nil, "release", "check", other.Code(20500).String(), "--license", lic, "--json")
	var out releaseOutput
	if code != 1 || json.Unmarshal([]byte(stdout), &out) != nil || out.Valid || out.ErrorKind != "bad-tag" || out.License != a.License {
		t.Fatalf("forged: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = issueCLI(t, nil, "release", "check", rc)
	if code != 2 || !strings.Contains(stderr, "give one of") {
		t.Fatalf("no activation: exit %d %s", code, stderr)
	}
}
