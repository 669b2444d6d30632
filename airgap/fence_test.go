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

// TestFence keeps gozxing (about 0.7 MB of WebAssembly) out of every airgap
// package but scan, as built for js/wasm. The fence that keeps net/http,
// os/exec and database/sql out of airgap and codec is codec's
// TestDependencyFence.
func TestFence(t *testing.T) {
	cmd := exec.Command(goTool(t), "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "licet.dev/licet/airgap/...")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	n := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		n++
		for _, dep := range deps {
			if strings.HasPrefix(dep, "github.com/makiuchi-d/gozxing") && pkg != "licet.dev/licet/airgap/scan" {
				t.Errorf("%s imports %s; only airgap/scan may", pkg, dep)
			}
		}
	}
	if n < 5 {
		t.Fatalf("go list found only %d airgap packages:\n%s", n, out)
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
