package licetdcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/agent/webui"
	"licet.dev/licet/internal/command"
)

// lineWriter collects output and hands each complete line to a channel.
type lineWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(w.buf.Next(i + 1))
		select {
		case w.lines <- strings.TrimSuffix(line, "\n"):
		default:
		}
	}
}

func TestRunWeb(t *testing.T) {
	e, _, errb := testEnv(t)
	out := &lineWriter{lines: make(chan string, 16)}
	e.Stdout = out
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.Context = ctx
	done := make(chan int, 1)
	go func() { done <- Main([]string{"run", "--web", "127.0.0.1:0"}, e) }()

	var url string
	select {
	case l := <-out.lines:
		var ok bool
		if url, ok = strings.CutPrefix(l, "activation page: "); !ok {
			t.Fatalf("first line %q", l)
		}
	case code := <-done:
		t.Fatalf("licetd run exited %d: %s", code, errb)
	case <-time.After(10 * time.Second):
		t.Fatal("no URL printed")
	}
	state := e.Getenv("LICETD_STATE")
	b, err := os.ReadFile(filepath.Join(state, webui.URLFile))
	if err != nil || string(b) != url+"\n" {
		t.Fatalf("URL file %q %v, printed %q", b, err, url)
	}
	base, tok, ok := strings.Cut(url, "/?t=")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") || len(tok) != 43 {
		t.Fatalf("URL %q", url)
	}

	hc := &http.Client{}
	defer hc.CloseIdleConnections()
	resp, err := hc.Get(base + "/api/birth?product=4660&t=" + tok)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var birth webui.Birth
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &birth) != nil || birth.Product != 4660 || len(birth.DeviceCode) != 29 {
		t.Fatalf("birth: %d %s", resp.StatusCode, body)
	}
	// The request the page made is the one licetd request shows.
	e2, out2, _ := testEnv(t)
	e2.Getenv = e.Getenv
	if code := Main([]string{"request", "--product", "4660", "--json"}, e2); code != 0 {
		t.Fatalf("licetd request: exit %d", code)
	}
	if !strings.Contains(out2.String(), birth.DeviceCode) {
		t.Fatalf("licetd request shows %s, the page %s", out2, birth.DeviceCode)
	}
	resp, err = hc.Get(base + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status without the token: %d", resp.StatusCode)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("licetd run exited %d: %s", code, errb)
	}
	if _, err := os.Stat(filepath.Join(state, webui.URLFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("URL file after stop: %v", err)
	}
	if strings.Contains(errb.String(), tok) {
		t.Fatal("the token is in the log")
	}
}

func TestRunWebRefusesNetwork(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", ":8080", "192.0.2.1:80", "[::]:0"} {
		e, _, errb := testEnv(t)
		if code := Main([]string{"run", "--web", addr}, e); code != command.ExitUsage || !strings.Contains(errb.String(), "not a loopback address") {
			t.Errorf("licetd run --web %s: exit %d: %s", addr, code, errb)
		}
	}
	e, _, errb := testEnv(t)
	env := e.Getenv
	e.Getenv = func(k string) string {
		if k == "LICETD_WEB" {
			return "0.0.0.0:0"
		}
		return env(k)
	}
	if code := Main([]string{"run"}, e); code != command.ExitUsage || !strings.Contains(errb.String(), "LICETD_WEB") {
		t.Errorf("LICETD_WEB=0.0.0.0:0: exit %d: %s", code, errb)
	}
}
