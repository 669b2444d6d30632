package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/cmd/licet/licetcli"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server"
	"licet.dev/licet/site"
)

// browserTools returns the Chromium binary and the repository root, or
// skips the test when the browser, node or playwright-core is missing.
func browserTools(t *testing.T) (chromium, root string) {
	t.Helper()
	chromium = os.Getenv("LICET_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser test skipped: no Chromium at %s (apt-get install chromium, or scripts/deps)", chromium)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("browser test skipped: node is not installed")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Skip("browser test skipped: node_modules/playwright-core is missing (run npm ci, or scripts/deps)")
	}
	if !site.HasWasm() {
		t.Fatal("site/static/wasm/licet.wasm is not embedded: run 'make wasm' before 'go test ./e2e'")
	}
	return chromium, root
}

// lockedBuffer collects what the server prints for the person starting it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// passphrase seals the test server's root key.
const passphrase = "e2e passphrase of the vendor root key"

// clock is the server's and the CLI's time: a fixed start that moves a
// millisecond per reading, so that runs are repeatable and timestamps
// still differ.
type clock struct {
	start time.Time
	n     atomic.Int64
}

func (c *clock) Now() time.Time { return c.start.Add(time.Duration(c.n.Add(1)) * time.Millisecond) }

// startServer runs server.Run on 127.0.0.1:0 with a fresh data directory
// and returns its URL and console output; the server stops when the test
// ends.
func startServer(t *testing.T, ctx context.Context, now func() time.Time) (string, *lockedBuffer) {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.Passphrase = func(bool) ([]byte, error) { return []byte(passphrase), nil }
	console := &lockedBuffer{}
	cfg.Console = console
	cfg.Log = io.Discard
	cfg.Now = now
	cfg.Version = "e2e"
	ready := make(chan string, 1)
	cfg.Ready = func(url string) { ready <- url }

	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- server.Run(sctx, cfg) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case url := <-ready:
		return url, console
	case err := <-done:
		t.Fatalf("server did not start: %v\n%s", err, console.String())
	case <-ctx.Done():
		t.Fatalf("server did not start: %v", ctx.Err())
	}
	return "", nil
}

// withTypo returns code with the character at pos (1-based, hyphens not
// counted) replaced by another one of the alphabet.
func withTypo(t *testing.T, code string, pos int) string {
	t.Helper()
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	b := []byte(code)
	n := 0
	for i, c := range b {
		if c == '-' {
			continue
		}
		if n++; n == pos {
			b[i] = alphabet[(strings.IndexByte(alphabet, c)+7)%len(alphabet)]
			return string(b)
		}
	}
	t.Fatalf("code %s has no position %d", code, pos)
	return ""
}

// requestURL is the URL a terminal's request QR code carries: a request
// bundle for product short, in base32 after /R/, upper case.
func requestURL(t *testing.T, base string, short uint16, now time.Time) string {
	t.Helper()
	digest := sha256.Sum256([]byte("birth record of the terminal on the phone"))
	rb := &codec.RequestBundle{Header: codec.Header{ID: codec.ID{0x42, 7}, IssuedAt: codec.At(now)},
		Product: short, Digest: digest[:], Nonce: 4711,
		Components: []codec.Component{{Kind: "machine-id", Hash: codec.Bytes{1, 2, 3, 4, 5, 6, 7, 8}}}}
	raw, err := codec.Marshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	u, err := airgap.RequestURL(base, raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// apiClient signs in to the API as the account the browser created.
func apiClient(t *testing.T, ctx context.Context, base, user, password string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	body, _ := json.Marshal(map[string]string{"username": user, "password": password})
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("login: %s", res.Status)
	}
	return c
}

func getBody(t *testing.T, ctx context.Context, c *http.Client, url string) []byte {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("GET %s: %s %v\n%s", url, res.Status, err, b)
	}
	return b
}

// inspect runs `licet inspect FILE --trust PUB` in-process and returns its
// exit code and output.
func inspect(file, pub string, now func() time.Time) (int, string) {
	var out bytes.Buffer
	env := &licetcli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out,
		Getenv: func(string) string { return "" }, Now: now, Rand: rand.Reader}
	code := licetcli.Main([]string{"inspect", file, "--trust", pub}, env)
	return code, out.String()
}

// testContext is the test's context, ending a little before its deadline
// so that failures are reported rather than cut off.
func testContext(t *testing.T) context.Context {
	ctx := t.Context()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-10*time.Second))
		t.Cleanup(cancel)
	}
	return ctx
}

// setupToken reads the one-time setup token from the server's console.
func setupToken(t *testing.T, console *lockedBuffer) string {
	t.Helper()
	m := regexp.MustCompile(`/setup#(\S+)`).FindStringSubmatch(console.String())
	if m == nil {
		t.Fatalf("no setup link on the console:\n%s", console.String())
	}
	return m[1]
}

// runScript runs a browser script of this directory with node and the
// given LICET_* settings, and decodes the JSON line it prints into res.
func runScript(t *testing.T, ctx context.Context, script string, env map[string]string, res any) {
	t.Helper()
	chromium, root := browserTools(t)
	out := t.TempDir()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(root, "e2e", script))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "LICET_CHROMIUM="+chromium, "LICET_OUT="+out)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s\nscreenshots and downloads in %s", script, err, stderr.String(), out)
	}
	t.Logf("%s:\n%s", script, stderr.String())
	if err := json.Unmarshal(stdout.Bytes(), res); err != nil {
		t.Fatalf("%s output %q: %v", script, stdout.String(), err)
	}
}

// TestPortal is the portal's browser test: setup link, product, customer,
// order, order license, activation from a device code typed with one
// wrong character, download; then `licet inspect` verifies the downloaded
// license against the server's trusted root key.
func TestPortal(t *testing.T) {
	browserTools(t)
	ctx := testContext(t)
	clk := &clock{start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	base, console := startServer(t, ctx, clk.Now)

	// The device code a terminal of product 4242 would show, and the same
	// code as a person might type it, with character 14 wrong.
	const shortID, typoPos = 4242, 14
	code := devcode.New(shortID, [8]byte{0x5e, 0x11, 0xc0, 0xde, 0x42, 0x07, 0x19, 0x88}, 0x2b1f3)
	canonical := code.String()
	typed := withTypo(t, canonical, typoPos)
	if p, err := devcode.Parse(typed); err != nil || len(p.Corrections) != 1 || p.Corrections[0].Pos != typoPos {
		t.Fatalf("typo fixture %s: %+v %v", typed, p, err)
	}

	var res struct {
		Order, OrderLicense, DeviceLicense, RequestLicense, TrustFile, Correction string
	}
	runScript(t, ctx, "portal.mjs", map[string]string{
		"LICET_URL":              base,
		"LICET_SETUP_TOKEN":      setupToken(t, console),
		"LICET_PRODUCT_SHORT_ID": fmt.Sprint(shortID),
		"LICET_DEVICE_CODE":      typed,
		"LICET_CANONICAL":        canonical,
		"LICET_TYPO_POSITION":    fmt.Sprint(typoPos),
		"LICET_REQUEST_URL":      requestURL(t, base, shortID, clk.Now()),
	}, &res)
	if !strings.Contains(res.Correction, canonical) {
		t.Errorf("the correction shown, %q, does not give the code %s", res.Correction, canonical)
	}

	// The server's trusted roots, read through the API, are what the
	// settings page offered for download.
	c := apiClient(t, ctx, base, "admin", "correct horse battery staple")
	trust := getBody(t, ctx, c, base+"/api/v1/keys/trust")
	if ui, err := os.ReadFile(res.TrustFile); err != nil || !bytes.Equal(ui, trust) {
		t.Errorf("trust file from the settings page differs from the API's (%v)", err)
	}
	pub := filepath.Join(t.TempDir(), "licet.pub")
	if err := os.WriteFile(pub, trust, 0o644); err != nil {
		t.Fatal(err)
	}

	// The server recorded the corrected code for the device license.
	type license struct {
		ID         string `json:"id"`
		DeviceCode string `json:"device_code"`
	}
	var lics struct{ Items []license }
	if err := json.Unmarshal(getBody(t, ctx, c, base+"/api/v1/licenses?kind=device&order="+res.Order), &lics); err != nil {
		t.Fatal(err)
	}
	if len(lics.Items) != 2 || !slices.ContainsFunc(lics.Items, func(l license) bool { return l.DeviceCode == canonical }) {
		t.Fatalf("device licenses of order %s: %+v, want two, one for %s", res.Order, lics.Items, canonical)
	}

	for _, f := range []string{res.DeviceLicense, res.RequestLicense, res.OrderLicense} {
		code, text := inspect(f, pub, clk.Now)
		if code != 0 || !strings.Contains(text, "verified:  yes") {
			t.Fatalf("licet inspect %s: exit %d\n%s", filepath.Base(f), code, text)
		}
		t.Logf("licet inspect %s:\n%s", filepath.Base(f), text)
	}
	// The device license binds the terminal of the corrected code, not of
	// the code as typed.
	if _, text := inspect(res.DeviceLicense, pub, clk.Now); !strings.Contains(text, fmt.Sprintf("digest %x, nonce %d", code.Digest, code.Nonce)) {
		t.Errorf("device license is not bound to digest %x, nonce %d:\n%s", code.Digest, code.Nonce, text)
	}
	if !strings.Contains(mustRead(t, res.DeviceLicense), "LICET") {
		t.Errorf("%s is not armoured text", res.DeviceLicense)
	}

	// A license that verifies against these roots must not verify against
	// another vendor's key: the check is real.
	other := filepath.Join(t.TempDir(), "other")
	var sink bytes.Buffer
	env := &licetcli.Env{Stdin: strings.NewReader(""), Stdout: &sink, Stderr: &sink,
		Getenv: func(k string) string {
			if k == "LICET_PASSPHRASE" {
				return "another vendor's passphrase"
			}
			return ""
		}, Now: clk.Now, Rand: rand.Reader}
	if code := licetcli.Main([]string{"keys", "generate", "--out", other}, env); code != 0 {
		t.Fatalf("licet keys generate: %d\n%s", code, sink.String())
	}
	if code, text := inspect(res.DeviceLicense, filepath.Join(other, "licet.pub"), clk.Now); code == 0 {
		t.Fatalf("the device license verified against another vendor's key:\n%s", text)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAdmin drives the administrative pages: server field errors, the five
// order modes, reissue and revoke, tokens, accounts and roles, key
// rotation, the audit log and the language switch.
func TestAdmin(t *testing.T) {
	browserTools(t)
	ctx := testContext(t)
	clk := &clock{start: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	base, console := startServer(t, ctx, clk.Now)
	var res struct{ Orders map[string]string }
	runScript(t, ctx, "admin.mjs", map[string]string{
		"LICET_URL":         base,
		"LICET_SETUP_TOKEN": setupToken(t, console),
		"LICET_PASSPHRASE":  passphrase,
	}, &res)
	if len(res.Orders) != 5 {
		t.Fatalf("orders made: %v", res.Orders)
	}
	// The rotation is real: the trust file now holds two roots.
	c := apiClient(t, ctx, base, "admin", "correct horse battery staple")
	if n := strings.Count(string(getBody(t, ctx, c, base+"/api/v1/keys/trust")), "licet-pub1:"); n != 2 {
		t.Errorf("%d trusted roots after one rotation, want 2", n)
	}
}
