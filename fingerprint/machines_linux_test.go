package fingerprint

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"licet.dev/licet/fingerprint/fingerprinttest"
)

var update = flag.Bool("update", false, "rewrite testdata/machines from fingerprinttest")

// testdataMachines are the trees checked in under testdata/machines, for
// trying the tools by hand (--sysroot) and for tests of other packages.
func testdataMachines() map[string]fingerprinttest.Machine {
	replaced := fingerprinttest.Workstation(1)
	replaced.NICs[1].MAC = fingerprinttest.MAC(1, "replacement")
	clone := fingerprinttest.Workstation(2)
	clone.MachineID = fingerprinttest.MachineID(1)
	return map[string]fingerprinttest.Machine{
		"workstation":              fingerprinttest.Workstation(1),
		"workstation-nic-replaced": replaced,
		"workstation-clone":        clone,
		"server":                   fingerprinttest.Server(1),
		"ci-runner":                fingerprinttest.CIRunner(1),
		"container":                fingerprinttest.Container(1),
	}
}

// tree lists a directory: "path -> target" for links, "path: content" for
// files.
func tree(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, rel+" -> "+target)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, rel+": "+string(b))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestTestdataMachines(t *testing.T) {
	for name, m := range testdataMachines() {
		dir := filepath.Join("testdata", "machines", name)
		if *update {
			if err := os.RemoveAll(dir); err != nil {
				t.Fatal(err)
			}
			if err := m.WriteTo(dir); err != nil {
				t.Fatal(err)
			}
			// Keep the trees readable after a checkout by anyone.
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					os.Chmod(p, 0o644)
				}
				return err
			})
		}
		got, want := tree(t, dir), tree(t, fingerprinttest.Build(t, m))
		if !slices.Equal(got, want) {
			t.Errorf("%s differs from fingerprinttest (go test -run TestTestdataMachines -update):\n%s", dir,
				strings.Join(diff(got, want), "\n"))
		}
	}
	s := func(name string) *Snapshot {
		s, err := Collect(Options{Sysroot: filepath.Join("testdata", "machines", name), Product: product})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	birth := record(t, s("workstation"))
	if res := s("workstation-nic-replaced").Match(birth, Fuzzy); !res.OK {
		t.Errorf("NIC replaced: %s", res)
	}
	if res := s("workstation-clone").Match(birth, Fuzzy); res.OK {
		t.Errorf("clone matched: %s", res)
	}
	for name, weak := range map[string]bool{"workstation": false, "server": false, "ci-runner": true, "container": true} {
		if got := s(name).Weak; got != weak {
			t.Errorf("%s: weak = %v, want %v", name, got, weak)
		}
	}
}

func diff(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, "- "+x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			out = append(out, "+ "+x)
		}
	}
	return out
}
