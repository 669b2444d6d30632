package webui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint"
	"licet.dev/licet/fingerprint/fingerprinttest"
	"licet.dev/licet/site"
)

var (
	vendorKey = cosetest.KeyFromSeed("webui test vendor")
	otherKey  = cosetest.KeyFromSeed("webui test stranger")
	t0        = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

const product = 4660

// fixture is a terminal on a fake machine, and the page served for it on
// 127.0.0.1.
type fixture struct {
	t     testing.TB
	dir   string
	cfg   agent.Config
	a     *agent.Agent
	s     *Server
	base  string // http://127.0.0.1:PORT
	hc    *http.Client
	stop  func()
	errc  chan error
	files fs.FS
}

func newFixture(t testing.TB, files fs.FS) *fixture {
	t.Helper()
	dir := t.TempDir()
	trust := filepath.Join(dir, "vendor.pub")
	pub, err := vendorKey.Public().MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(trust, append(pub, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := agent.DefaultConfig()
	cfg.State = filepath.Join(dir, "state")
	cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(1))
	cfg.Trust = []string{trust}
	cfg.Portal = "https://portal.example.com"
	cfg.LicenseFile = filepath.Join(dir, "run", "license")
	cfg.Socket = filepath.Join(dir, "s.sock")
	cfg.Now = func() time.Time { return t0 }
	cfg.Log = io.Discard
	a, err := agent.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Listen(Config{Addr: "127.0.0.1:0", Agent: a, URLFile: filepath.Join(cfg.State, URLFile), Files: files})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &fixture{t: t, dir: dir, cfg: cfg, a: a, s: s, base: "http://" + s.Addr().String(),
		hc: &http.Client{}, errc: make(chan error, 1), files: files}
	go func() { f.errc <- s.Serve(ctx) }()
	f.stop = func() {
		cancel()
		if err := <-f.errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
		f.hc.CloseIdleConnections()
	}
	t.Cleanup(func() {
		if f.stop != nil {
			f.stop()
		}
	})
	return f
}

// shutdown stops the server and waits for Serve to return.
func (f *fixture) shutdown() {
	f.stop()
	f.stop = nil
}

// do sends a request; header pairs are name, value.
func (f *fixture) do(method, path string, body []byte, header ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.base+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if strings.EqualFold(header[i], "Host") {
			req.Host = header[i+1]
			continue
		}
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := f.hc.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, b
}

// api sends an authorised request (token in the header; POST with the
// page's origin) and decodes a 200 answer into out.
func (f *fixture) api(method, path string, body []byte, out any) {
	f.t.Helper()
	h := []string{TokenHeader, f.s.token}
	if method == http.MethodPost {
		h = append(h, "Origin", f.base)
	}
	resp, b := f.do(method, path, body, h...)
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	reflect.ValueOf(out).Elem().SetZero() // nothing left from a previous answer
	if err := json.Unmarshal(b, out); err != nil {
		f.t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
}

// problem sends a request and checks that it is refused with status and
// code.
func (f *fixture) problem(status int, code, method, path string, body []byte, header ...string) Problem {
	f.t.Helper()
	resp, b := f.do(method, path, body, header...)
	var p Problem
	if err := json.Unmarshal(b, &p); err != nil {
		f.t.Fatalf("%s %s: %d, not problem details: %s", method, path, resp.StatusCode, b)
	}
	if resp.StatusCode != status || p.Code != code || p.Status != status {
		f.t.Fatalf("%s %s: %d %q, want %d %q: %s", method, path, resp.StatusCode, p.Code, status, code, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		f.t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	return p
}

// post sends a license with the token and the page's origin and expects a
// problem.
func (f *fixture) postProblem(status int, code, path string, body []byte) Problem {
	f.t.Helper()
	return f.problem(status, code, http.MethodPost, path, body, TokenHeader, f.s.token, "Origin", f.base)
}

// issue signs a device license for a device code, as `licet issue device
// --device-code` does: bound to the code's digest prefix and nonce.
func issue(t testing.TB, key *cose.PrivateKey, code string, prod uint16, issued, notAfter time.Time) []byte {
	t.Helper()
	p, err := devcode.Parse(code)
	if err != nil {
		t.Fatal(err)
	}
	var id codec.ID
	rand.Read(id[:])
	at := codec.At(issued)
	d := &codec.DeviceLicense{
		Header:   codec.Header{ID: id, IssuedAt: at, NotBefore: at},
		Product:  prod,
		Features: map[string]string{"export": "yes"},
		Binding:  codec.Binding{Digest: codec.Bytes(p.Code.Digest[:]), Nonce: p.Code.Nonce},
	}
	if !notAfter.IsZero() {
		d.NotAfter = codec.At(notAfter)
	}
	s, err := codec.Sign(rand.Reader, key, d)
	if err != nil {
		t.Fatal(err)
	}
	file, err := codec.NewFile(s)
	if err != nil {
		t.Fatal(err)
	}
	return file.Armour()
}

func TestActivate(t *testing.T) {
	f := newFixture(t, nil)
	var st localapi.Status
	f.api(http.MethodGet, "/api/status", nil, &st)
	if st.Licensed || st.State != localapi.StateUnlicensed {
		t.Fatalf("before: %+v", st)
	}

	var b Birth
	f.api(http.MethodGet, "/api/birth?product=4660", nil, &b)
	rec, err := base64.StdEncoding.DecodeString(b.BirthRecord)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fingerprint.ParseRecord(rec); err != nil {
		t.Fatalf("birth record: %v", err)
	}
	sum := sha256.Sum256(rec)
	if b.Digest != hex.EncodeToString(sum[:]) {
		t.Fatalf("digest %s, birth record hashes to %x", b.Digest, sum)
	}
	code, err := devcode.Parse(b.DeviceCode)
	if err != nil {
		t.Fatal(err)
	}
	if code.Code.Product != product || b.Product != product || !bytes.Equal(code.Code.Digest[:], sum[:8]) || code.Code.Nonce != b.Nonce {
		t.Fatalf("device code %s (%+v) does not carry product %d, digest %x and nonce %d", b.DeviceCode, code.Code, product, sum[:8], b.Nonce)
	}
	if b.PortalURL == "" || !strings.HasPrefix(b.RequestURL, "HTTPS://PORTAL.EXAMPLE.COM/R/") || b.Reused || !b.CreatedAt.Equal(t0) {
		t.Fatalf("birth: %+v", b)
	}
	// The same request again, also without naming the product.
	var again Birth
	f.api(http.MethodGet, "/api/birth", nil, &again)
	if again.DeviceCode != b.DeviceCode || !again.Reused || again.BirthRecord != b.BirthRecord {
		t.Fatalf("again: %+v", again)
	}

	var imp Imported
	f.api(http.MethodPost, "/api/license", issue(t, vendorKey, b.DeviceCode, product, t0, t0.AddDate(0, 0, 30)), &imp)
	if !imp.Licensed || imp.Imported.Kind != "license" || imp.Imported.Product != product || imp.Features["export"] != "yes" || imp.LicenseID != imp.Imported.ID {
		t.Fatalf("import: %+v", imp)
	}
	f.api(http.MethodGet, "/api/status?t="+f.s.token, nil, &st)
	if !st.Licensed || st.LicenseID != imp.Imported.ID || len(st.Pending) != 0 {
		t.Fatalf("after: %+v", st)
	}
	// With the request answered, the page asks to renew the license held.
	var renew Birth
	f.api(http.MethodGet, "/api/birth", nil, &renew)
	if renew.Product != product || renew.HeldLicense != imp.Imported.ID || renew.DeviceCode == b.DeviceCode {
		t.Fatalf("renewal: %+v", renew)
	}
}

func TestBirthProduct(t *testing.T) {
	f := newFixture(t, nil)
	f.problem(http.StatusBadRequest, "product-required", http.MethodGet, "/api/birth", nil, TokenHeader, f.s.token)
	for _, p := range []string{"0", "70000", "x", "-1"} {
		f.problem(http.StatusBadRequest, "bad-product", http.MethodGet, "/api/birth?product="+p, nil, TokenHeader, f.s.token)
	}
	// A request made with licetd request is the one the page shows.
	r, err := f.a.Request(agent.RequestOptions{Product: 7})
	if err != nil {
		t.Fatal(err)
	}
	var b Birth
	f.api(http.MethodGet, "/api/birth", nil, &b)
	if b.Product != 7 || b.DeviceCode != r.DeviceCode.String() || !b.Reused {
		t.Fatalf("birth %+v, pending %s", b, r.DeviceCode)
	}
	f.api(http.MethodGet, "/api/birth?product=0x1234", nil, &b)
	if b.Product != 0x1234 || b.Reused {
		t.Fatalf("birth %+v", b)
	}
}

func TestRefusedLicenses(t *testing.T) {
	f := newFixture(t, nil)
	var b Birth
	f.api(http.MethodGet, "/api/birth?product=4660", nil, &b)
	// A device code of another machine (another digest).
	p, _ := devcode.Parse(b.DeviceCode)
	d := p.Code.Digest
	d[0] ^= 0xff
	foreign := devcode.New(product, d, p.Code.Nonce).String()

	for _, tt := range []struct {
		name, code string
		body       []byte
	}{
		{"wrong machine", "wrong-machine", issue(t, vendorKey, foreign, product, t0, time.Time{})},
		{"wrong product", "wrong-product", issue(t, vendorKey, devcode.New(99, p.Code.Digest, p.Code.Nonce).String(), 99, t0, time.Time{})},
		{"expired", "expired", issue(t, vendorKey, b.DeviceCode, product, t0.AddDate(0, 0, -60), t0.AddDate(0, 0, -30))},
		{"untrusted", "untrusted", issue(t, otherKey, b.DeviceCode, product, t0, time.Time{})},
		{"not a license", "invalid", []byte("-----BEGIN LICET LICENSE-----\nAAAA\n-----END LICET LICENSE-----\n")},
		{"unanswered nonce", "no-request", issue(t, vendorKey, devcode.New(product, p.Code.Digest, p.Code.Nonce%devcode.MaxNonce+1).String(), product, t0, time.Time{})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pr := f.postProblem(http.StatusUnprocessableEntity, tt.code, "/api/license", tt.body)
			if pr.Detail == "" || strings.HasPrefix(pr.Detail, "agent:") {
				t.Errorf("detail %q", pr.Detail)
			}
		})
	}
	f.postProblem(http.StatusBadRequest, "empty", "/api/license", []byte(" \n"))
	f.postProblem(http.StatusRequestEntityTooLarge, "too-large", "/api/license", bytes.Repeat([]byte("A"), agent.MaxLicenseFile+1))
	f.postProblem(http.StatusRequestEntityTooLarge, "too-large", "/api/confirm", bytes.Repeat([]byte("A"), MaxCodeSize+1))
	f.postProblem(http.StatusUnprocessableEntity, "bad-code", "/api/confirm", []byte("not a code"))

	// Nothing was stored.
	var st localapi.Status
	f.api(http.MethodGet, "/api/status", nil, &st)
	if st.Licensed || len(st.Pending) != 1 {
		t.Fatalf("status %+v", st)
	}
}

// A body that grows past the limit while being read (no Content-Length)
// is cut off too.
func TestChunkedTooLarge(t *testing.T) {
	f := newFixture(t, nil)
	pr, pw := io.Pipe()
	go func() {
		chunk := bytes.Repeat([]byte("A"), 4096)
		for i := 0; i <= agent.MaxLicenseFile/len(chunk)+1; i++ {
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPost, f.base+"/api/license", pr)
	req.Header.Set(TokenHeader, f.s.token)
	resp, err := f.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	pr.CloseWithError(errors.New("done"))
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(`"too-large"`)) {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestToken(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.s.token
	if len(tok) != 43 {
		t.Fatalf("token %d characters", len(tok))
	}
	wrong := []byte(tok)
	wrong[10] ^= 1
	for _, path := range []string{"/api/status", "/api/birth?product=1", "/"} {
		f.problem(http.StatusUnauthorized, "token-required", http.MethodGet, path, nil)
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		f.problem(http.StatusForbidden, "bad-token", http.MethodGet, path+sep+"t="+string(wrong), nil)
		f.problem(http.StatusForbidden, "bad-token", http.MethodGet, path+sep+"t="+tok[:20], nil)
		f.problem(http.StatusForbidden, "bad-token", http.MethodGet, path, nil, TokenHeader, string(wrong))
		// Every copy must be right.
		f.problem(http.StatusForbidden, "bad-token", http.MethodGet, path+sep+"t="+tok, nil, TokenHeader, string(wrong))
		f.problem(http.StatusForbidden, "bad-token", http.MethodGet, path+sep+"t="+tok+"&t=x", nil)
	}
	f.problem(http.StatusUnauthorized, "token-required", http.MethodPost, "/api/license", []byte("x"), "Origin", f.base)
	f.problem(http.StatusForbidden, "bad-token", http.MethodPost, "/api/license", []byte("x"), "Origin", f.base, TokenHeader, string(wrong))
	var st localapi.Status
	f.api(http.MethodGet, "/api/status?t="+tok, nil, &st)
	// Files other than the page need no token, but a wrong one is refused.
	f.problem(http.StatusForbidden, "bad-token", http.MethodGet, "/wasm/wasm_exec.js?t="+string(wrong), nil)
}

func TestOriginAndHost(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.s.token
	lic := []byte("-----BEGIN LICET LICENSE-----\nAAAA\n-----END LICET LICENSE-----\n")
	for _, o := range []string{"http://evil.example", "null", "http://127.0.0.1:1", "https://" + strings.TrimPrefix(f.base, "http://"), f.base + "/"} {
		f.problem(http.StatusForbidden, "bad-origin", http.MethodPost, "/api/license", lic, TokenHeader, tok, "Origin", o)
		f.problem(http.StatusForbidden, "bad-origin", http.MethodGet, "/api/status", nil, TokenHeader, tok, "Origin", o)
	}
	f.problem(http.StatusForbidden, "bad-origin", http.MethodPost, "/api/license", lic, TokenHeader, tok, "Origin", f.base, "Origin", "http://evil.example")
	// The page's own origin, or no Origin at all (a program, not a
	// browser), reaches the license check.
	f.problem(http.StatusUnprocessableEntity, "invalid", http.MethodPost, "/api/license", lic, TokenHeader, tok, "Origin", f.base)
	f.problem(http.StatusUnprocessableEntity, "invalid", http.MethodPost, "/api/license", lic, TokenHeader, tok)
	port := f.s.port
	f.problem(http.StatusUnprocessableEntity, "invalid", http.MethodPost, "/api/license", lic, TokenHeader, tok,
		"Host", "localhost:"+port, "Origin", "http://localhost:"+port)

	// DNS rebinding: a name that resolves to 127.0.0.1 is not this page.
	for _, h := range []string{"evil.example:" + port, "127.0.0.1:1", "evil.example", "0.0.0.0:" + port, "[::2]:" + port} {
		f.problem(http.StatusForbidden, "bad-host", http.MethodGet, "/api/status", nil, TokenHeader, tok, "Host", h)
	}
	// An HTTP/1.0 request without Host.
	r := httptest.NewRequest(http.MethodGet, "/api/status?t="+tok, nil)
	r.Host = ""
	w := httptest.NewRecorder()
	f.s.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"bad-host"`) {
		t.Errorf("no Host: %d %s", w.Code, w.Body)
	}
	// The page's own host with a foreign Origin.
	f.problem(http.StatusForbidden, "bad-origin", http.MethodPost, "/api/license", lic, TokenHeader, tok,
		"Host", "localhost:"+port, "Origin", f.base)
}

func TestMethods(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.s.token
	for _, tt := range []struct{ method, path, allow string }{
		{http.MethodGet, "/api/license", "POST"},
		{http.MethodGet, "/api/confirm", "POST"},
		{http.MethodPost, "/api/status", "GET, HEAD"},
		{http.MethodDelete, "/api/birth", "GET, HEAD"},
		{http.MethodPost, "/", "GET, HEAD"},
		{http.MethodPut, "/wasm/wasm_exec.js", "GET, HEAD"},
	} {
		resp, _ := f.do(tt.method, tt.path, nil, TokenHeader, tok)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d, Allow %q", tt.method, tt.path, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	f.problem(http.StatusNotFound, "not-found", http.MethodGet, "/api/nope", nil, TokenHeader, tok)
	f.problem(http.StatusNotFound, "not-found", http.MethodGet, "/api", nil, TokenHeader, tok)
}

func TestListenRefusesNonLoopback(t *testing.T) {
	dir := t.TempDir()
	cfg := agent.DefaultConfig()
	cfg.State = filepath.Join(dir, "state")
	cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(2))
	cfg.Now = func() time.Time { return t0 }
	a, err := agent.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", ""} {
		s, err := Listen(Config{Addr: addr, Agent: a})
		if err == nil {
			s.Close()
			t.Errorf("Listen(%q) accepted", addr)
			continue
		}
		if !strings.HasPrefix(err.Error(), "webui: ") || agent.Hint(err) == "" {
			t.Errorf("Listen(%q): %v (hint %q)", addr, err, agent.Hint(err))
		}
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0"} {
		if _, err := Listen(Config{Addr: addr, Agent: a}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("Listen(%q): %v", addr, err)
		}
	}
	s, err := Listen(Config{Addr: "localhost:0", Agent: a})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if u := s.URL(); !strings.HasPrefix(u, "http://127.0.0.1:") && !strings.HasPrefix(u, "http://[::1]:") {
		t.Fatalf("URL %s", u)
	}
	if _, err := Listen(Config{Addr: "127.0.0.1:0"}); err == nil {
		t.Fatal("Listen without an agent accepted")
	}
}

func TestURLFile(t *testing.T) {
	f := newFixture(t, nil)
	path := filepath.Join(f.cfg.State, URLFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != f.s.URL()+"\n" || !strings.HasPrefix(f.s.URL(), f.base+"/?t=") || !strings.HasSuffix(f.s.URL(), f.s.token) {
		t.Fatalf("URL file %q, URL %q", b, f.s.URL())
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("URL file mode %v %v", fi.Mode(), err)
	}
	// The state directory does not count it as one of its sealed files.
	removed, err := f.a.Reset()
	if err != nil || len(removed) != 0 {
		t.Fatalf("Reset removed %v: %v", removed, err)
	}
	if _, err := agent.Open(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.shutdown()
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("URL file after stop: %v", err)
	}
}

// pageFS is a site tree with a page of its own, and the portal's shell
// that must never be served here.
var pageFS = fstest.MapFS{
	"index.html":                  {Data: []byte("<title>portal</title>")},
	"terminal/index.html":         {Data: []byte("<title>terminal</title>")},
	"terminal/terminal.js":        {Data: []byte("export {}")},
	"terminal/terminal.css":       {Data: []byte("body{}")},
	"js/codec.js":                 {Data: []byte("export const codec = 1")},
	"css/app.css":                 {Data: []byte("html{}")},
	"wasm/licet.wasm":             {Data: []byte("\x00asm\x01\x00\x00\x00")},
	"wasm/licet.wasm.gz":          {Data: []byte("gzipped")},
	"wasm/wasm_exec.js":           {Data: []byte("// go")},
	"favicon.svg":                 {Data: []byte("<svg/>")},
	"js/pages/orders.js":          {Data: []byte("export {}")},
	"terminal/sub/dir/module.mjs": {Data: []byte("export {}")},
}

func TestFiles(t *testing.T) {
	f := newFixture(t, pageFS)
	tok := f.s.token
	for _, tt := range []struct {
		path, header, body, ctype, encoding string
	}{
		{"/?t=" + tok, "", "<title>terminal</title>", "text/html; charset=utf-8", ""},
		{"/index.html?t=" + tok, "", "<title>terminal</title>", "text/html; charset=utf-8", ""},
		{"/terminal/?t=" + tok, "", "<title>terminal</title>", "text/html; charset=utf-8", ""},
		{"/terminal.js", "", "export {}", "text/javascript; charset=utf-8", ""},
		{"/terminal/terminal.css", "", "body{}", "text/css; charset=utf-8", ""},
		{"/sub/dir/module.mjs", "", "export {}", "text/javascript; charset=utf-8", ""},
		{"/js/codec.js", "", "export const codec = 1", "text/javascript; charset=utf-8", ""},
		{"/css/app.css", "", "html{}", "text/css; charset=utf-8", ""},
		{"/wasm/licet.wasm", "", "\x00asm\x01\x00\x00\x00", "application/wasm", ""},
		{"/wasm/licet.wasm", "gzip, deflate", "gzipped", "application/wasm", "gzip"},
		{"/wasm/licet.wasm", "gzip;q=0", "\x00asm\x01\x00\x00\x00", "application/wasm", ""},
		{"/favicon.svg", "", "<svg/>", "image/svg+xml", ""},
	} {
		h := []string{"Accept-Encoding", tt.header}
		if tt.header == "" {
			h = []string{"Accept-Encoding", "identity"}
		}
		resp, b := f.do(http.MethodGet, tt.path, nil, h...)
		if resp.StatusCode != http.StatusOK || string(b) != tt.body || resp.Header.Get("Content-Type") != tt.ctype ||
			resp.Header.Get("Content-Encoding") != tt.encoding {
			t.Errorf("GET %s: %d %q %q %q", tt.path, resp.StatusCode, b, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "'wasm-unsafe-eval'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", tt.path, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: headers %v", tt.path, resp.Header)
		}
	}
	for _, p := range []string{"/nope.js", "/wasm/licet.wasm.gz", "/pages/orders.js", "/etc/passwd", "/terminal/sub", "/js",
		"/../../etc/passwd", "/terminal/../../x"} {
		resp, b := f.do(http.MethodGet, p, nil)
		if resp.StatusCode != http.StatusNotFound || bytes.Contains(b, []byte("portal")) {
			t.Errorf("GET %s: %d %q", p, resp.StatusCode, b)
		}
	}
	// Paths that clean to the page are the page: the token is needed, and
	// the portal's shell is never what comes back.
	for _, p := range []string{"/js/pages/../../index.html", "/terminal/../index.html", "/%2e%2e/index.html", "//index.html"} {
		f.problem(http.StatusUnauthorized, "token-required", http.MethodGet, p, nil)
		resp, b := f.do(http.MethodGet, p, nil, TokenHeader, tok)
		if resp.StatusCode != http.StatusOK || string(b) != "<title>terminal</title>" {
			t.Errorf("GET %s: %d %q", p, resp.StatusCode, b)
		}
	}
	// The portal's modules are shared, its shell is not.
	resp, _ := f.do(http.MethodGet, "/js/pages/orders.js", nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /js/pages/orders.js: %d", resp.StatusCode)
	}
	resp, b := f.do(http.MethodHead, "/?t="+tok, nil)
	if resp.StatusCode != http.StatusOK || len(b) != 0 {
		t.Errorf("HEAD /: %d %q", resp.StatusCode, b)
	}
}

// The page embedded in package site is what GET / serves; files without
// it answer no-page.
func TestEmbeddedPage(t *testing.T) {
	f := newFixture(t, nil)
	want, err := fs.ReadFile(site.Files(), pageFile)
	if err != nil {
		t.Fatal(err)
	}
	resp, b := f.do(http.MethodGet, "/?t="+f.s.token, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, want) || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	bare := newFixture(t, fstest.MapFS{"js/app.js": {Data: []byte("//")}})
	bare.problem(http.StatusNotFound, "no-page", http.MethodGet, "/?t="+bare.s.token, nil)
	// The WebAssembly codec and its loader come from the site too.
	for _, name := range []string{"wasm/wasm_exec.js", "wasm/licet.wasm"} {
		want, err := fs.ReadFile(site.Files(), name)
		if err != nil {
			t.Logf("site has no %s", name)
			continue
		}
		resp, b := f.do(http.MethodGet, "/"+name, nil, "Accept-Encoding", "identity")
		if resp.StatusCode != http.StatusOK || !bytes.Equal(b, want) {
			t.Errorf("GET /%s: %d, %d bytes, want %d", name, resp.StatusCode, len(b), len(want))
		}
	}
}

// FuzzLicense posts arbitrary bodies: the answer is a status or problem
// details with a known code, never a failure of the server.
func FuzzLicense(f *testing.F) {
	fx := newFixture(f, pageFS)
	req, err := fx.a.Request(agent.RequestOptions{Product: product})
	if err != nil {
		f.Fatal(err)
	}
	good := issue(f, vendorKey, req.DeviceCode.String(), product, t0, time.Time{})
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte("-----BEGIN LICET LICENSE-----\nAAAA\n-----END LICET LICENSE-----\n"))
	f.Add([]byte{0xd8, 0x18, 0x40})
	f.Add([]byte(""))
	known := map[string]bool{"invalid": true, "untrusted": true, "wrong-machine": true, "wrong-product": true, "expired": true,
		"not-yet-valid": true, "no-request": true, "released": true, "empty": true, "no-order": true, "too-large": true}
	h := fx.s.Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/api/license", bytes.NewReader(body))
		r.Host = strings.TrimPrefix(fx.base, "http://")
		r.Header.Set(TokenHeader, fx.s.token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusOK:
			var imp Imported
			if err := json.Unmarshal(w.Body.Bytes(), &imp); err != nil || imp.Imported.ID == "" {
				t.Fatalf("200: %v %s", err, w.Body)
			}
		default:
			var p Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || !known[p.Code] || p.Status != w.Code {
				t.Fatalf("%d: %v %s", w.Code, err, w.Body)
			}
		}
	})
}

// An order license posted to /api/license is kept for confirmation codes,
// and a code typed on the page activates the terminal.
func TestOrderAndConfirm(t *testing.T) {
	f := newFixture(t, pageFS)
	ck, err := confirm.NewKeyFromSeed(bytes.Repeat([]byte{0xc0}, confirm.SeedSize))
	if err != nil {
		t.Fatal(err)
	}
	var id codec.ID
	rand.Read(id[:])
	at := codec.At(t0)
	order := &codec.OrderLicense{
		Header:   codec.Header{ID: id, IssuedAt: at, NotBefore: at, NotAfter: at.Add(codec.Days(365))},
		Customer: "Example Site", Product: product, Mode: codec.ModePermanent, Seats: 3,
		Features: map[string]string{"export": "yes"}, ConfirmKey: ck.Public().ConfirmKey(),
	}
	signed, err := codec.Sign(rand.Reader, vendorKey, order)
	if err != nil {
		t.Fatal(err)
	}
	file, err := codec.NewFile(signed)
	if err != nil {
		t.Fatal(err)
	}
	var imp Imported
	f.api(http.MethodPost, "/api/license", file.Armour(), &imp)
	if imp.Imported.Kind != "order" || imp.Imported.ID != id.String() || imp.Imported.Product != product || imp.Licensed {
		t.Fatalf("order: %+v", imp)
	}
	var b Birth
	f.api(http.MethodGet, "/api/birth?product=4660", nil, &b)
	p, err := devcode.Parse(b.DeviceCode)
	if err != nil {
		t.Fatal(err)
	}
	code, err := confirm.New(ck, order, p.Code, 30)
	if err != nil {
		t.Fatal(err)
	}
	var conf Imported
	f.api(http.MethodPost, "/api/confirm", []byte(" "+code.String()+"\n"), &conf)
	if conf.Imported.Kind != "confirmation" || !conf.Licensed || !conf.Classical || conf.Features["export"] != "yes" {
		t.Fatalf("confirm: %+v", conf)
	}
	// The full license for the same request replaces the classical
	// activation.
	var full Imported
	f.api(http.MethodPost, "/api/license", issue(t, vendorKey, b.DeviceCode, product, t0, t0.AddDate(0, 0, 30)), &full)
	if full.Imported.Kind != "license" || !full.Licensed || full.Classical || len(full.Pending) != 0 {
		t.Fatalf("full license: %+v", full)
	}
}

// BenchmarkBirth measures GET /api/birth for a pending request over the
// loopback listener: a status check, the machine read again and the
// request shown again.
func BenchmarkBirth(b *testing.B) {
	f := newFixture(b, pageFS)
	var out Birth
	f.api(http.MethodGet, "/api/birth?product=4660", nil, &out)
	for b.Loop() {
		f.api(http.MethodGet, "/api/birth", nil, &out)
	}
}

// BenchmarkStatus measures GET /api/status of a licensed terminal over the
// loopback listener.
func BenchmarkStatus(b *testing.B) {
	f := newFixture(b, pageFS)
	var out Birth
	f.api(http.MethodGet, "/api/birth?product=4660", nil, &out)
	var imp Imported
	f.api(http.MethodPost, "/api/license", issue(b, vendorKey, out.DeviceCode, product, t0, time.Time{}), &imp)
	var st localapi.Status
	for b.Loop() {
		f.api(http.MethodGet, "/api/status", nil, &st)
	}
}
