package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
	"licet.dev/licet/site"
)

const testPassphrase = "correct horse battery staple"

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one API on a real loopback listener with a fresh store.
type env struct {
	t     testing.TB
	api   *API
	srv   *httptest.Server
	store *store.Store
	clock *clock
	keys  *Keyring
}

func newEnv(t testing.TB, st *store.Store) *env {
	t.Helper()
	ck := &clock{t: time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC)}
	keys, created, err := OpenKeyring(context.Background(), st, func(bool) ([]byte, error) { return []byte(testPassphrase), nil },
		rand.Reader, ck.now())
	if err != nil || !created {
		t.Fatalf("OpenKeyring: created=%v err=%v", created, err)
	}
	a, err := New(Options{Store: st, Keys: keys, Now: ck.now, PublicURL: "http://portal.test", Version: "test", Site: site.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return &env{t: t, api: a, srv: srv, store: st, clock: ck, keys: keys}
}

// newEnvOn starts a second API server on e's store, keys and clock: a
// replica sharing the database.
func newEnvOn(t testing.TB, e *env) *env {
	t.Helper()
	a, err := New(Options{Store: e.store, Keys: e.keys, Now: e.clock.now, PublicURL: "http://portal.test", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return &env{t: t, api: a, srv: srv, store: e.store, clock: e.clock, keys: e.keys}
}

// client is a browser-like client: a cookie jar and the CSRF token.
type client struct {
	e      *env
	hc     *http.Client
	csrf   string
	bearer string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

// admin creates the first admin through the setup link and returns its
// signed-in client.
func (e *env) admin() *client {
	e.t.Helper()
	tok, ok, err := e.api.Auth().EnsureSetupToken(context.Background())
	if err != nil || !ok {
		e.t.Fatalf("setup token: %v %v", ok, err)
	}
	c := e.anon()
	var s session
	c.must("POST", "/api/v1/auth/setup", map[string]string{"token": tok.Reveal(), "username": "Admin", "password": "a long admin password"}, 201, &s)
	c.csrf = s.CSRFToken
	return c
}

// login signs c in again as name.
func (c *client) login(name, password string) {
	c.e.t.Helper()
	var s session
	c.must("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": password}, 200, &s)
	c.csrf = s.CSRFToken
}

// user creates an account with a role and signs it in.
func (e *env) user(admin *client, name, role string) *client {
	e.t.Helper()
	admin.must("POST", "/api/v1/accounts", map[string]string{"username": name, "password": "password of " + name, "role": role}, 201, nil)
	c := e.anon()
	var s session
	c.must("POST", "/api/v1/auth/login", map[string]string{"username": name, "password": "password of " + name}, 200, &s)
	c.csrf = s.CSRFToken
	return c
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem(t *testing.T) problem {
	t.Helper()
	var p problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want problem details; body %s", ct, r.body)
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body: %v: %s", err, r.body)
	}
	return p
}

func (c *client) do(method, path string, body any) response {
	c.e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" && stateChanging(method) {
		req.Header.Set(auth.CSRFHeader, c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// must does a request, checks the status and decodes the JSON body into out.
func (c *client) must(method, path string, body any, status int, out any) response {
	c.e.t.Helper()
	r := c.do(method, path, body)
	if r.status != status {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, strings.TrimSpace(string(r.body)))
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			c.e.t.Fatalf("%s %s: decoding %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// used reads an optional seat count; -1 when absent.
func used(n *int) int {
	if n == nil {
		return -1
	}
	return *n
}
