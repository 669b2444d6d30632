package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSettingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		if !strings.Contains(string(b), "`"+s.Flag+"`") || !strings.Contains(string(b), "`"+s.Env+"`") {
			t.Errorf("docs/config.md does not document %s (%s)", s.Flag, s.Env)
		}
	}
}

func bind(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	resolve := Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return resolve()
}

func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "licet.conf")
	os.WriteFile(file, []byte("# comment\nlisten = 127.0.0.1:1111\nlog-format = json\nread-timeout = \"45s\"\ndata = /from/file\n"), 0o600)
	c, err := bind(t, []string{"--config", file, "--listen", "127.0.0.1:3333"},
		map[string]string{"LICET_LISTEN": "127.0.0.1:2222", "LICET_LOG_FORMAT": "text", "LICET_DATA": ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:3333" || c.LogFormat != "text" || c.ReadTimeout != 45*time.Second || c.DataDir != "/from/file" {
		t.Errorf("flag > env > file > default broken: %+v", c)
	}
	if c.WriteTimeout != 60*time.Second || c.SessionTTL != 30*time.Minute {
		t.Errorf("defaults: %+v", c)
	}
	c, err = bind(t, nil, map[string]string{"LICET_CONFIG": file, "LICET_LISTEN": "127.0.0.1:2222"})
	if err != nil || c.Listen != "127.0.0.1:2222" || c.LogFormat != "json" {
		t.Errorf("env over file: %+v %v", c, err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	n := 0
	write := func(s string) string {
		n++
		p := filepath.Join(dir, fmt.Sprintf("c%d.conf", n))
		os.WriteFile(p, []byte(s), 0o600)
		return p
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--read-timeout", "soon"}, nil, "--read-timeout"},
		{[]string{"--idle-timeout", "-3s"}, nil, "positive"},
		{nil, map[string]string{"LICET_LOG_FORMAT": "xml"}, "LICET_LOG_FORMAT"},
		{[]string{"--listen", "8080"}, nil, "host:port"},
		{[]string{"--database", "mysql://x"}, nil, "postgres://"},
		{[]string{"--tls-cert", "a.pem"}, nil, "go together"},
		{[]string{"--tls-self-signed=maybe"}, nil, "true or false"},
		{[]string{"--public-url", "ftp://x"}, nil, "--public-url"},
		{[]string{"--config", write("listen 127.0.0.1:1\n")}, nil, "c1.conf:1: expected key = value"},
		{[]string{"--config", write("\nlisten-adress = 127.0.0.1:1\n")}, nil, `c2.conf:2: unknown setting "listen-adress"`},
		{[]string{"--config", write("write-timeout = 1x\n")}, nil, "c3.conf:1: write-timeout"},
		{[]string{"--config", filepath.Join(dir, "missing.conf")}, nil, "reading configuration"},
		{[]string{"--session-ttl", "13h"}, nil, "--session-ttl: 13h0m0s is longer than 12h0m0s"},
	} {
		_, err := bind(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: error %v, want one containing %q", tc.args, tc.env, err, tc.want)
		}
	}
}

// syncBuffer is a console safe to read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs the server until the test ends and returns its URL.
func start(t *testing.T, cfg Config) (string, *syncBuffer, context.CancelFunc, chan error) {
	t.Helper()
	console := &syncBuffer{}
	cfg.Console, cfg.Log = console, io.Discard
	ready := make(chan string, 1)
	cfg.Ready = func(u string) { ready <- u }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	select {
	case u := <-ready:
		return u, console, cancel, done
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	return "", nil, cancel, done
}

func TestRunFirstStartAndRestart(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Listen = "127.0.0.1:0"
	cfg.TLSSelfSigned = true
	asked := 0
	cfg.Passphrase = func(confirm bool) ([]byte, error) {
		asked++
		if asked == 1 && !confirm {
			t.Error("first start did not ask to confirm the passphrase")
		}
		return []byte("server test passphrase"), nil
	}
	u, console, cancel, done := start(t, cfg)
	out := console.String()
	if !strings.HasPrefix(u, "https://127.0.0.1:") || !strings.Contains(out, "Licet portal: "+u) ||
		!strings.Contains(out, u+"/setup#") || !strings.Contains(out, "fingerprint: ") {
		t.Errorf("console:\n%s", out)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/api/v1/openapi.json", "/", "/setup", "/R/ABCDEF"} {
		res, err := hc.Get(u + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	if strings.Contains(out, "server test passphrase") {
		t.Error("the passphrase reached the console")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	// Second start: same key, same certificate, a new setup link (no
	// account yet), and a wrong passphrase is refused.
	_, console2, cancel2, done2 := start(t, cfg)
	if !strings.Contains(console2.String(), firstLine(out, "Root key:")) || !strings.Contains(console2.String(), firstLine(out, "fingerprint:")) {
		t.Errorf("restart changed the key or certificate:\n%s\n%s", out, console2.String())
	}
	cancel2()
	<-done2
	cfg.Passphrase = func(bool) ([]byte, error) { return []byte("wrong"), nil }
	cfg.Console = io.Discard
	err := Run(context.Background(), cfg)
	var pe *PassphraseError
	if err == nil || !asPassphrase(err, &pe) {
		t.Errorf("wrong passphrase: %v", err)
	}
}

func asPassphrase(err error, pe **PassphraseError) bool {
	p, ok := err.(*PassphraseError)
	*pe = p
	return ok
}

func firstLine(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, prefix) {
			return l
		}
	}
	return "\x00missing " + prefix
}

// TestSessionCookieFollowsTLS: over HTTPS the session cookie is the
// __Host- prefixed, Secure one; over plain HTTP (loopback development),
// where browsers would refuse that cookie, it is a plain HttpOnly one. The
// portal signs in either way.
func TestSessionCookieFollowsTLS(t *testing.T) {
	for _, tc := range []struct {
		tls    bool
		name   string
		secure bool
	}{{true, "__Host-licet_session", true}, {false, "licet_session", false}} {
		t.Run(fmt.Sprintf("tls=%v", tc.tls), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.DataDir = t.TempDir()
			cfg.Listen = "127.0.0.1:0"
			cfg.TLSSelfSigned = tc.tls
			cfg.Passphrase = func(bool) ([]byte, error) { return []byte("server test passphrase"), nil }
			u, console, cancel, done := start(t, cfg)
			defer func() { cancel(); <-done }()
			tok := strings.Fields(console.String()[strings.Index(console.String(), "/setup#")+len("/setup#"):])[0]

			jar, _ := cookiejar.New(nil)
			hc := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
			body := fmt.Sprintf(`{"token":%q,"username":"admin","password":"a long admin password"}`, tok)
			res, err := hc.Post(u+"/api/v1/auth/setup", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("setup: %s", res.Status)
			}
			var c *http.Cookie
			for _, x := range res.Cookies() {
				if strings.HasSuffix(x.Name, "licet_session") {
					c = x
				}
			}
			if c == nil || c.Name != tc.name || c.Secure != tc.secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" ||
				c.SameSite != http.SameSiteStrictMode {
				t.Fatalf("session cookie %+v, want %s secure=%v", c, tc.name, tc.secure)
			}
			res, err = hc.Get(u + "/api/v1/auth/session")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("session with the cookie: %s", res.Status)
			}
		})
	}
}
