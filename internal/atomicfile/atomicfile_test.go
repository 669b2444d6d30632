package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, tc := range []struct {
		data string
		perm os.FileMode
	}{
		{"first", 0o600},
		{"second, longer than the first", 0o644},
		{"", 0o640},
	} {
		if err := Write(p, []byte(tc.data), tc.perm); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != tc.data {
			t.Fatalf("read %q, %v; want %q", b, err, tc.data)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != tc.perm {
			t.Fatalf("mode %v, want %v", fi.Mode().Perm(), tc.perm)
		}
	}
	// No temporary file is left behind, also when the rename fails.
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o700)
	os.Mkdir(filepath.Join(sub, "target"), 0o700)
	os.WriteFile(filepath.Join(sub, "target", "x"), nil, 0o600)
	if err := Write(filepath.Join(sub, "target"), []byte("x"), 0o600); err == nil {
		t.Fatal("replaced a non-empty directory")
	}
	for _, d := range []string{dir, sub} {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if e.Name() != "f" && e.Name() != "sub" && e.Name() != "target" {
				t.Errorf("left behind: %s/%s", d, e.Name())
			}
		}
	}
	if err := Write(filepath.Join(dir, "missing", "f"), nil, 0o600); err == nil {
		t.Fatal("wrote into a missing directory")
	}
}
