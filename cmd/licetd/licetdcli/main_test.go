package licetdcli

import (
	"bytes"
	"flag"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

func testEnv(t *testing.T) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	dir := t.TempDir()
	env := map[string]string{
		"LICETD_CONFIG":       filepath.Join(dir, "none.conf"),
		"LICETD_STATE":        filepath.Join(dir, "state"),
		"LICETD_SYSROOT":      fingerprinttest.Build(t, fingerprinttest.Workstation(1)),
		"LICETD_LICENSE_FILE": filepath.Join(dir, "license"),
		"LICETD_SOCKET":       filepath.Join(dir, "s.sock"),
	}
	os.WriteFile(env["LICETD_CONFIG"], nil, 0o644)
	return &Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) },
		Rand:   &lockedRand{r: rand.NewChaCha8([32]byte{'l', 'i', 'c', 'e', 't', 'd'})},
	}, &out, &errb
}

// lockedRand is a deterministic random source that, like crypto/rand, may
// be read from several goroutines: licetd run reads Env.Rand from the
// daemon and from its activation page at once.
type lockedRand struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedRand) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

func TestExitCodes(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{}, 0, ""},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"status"}, 3, ""},
		{[]string{"status", "--json"}, 3, ""},
		{[]string{"status", "extra"}, 2, "unexpected argument"},
		{[]string{"status", "--warn-days", "x"}, 2, "--warn-days"},
		{[]string{"status", "-h"}, 0, "usage: licetd status"},
		{[]string{"request"}, 2, "--product is required"},
		{[]string{"request", "--product", "70000"}, 2, "want a number from 1 to 65535"},
		{[]string{"request", "--product", "0x1234", "--png", "x.png"}, 1, "--png: no request URL"},
		{[]string{"import"}, 2, "want one license file"},
		{[]string{"import", "-"}, 1, "not a Licet license file"},
		{[]string{"release"}, 1, "no license held"},
		{[]string{"reset"}, 0, ""},
	} {
		e, out, errb := testEnv(t)
		if got := Main(tt.args, e); got != tt.code {
			t.Errorf("licetd %v: exit %d, want %d\nstdout: %s\nstderr: %s", tt.args, got, tt.code, out, errb)
		}
		if !strings.Contains(errb.String(), tt.stderr) {
			t.Errorf("licetd %v: stderr %q, want %q", tt.args, errb, tt.stderr)
		}
	}
}

// TestPackaging checks that the systemd unit's command line and the
// example configuration file are accepted.
func TestPackaging(t *testing.T) {
	unit, err := os.ReadFile("../../../packaging/licetd.service")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, l := range strings.Split(string(unit), "\n") {
		if rest, ok := strings.CutPrefix(l, "ExecStart="); ok {
			args = strings.Fields(rest)
		}
	}
	if len(args) < 2 || filepath.Base(args[0]) != "licetd" {
		t.Fatalf("ExecStart %q", args)
	}
	if e, _, _ := testEnv(t); Main([]string{args[1], "-h"}, e) != 0 {
		t.Fatalf("ExecStart %q: no command %q", args, args[1])
	}
	for i, a := range args {
		if a == "/etc/licetd/config" {
			args[i] = "../../../packaging/licetd.config"
		}
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	resolve := agent.Bind(fs, func(string) string { return "" })
	if err := fs.Parse(args[2:]); err != nil {
		t.Fatal(err)
	}
	cfg, err := resolve()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Trust) != 1 || cfg.State != agent.DefaultState {
		t.Fatalf("example configuration: %+v", cfg)
	}
}
