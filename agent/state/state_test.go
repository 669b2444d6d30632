package state

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func open(t testing.TB, dir string, binding string) *Dir {
	t.Helper()
	d, err := Open(dir, Options{Binding: []byte(binding)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestPutGetDelete(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "licetd")
	d := open(t, dir, "machine-a")
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode: %v %v", fi, err)
	}
	if _, err := d.Get("license"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get of a missing file: %v", err)
	}
	for _, data := range [][]byte{[]byte("first"), []byte("second, longer content"), {}} {
		if err := d.Put("license", data); err != nil {
			t.Fatal(err)
		}
		got, err := d.Get("license")
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("Get = %q, %v; want %q", got, err, data)
		}
	}
	fi, err := os.Stat(filepath.Join(dir, "license"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode: %v %v", fi, err)
	}
	// A second Open of the same directory reads the same files.
	d2 := open(t, dir, "machine-a")
	if got, err := d2.Get("license"); err != nil || len(got) != 0 {
		t.Errorf("reopened Get = %q, %v", got, err)
	}
	d.Put("birth", []byte{1, 2, 3})
	if names, err := d.Names(); err != nil || strings.Join(names, ",") != "birth,license" {
		t.Errorf("Names = %v, %v", names, err)
	}
	if err := d.Delete("license"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete("license"); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	if _, err := d.Get("license"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get after Delete: %v", err)
	}
	// No temporary files are left behind.
	es, _ := os.ReadDir(dir)
	for _, e := range es {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			t.Errorf("left %s", e.Name())
		}
	}
	if err := d.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
}

func TestNames(t *testing.T) {
	d := open(t, t.TempDir(), "")
	for _, bad := range []string{"", ".hidden", "a/b", "../x", "Upper", "a b", KeyFile, LockFile, strings.Repeat("a", 65), "-x"} {
		if err := d.Put(bad, nil); err == nil {
			t.Errorf("Put(%q) accepted", bad)
		}
		if _, err := d.Get(bad); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Get(%q) = %v", bad, err)
		}
	}
	if err := d.Put(ClockName, []byte("x")); err == nil {
		t.Error("Put of the clock accepted")
	}
	if _, err := d.Get(ClockName); err == nil {
		t.Error("Get of the clock accepted")
	}
	if err := d.Put("big", make([]byte, MaxSize+1)); err == nil {
		t.Error("oversized Put accepted")
	}
	if err := d.Put("lease-2026.cose", []byte("x")); err != nil {
		t.Errorf("valid name refused: %v", err)
	}
}

// damage describes one way a stored file goes wrong.
func TestDamageDetected(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, dir string)
		want   error
		reason string
	}{
		{"byte flipped in content", func(t *testing.T, dir string) { flip(t, dir, "license", headerSize+2) }, ErrTampered, "does not match its seal"},
		{"byte flipped in seal", func(t *testing.T, dir string) { flip(t, dir, "license", -1) }, ErrTampered, "does not match its seal"},
		{"truncated", func(t *testing.T, dir string) { truncate(t, dir, "license", 10) }, ErrCorrupt, "truncated"},
		{"cut short by one byte", func(t *testing.T, dir string) { truncate(t, dir, "license", -1) }, ErrCorrupt, "length field"},
		{"empty", func(t *testing.T, dir string) { truncate(t, dir, "license", 0) }, ErrCorrupt, "truncated"},
		{"extended", func(t *testing.T, dir string) {
			b := read(t, dir, "license")
			write(t, dir, "license", append(b, 0))
		}, ErrCorrupt, "length field"},
		{"replaced by text", func(t *testing.T, dir string) {
			write(t, dir, "license", []byte(strings.Repeat(`{"licensed": true}`, 5)))
		}, ErrCorrupt, "not a sealed state file"},
		{"format version changed", func(t *testing.T, dir string) { flip(t, dir, "license", 8) }, ErrCorrupt, "version"},
		{"another file copied over it", func(t *testing.T, dir string) {
			write(t, dir, "license", read(t, dir, "other"))
		}, ErrTampered, "does not match its seal"},
		{"key id edited", func(t *testing.T, dir string) { flip(t, dir, "license", 10) }, ErrWrongMachine, "another key"},
		{"huge length field", func(t *testing.T, dir string) {
			b := read(t, dir, "license")
			b[17] = 0xff
			write(t, dir, "license", b)
		}, ErrCorrupt, "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d := open(t, dir, "m")
			if err := d.Put("license", []byte("licensed until 2027")); err != nil {
				t.Fatal(err)
			}
			if err := d.Put("other", []byte("licensed until 2099")); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, dir)
			got, err := d.Get("license")
			if got != nil {
				t.Errorf("Get returned %q with an error", got)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Get error %v, want %v", err, tc.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Name != "license" || !strings.Contains(fe.Reason, tc.reason) {
				t.Errorf("error %v: want *FileError on license with %q", err, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "state: license is ") {
				t.Errorf("message %q", err)
			}
			if cerr := d.Check(); !errors.Is(cerr, tc.want) {
				t.Errorf("Check = %v", cerr)
			}
		})
	}
}

func TestCopiedToAnotherMachine(t *testing.T) {
	a := t.TempDir()
	d := open(t, a, "machine-a")
	d.Put("license", []byte("L"))
	d.AdvanceClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))

	// The whole directory, install.key included, is copied.
	b := t.TempDir()
	for _, n := range []string{KeyFile, "license", ClockName} {
		write(t, b, n, read(t, a, n))
	}
	other := open(t, b, "machine-b")
	if _, err := other.Get("license"); !errors.Is(err, ErrWrongMachine) || !errors.Is(err, ErrTampered) {
		t.Errorf("license on another machine: %v", err)
	}
	if _, err := other.Clock(); !errors.Is(err, ErrWrongMachine) {
		t.Errorf("clock on another machine: %v", err)
	}
	// The same binding reads it: the copy is byte-exact.
	if got, err := open(t, b, "machine-a").Get("license"); err != nil || string(got) != "L" {
		t.Errorf("same binding: %q %v", got, err)
	}
	// Without install.key a fresh secret would orphan the files: refused.
	os.Remove(filepath.Join(b, KeyFile))
	_, err := Open(b, Options{Binding: []byte("machine-a")})
	var fe *FileError
	if !errors.As(err, &fe) || fe.Name != KeyFile || !errors.Is(err, ErrTampered) {
		t.Errorf("Open without install.key: %v", err)
	}
	// A foreign install.key (another install on the same machine).
	c := t.TempDir()
	open(t, c, "machine-a")
	write(t, b, KeyFile, read(t, c, KeyFile))
	if _, err := open(t, b, "machine-a").Get("license"); !errors.Is(err, ErrWrongMachine) {
		t.Errorf("foreign install key: %v", err)
	}
}

func TestInstallKeyDamaged(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(b []byte) []byte
	}{
		{"flipped", func(b []byte) []byte { b[20] ^= 1; return b }},
		{"truncated", func(b []byte) []byte { return b[:30] }},
		{"empty", func(b []byte) []byte { return nil }},
		{"text", func(b []byte) []byte { return []byte("secret") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			open(t, dir, "")
			write(t, dir, KeyFile, tc.mod(read(t, dir, KeyFile)))
			_, err := Open(dir, Options{})
			var fe *FileError
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &fe) || fe.Name != KeyFile {
				t.Errorf("Open = %v", err)
			}
		})
	}
}

func TestStaleTempRemoved(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, "")
	d.Put("license", []byte("L"))
	// A crash between write and rename leaves a temporary file.
	stale := filepath.Join(dir, tmpPrefix+"license-0011223344556677")
	write(t, dir, filepath.Base(stale), []byte("partial"))
	open(t, dir, "")
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	if names, _ := d.Names(); strings.Join(names, ",") != "license" {
		t.Errorf("Names = %v", names)
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := Open("", Options{}); err == nil {
		t.Error("empty path accepted")
	}
	f := filepath.Join(t.TempDir(), "file")
	os.WriteFile(f, nil, 0o600)
	if _, err := Open(f, Options{}); err == nil {
		t.Error("a file accepted as directory")
	}
	if _, err := Open(t.TempDir(), Options{Rand: bytes.NewReader(nil)}); err == nil {
		t.Error("failing random source accepted")
	}
}

func TestClock(t *testing.T) {
	dir := t.TempDir()
	d := open(t, dir, "m")
	if c, err := d.Clock(); err != nil || !c.IsZero() {
		t.Fatalf("initial clock %v %v", c, err)
	}
	t1 := time.Date(2026, 5, 1, 12, 0, 0, 123456789, time.FixedZone("CEST", 2*3600))
	if c, err := d.AdvanceClock(t1); err != nil || !c.Equal(t1) {
		t.Fatalf("AdvanceClock = %v %v", c, err)
	}
	// Turning the clock back leaves the mark.
	if c, err := d.AdvanceClock(t1.Add(-48 * time.Hour)); err != nil || !c.Equal(t1) {
		t.Errorf("clock went back: %v %v", c, err)
	}
	if c, err := d.AdvanceClock(time.Time{}); err != nil || !c.Equal(t1) {
		t.Errorf("zero time: %v %v", c, err)
	}
	t2 := t1.Add(time.Minute)
	d.AdvanceClock(t2)
	// Persisted: a new Open sees it, in UTC.
	c, err := open(t, dir, "m").Clock()
	if err != nil || !c.Equal(t2) || c.Location() != time.UTC {
		t.Errorf("reopened clock %v %v", c, err)
	}
	if _, err := d.AdvanceClock(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("year 10000 accepted")
	}
	// A damaged clock is reported, and not overwritten by AdvanceClock.
	flip(t, dir, ClockName, headerSize+3)
	if _, err := d.Clock(); !errors.Is(err, ErrTampered) {
		t.Errorf("damaged clock: %v", err)
	}
	if _, err := d.AdvanceClock(t2.Add(time.Hour)); !errors.Is(err, ErrTampered) {
		t.Errorf("AdvanceClock over a damaged clock: %v", err)
	}
	if err := d.Check(); !errors.Is(err, ErrTampered) {
		t.Errorf("Check: %v", err)
	}
	// Deleting the clock is the explicit way to forget it.
	if err := d.Delete(ClockName); err != nil {
		t.Fatal(err)
	}
	if c, err := d.AdvanceClock(t1); err != nil || !c.Equal(t1) {
		t.Errorf("after delete: %v %v", c, err)
	}
}

func TestClockConcurrent(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	for w := range 4 {
		d := open(t, dir, "m") // separate handles: the file lock serialises them
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				if _, err := d.AdvanceClock(base.Add(time.Duration(i*4+w) * time.Second)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	c, err := open(t, dir, "m").Clock()
	if want := base.Add(79 * time.Second); err != nil || !c.Equal(want) {
		t.Errorf("clock %v %v, want %v", c, err, want)
	}
}

func TestDecodeClock(t *testing.T) {
	good := encodeClock(time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC))
	if _, err := decodeClock(good); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"short", good[:12]},
		{"long", append(bytes.Clone(good), 0)},
		{"version", append([]byte{2}, good[1:]...)},
		{"nanoseconds", append(bytes.Clone(good[:9]), 0x3b, 0x9a, 0xca, 0x00)},
		{"before 1970", encodeClock(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC))},
	} {
		if ts, err := decodeClock(tc.b); err == nil || !ts.IsZero() {
			t.Errorf("%s: %v %v", tc.name, ts, err)
		}
	}
}

func flip(t *testing.T, dir, name string, at int) {
	t.Helper()
	b := read(t, dir, name)
	if at < 0 {
		at += len(b)
	}
	b[at] ^= 0x01
	write(t, dir, name, b)
}

func truncate(t *testing.T, dir, name string, n int) {
	t.Helper()
	b := read(t, dir, name)
	if n < 0 {
		n += len(b)
	}
	write(t, dir, name, b[:n])
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

var fuzzKey = [32]byte{1, 2, 3}
var fuzzKeyID = [8]byte{9, 8, 7}

func FuzzUnseal(f *testing.F) {
	for _, p := range [][]byte{nil, []byte("license"), encodeClock(time.Unix(1e9, 5)), bytes.Repeat([]byte{0xa5}, 300)} {
		f.Add("license", seal(fuzzKey, fuzzKeyID, "license", p))
		f.Add(ClockName, seal(fuzzKey, fuzzKeyID, ClockName, p))
	}
	f.Add("license", []byte("LCTSTATE\x01"))
	f.Fuzz(func(t *testing.T, name string, b []byte) {
		p, err := unseal(fuzzKey, fuzzKeyID, name, b)
		if err != nil {
			if p != nil {
				t.Fatal("payload with error")
			}
			if err.Name != name || (err.Err != ErrCorrupt && err.Err != ErrTampered) {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		if again := seal(fuzzKey, fuzzKeyID, name, p); !bytes.Equal(again, b) {
			t.Fatalf("re-sealing gives %x, input %x", again, b)
		}
		if name == ClockName {
			if ts, err := decodeClock(p); err == nil {
				if !bytes.Equal(encodeClock(ts), p) {
					t.Fatalf("clock re-encoding differs: %x vs %x", encodeClock(ts), p)
				}
			} else if !ts.IsZero() {
				t.Fatal("time with error")
			}
		}
	})
}

func FuzzDecodeClock(f *testing.F) {
	f.Add(encodeClock(time.Date(2026, 2, 3, 4, 5, 6, 7, time.UTC)))
	f.Add(encodeClock(time.Unix(0, 0)))
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0x3b, 0x9a, 0xc9, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, err := decodeClock(b)
		if err != nil {
			if !ts.IsZero() {
				t.Fatal("time with error")
			}
			return
		}
		if !bytes.Equal(encodeClock(ts), b) {
			t.Fatalf("re-encoding %x differs from %x", encodeClock(ts), b)
		}
	})
}

func BenchmarkPut(b *testing.B) {
	d := open(b, b.TempDir(), "m")
	data := bytes.Repeat([]byte{7}, 5000)
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Put("license", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	d := open(b, b.TempDir(), "m")
	d.Put("license", bytes.Repeat([]byte{7}, 5000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Get("license"); err != nil {
			b.Fatal(err)
		}
	}
}
