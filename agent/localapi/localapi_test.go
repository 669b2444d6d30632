package localapi

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type fakeSource struct {
	mu sync.Mutex
	st Status
}

func (f *fakeSource) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.st
}

func (f *fakeSource) License() ([]byte, bool) {
	st := f.Status()
	if !st.Licensed {
		return nil, false
	}
	return []byte("-----BEGIN LICET LICENSE-----\n"), true
}

func serve(t *testing.T, src Source) (*Client, string) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "api.sock")
	ln, err := Listen(sock, 0o660, -1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, src) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	c := NewClient(sock)
	t.Cleanup(c.Close)
	return c, sock
}

func TestAPI(t *testing.T) {
	exp := time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
	days := 31
	src := &fakeSource{st: Status{Licensed: true, State: StateLicensed, Product: 7, Features: map[string]string{"seats": "5"},
		ExpiresAt: &exp, DaysLeft: &days, Warnings: []string{}}}
	c, sock := serve(t, src)
	ctx := context.Background()

	fi, err := os.Stat(sock)
	if err != nil || fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket %v, %v", fi.Mode(), err)
	}
	st, err := c.Status(ctx)
	if err != nil || !st.Licensed || st.Product != 7 || !st.ExpiresAt.Equal(exp) || *st.DaysLeft != 31 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	f, err := c.Feature(ctx, "seats")
	if err != nil || !f.Granted || f.Value != "5" || f.Name != "seats" {
		t.Fatalf("feature: %+v, %v", f, err)
	}
	f, err = c.Feature(ctx, "a b/c")
	if err != nil || f.Granted || f.Name != "a b/c" {
		t.Fatalf("odd feature name: %+v, %v", f, err)
	}
	lic, err := c.License(ctx)
	if err != nil || !strings.HasPrefix(string(lic), "-----BEGIN") {
		t.Fatalf("license: %q, %v", lic, err)
	}

	src.mu.Lock()
	src.st = Status{State: StateExpired, Reason: "expired", Features: map[string]string{"seats": "5"}}
	src.mu.Unlock()
	if f, _ := c.Feature(ctx, "seats"); f.Granted || f.Licensed || f.State != StateExpired {
		t.Fatalf("feature when not licensed: %+v", f)
	}
	var p *Problem
	if _, err := c.License(ctx); !errors.As(err, &p) || p.Status != 404 || p.Code != "no-license" {
		t.Fatalf("license when not licensed: %v", err)
	}
	if err := c.getJSON(ctx, "/v2/status", &st); !errors.As(err, &p) || p.Code != "not-found" {
		t.Fatalf("unknown path: %v", err)
	}

	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Post("http://licetd/v1/status", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("POST: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestListen(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "sub", "api.sock")
	// A socket left behind by a process that is gone is replaced.
	os.MkdirAll(filepath.Dir(sock), 0o755)
	old, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	old.(*net.UnixListener).SetUnlinkOnClose(false)
	old.Close()
	ln, err := Listen(sock, 0o600, -1)
	if err != nil {
		t.Fatalf("stale socket: %v", err)
	}
	// A live one is not.
	if _, err := Listen(sock, 0o600, -1); err == nil || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("live socket: %v", err)
	}
	ln.Close()
	if _, err := os.Lstat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket left after close: %v", err)
	}
	// Nor is a file that is not a socket.
	os.WriteFile(sock, []byte("x"), 0o600)
	if _, err := Listen(sock, 0o600, -1); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("regular file: %v", err)
	}
	os.Remove(sock)

	// The socket is made aside and linked into place with its mode and
	// group set; nothing else is left in the directory.
	ln, err = Listen(sock, 0o640, os.Getgid())
	if err != nil {
		t.Fatal(err)
	}
	if a := ln.Addr().String(); a != sock {
		t.Errorf("Addr %q, want %q", a, sock)
	}
	if fi, err := os.Lstat(sock); err != nil || fi.Mode()&fs.ModeSocket == 0 || fi.Mode().Perm() != 0o640 {
		t.Fatalf("socket: %v, %v", fi.Mode(), err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(sock)); len(ents) != 1 {
		t.Errorf("directory holds %d entries, want the socket alone", len(ents))
	}
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	c.Close()
	// Closing leaves a socket that replaced this one in place.
	os.Remove(sock)
	other, err := Listen(sock, 0o600, -1)
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := os.Lstat(sock); err != nil {
		t.Fatalf("the other socket is gone: %v", err)
	}
	other.Close()
	if _, err := os.Lstat(sock); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("socket left after close: %v", err)
	}
}

func TestClientNoDaemon(t *testing.T) {
	c := NewClient(filepath.Join(t.TempDir(), "none.sock"))
	defer c.Close()
	if _, err := c.Status(context.Background()); err == nil || !strings.Contains(err.Error(), "none.sock") {
		t.Fatalf("no daemon: %v", err)
	}
}

// BenchmarkStatus measures one status query over the socket with a fixed
// answer: the cost of the API itself.
func BenchmarkStatus(b *testing.B) {
	days := 3
	src := &fakeSource{st: Status{Licensed: true, State: StateLicensed, Product: 7, DaysLeft: &days, Warnings: []string{}}}
	sock := filepath.Join(b.TempDir(), "api.sock")
	ln, err := Listen(sock, 0o600, -1)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go Serve(ctx, ln, src)
	c := NewClient(sock)
	defer c.Close()
	for b.Loop() {
		if _, err := c.Status(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
