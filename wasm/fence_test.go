package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestFence keeps the module, as built for js/wasm, free of gozxing (the
// browser scans with BarcodeDetector or zxing-wasm; gozxing would add
// about 0.7 MB gzipped), of the network and of processes.
func TestFence(t *testing.T) {
	if runtime.GOOS == "js" {
		t.Skip("no go command under js/wasm")
	}
	gotool := filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	if _, err := os.Stat(gotool); err != nil {
		if gotool, err = exec.LookPath("go"); err != nil {
			t.Skip("no go command")
		}
	}
	cmd := exec.Command(gotool, "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list found only %v", deps)
	}
	for _, dep := range deps {
		switch {
		case strings.Contains(dep, "gozxing"), dep == "licet.dev/licet/airgap/scan",
			dep == "net/http", dep == "os/exec", dep == "database/sql":
			t.Errorf("the WebAssembly module links %s", dep)
		}
	}
}
