//go:build !js

// The fence asks the go command, which a js/wasm test binary cannot run.

package codec

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The dependency fence (DESIGN section 8): the wire formats in codec and
// the offline exchanges in airgap must run in a browser and on an
// air-gapped terminal, so neither may reach for a network server, a
// subprocess or a database. The test asks the go command for every
// package they depend on, directly or not, for the host and for js/wasm.

// fenced are the packages kept out, with the packages below them
// (net/http/httptrace, database/sql/driver).
var fenced = []string{"net/http", "os/exec", "database/sql"}

// fencedTrees are the module's package trees behind the fence, relative to
// the module root. A tree that does not exist yet is skipped.
var fencedTrees = []string{"codec", "airgap"}

func goTool(t *testing.T) string {
	t.Helper()
	name := "go"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", name); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list dependencies with")
	}
	return p
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestDependencyFence(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	gocmd := goTool(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	for _, tree := range fencedTrees {
		if fileExists(filepath.Join(root, tree)) {
			patterns = append(patterns, "./"+tree+"/...")
		}
	}
	if len(patterns) == 0 {
		t.Fatal("no fenced package tree found")
	}
	for _, target := range []struct{ goos, goarch string }{{runtime.GOOS, runtime.GOARCH}, {"js", "wasm"}} {
		t.Run(target.goos+"_"+target.goarch, func(t *testing.T) {
			// For each fenced package, the packages it imports directly or
			// indirectly (tests excluded: they may use the go command).
			args := append([]string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}, patterns...)
			cmd := exec.Command(gocmd, args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS="+target.goos, "GOARCH="+target.goarch, "CGO_ENABLED=0")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) < 2 {
				t.Fatalf("go list found only %q", out)
			}
			for _, line := range lines {
				fields := strings.Fields(line)
				pkg, deps := fields[0], fields[1:]
				for _, d := range deps {
					for _, bad := range fenced {
						if d == bad || strings.HasPrefix(d, bad+"/") {
							t.Errorf("%s depends on %s", pkg, bad)
						}
					}
				}
			}
		})
	}
}
