package airgap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goTool returns the go command that runs the tests.
func goTool(t *testing.T) string {
	t.Helper()
	p := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		if p, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command")
		}
	}
	return p
}

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command(goTool(t), append([]string{"list"}, args...)...)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return strings.Fields(string(out))
}

// TestFence keeps airgap and its subpackages, as built for js/wasm, free of
// the network client and server, processes and databases, and keeps
// gozxing (about 0.7 MB of WebAssembly) out of everything but scan.
func TestFence(t *testing.T) {
	pkgs := goList(t, "licet.dev/licet/airgap/...")
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %v", pkgs)
	}
	for _, pkg := range pkgs {
		for _, dep := range goList(t, "-deps", pkg) {
			switch {
			case dep == "net/http", dep == "os/exec", dep == "database/sql", strings.HasPrefix(dep, "net/http/"):
				t.Errorf("%s imports %s", pkg, dep)
			case strings.HasPrefix(dep, "github.com/makiuchi-d/gozxing") && pkg != "licet.dev/licet/airgap/scan":
				t.Errorf("%s imports %s; only airgap/scan may", pkg, dep)
			}
		}
	}
}

// TestBuildsForWasm builds every airgap package for js/wasm.
func TestBuildsForWasm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds for js/wasm")
	}
	cmd := exec.Command(goTool(t), "build", "licet.dev/licet/airgap/...")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOOS=js GOARCH=wasm go build: %v\n%s", err, out)
	}
}
