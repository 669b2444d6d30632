// Package state keeps the terminal daemon's state directory: small files
// written atomically and durably, each sealed with a MAC so that damaged,
// edited or copied state is detected and reported instead of used.
//
// Every write goes to a temporary file in the same directory, which is
// fsynced, renamed over the target, and followed by an fsync of the
// directory, so a crash leaves either the old or the new file, never a mix.
//
// Each file is sealed with HMAC-SHA256 under a key derived from a random
// per-install secret kept in the directory (install.key) and, when given,
// from a machine binding (Options.Binding, such as the fingerprint anchor
// digest). The seal covers the file's name and content. This detects
// accidental corruption, casual edits, files renamed or swapped, and a
// directory copied to another machine. It does not stop someone who can read
// install.key (root) and knows this format from sealing files of their own,
// and it cannot notice the whole directory being restored from an older
// copy. docs/state.md has the details.
package state

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// Reserved file names.
const (
	KeyFile   = "install.key" // the per-install secret
	LockFile  = "lock"        // advisory lock for read-modify-write steps
	ClockName = "clock"       // the clock high-water mark (see Dir.Clock)
	// URLFile is not sealed: `licetd run --web` writes the URL of its
	// activation page there, in plain text for root to open. Put refuses
	// the name; Names, Check and the install-key check leave it out.
	URLFile = "web-url"
)

// MaxSize is the largest payload Put accepts and Get reads.
const MaxSize = 1 << 20

const tmpPrefix = ".tmp-"

var (
	// ErrCorrupt means a file is structurally damaged: truncated, not a
	// state file, an unknown format version, or too large.
	ErrCorrupt = errors.New("state: corrupt")
	// ErrTampered means a well-formed file does not match its seal: it
	// was edited, renamed, damaged in place, or sealed with another key.
	ErrTampered = errors.New("state: tampered")
	// ErrWrongMachine accompanies ErrTampered when a file was sealed with
	// another key: the directory was copied from another machine (another
	// binding), or install.key was replaced.
	ErrWrongMachine = errors.New("state: sealed with another install key or on another machine")
)

// FileError reports a stored file that cannot be trusted. errors.Is matches
// it against ErrCorrupt or ErrTampered, and ErrWrongMachine where that is the
// cause.
type FileError struct {
	Name   string // file name within the directory
	Err    error  // ErrCorrupt or ErrTampered
	Reason string // what exactly is wrong
	wrong  bool
}

func (e *FileError) Error() string {
	what := "corrupt"
	if e.Err == ErrTampered {
		what = "tampered"
	}
	return fmt.Sprintf("state: %s is %s: %s", e.Name, what, e.Reason)
}

// Unwrap returns the sentinel errors the file error matches.
func (e *FileError) Unwrap() []error {
	if e.wrong {
		return []error{e.Err, ErrWrongMachine}
	}
	return []error{e.Err}
}

func corrupt(name, format string, args ...any) *FileError {
	return &FileError{Name: name, Err: ErrCorrupt, Reason: fmt.Sprintf(format, args...)}
}

// Options configure Open.
type Options struct {
	// Binding, when set, is mixed into the sealing key, so that files
	// sealed under one binding fail with ErrWrongMachine under another.
	// Pass something that identifies the machine and survives parts being
	// replaced, such as fingerprint.Record.AnchorDigest of the current
	// machine. Changing it makes every existing file unreadable.
	Binding []byte
	// Rand is the source of the install secret and temporary names; nil
	// means crypto/rand.
	Rand io.Reader
}

// Dir is an open state directory. It is safe for concurrent use, also by
// several processes: read-modify-write steps hold an advisory lock.
type Dir struct {
	path  string
	key   [32]byte
	keyID [8]byte
	rand  io.Reader
	mu    sync.Mutex
}

// Open opens the state directory, creating it (mode 0700) and its install
// secret when missing. It fails with a *FileError when install.key is
// damaged, or missing while sealed files exist (a new secret would silently
// orphan them).
func Open(dir string, opts Options) (*Dir, error) {
	if dir == "" {
		return nil, errors.New("state: directory name is empty")
	}
	r := opts.Rand
	if r == nil {
		r = rand.Reader
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state: create directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("state: %s is not a directory", dir)
	}
	d := &Dir{path: dir, rand: r}
	unlock, err := d.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	secret, err := d.loadSecret()
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte("licet-state-key-v1\x00"))
	m.Write(opts.Binding)
	m.Sum(d.key[:0])
	m = hmac.New(sha256.New, d.key[:])
	m.Write([]byte("licet-state-key-id"))
	copy(d.keyID[:], m.Sum(nil))
	d.removeStaleTemps()
	return d, nil
}

// Key file: magic, 32-byte secret, first 8 bytes of SHA-256 over both.
var keyMagic = []byte("LCTSKEY1")

const keyFileSize = 8 + 32 + 8

func (d *Dir) loadSecret() ([32]byte, error) {
	var secret [32]byte
	b, err := os.ReadFile(filepath.Join(d.path, KeyFile))
	switch {
	case err == nil:
		if len(b) != keyFileSize || !bytes.Equal(b[:8], keyMagic) {
			return secret, corrupt(KeyFile, "not an install key (%d bytes)", len(b))
		}
		sum := sha256.Sum256(b[:40])
		if !bytes.Equal(sum[:8], b[40:]) {
			return secret, corrupt(KeyFile, "checksum mismatch")
		}
		copy(secret[:], b[8:40])
		return secret, nil
	case !errors.Is(err, fs.ErrNotExist):
		return secret, fmt.Errorf("state: read %s: %w", KeyFile, err)
	}
	names, err := d.Names()
	if err != nil {
		return secret, err
	}
	if len(names) > 0 {
		return secret, &FileError{Name: KeyFile, Err: ErrTampered,
			Reason: fmt.Sprintf("missing while %d sealed files exist (%s)", len(names), strings.Join(names, ", "))}
	}
	if _, err := io.ReadFull(d.rand, secret[:]); err != nil {
		return secret, fmt.Errorf("state: generate install key: %w", err)
	}
	kb := append(append([]byte{}, keyMagic...), secret[:]...)
	sum := sha256.Sum256(kb)
	kb = append(kb, sum[:8]...)
	if err := d.writeFile(KeyFile, kb); err != nil {
		return secret, err
	}
	return secret, nil
}

func (d *Dir) removeStaleTemps() {
	es, err := os.ReadDir(d.path)
	if err != nil {
		return
	}
	for _, e := range es {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			os.Remove(filepath.Join(d.path, e.Name()))
		}
	}
}

// checkName accepts 1 to 64 characters of a-z 0-9 . _ - starting with a
// letter or digit, other than the reserved names.
func checkName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("state: file name %q must be 1 to 64 characters", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("state: file name %q: only a-z 0-9 . _ - allowed, starting with a letter or digit", name)
		}
	}
	if name == KeyFile || name == LockFile || name == URLFile {
		return fmt.Errorf("state: file name %q is reserved", name)
	}
	return nil
}

// Put stores data under name, sealed, atomically and durably. ClockName is
// reserved for AdvanceClock.
func (d *Dir) Put(name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if name == ClockName {
		return fmt.Errorf("state: file name %q is reserved for the clock", name)
	}
	if len(data) > MaxSize {
		return fmt.Errorf("state: %s: %d bytes, more than %d", name, len(data), MaxSize)
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return d.writeFile(name, seal(d.key, d.keyID, name, data))
}

// Get returns the content stored under name. A missing file gives an error
// that matches fs.ErrNotExist; a damaged or edited one a *FileError.
func (d *Dir) Get(name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if name == ClockName {
		return nil, fmt.Errorf("state: file name %q is reserved for the clock", name)
	}
	return d.get(name)
}

func (d *Dir) get(name string) ([]byte, error) {
	f, err := os.Open(filepath.Join(d.path, name))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("state: %s: %w", name, fs.ErrNotExist)
		}
		return nil, fmt.Errorf("state: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+overhead+1))
	if err != nil {
		return nil, fmt.Errorf("state: read %s: %w", name, err)
	}
	data, ferr := unseal(d.key, d.keyID, name, b)
	if ferr != nil {
		return nil, ferr
	}
	return data, nil
}

// Delete removes name durably. Deleting a missing file is not an error.
// ClockName may be deleted, which forgets the clock high-water mark.
func (d *Dir) Delete(name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.Remove(filepath.Join(d.path, name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("state: delete %s: %w", name, err)
	}
	return d.syncDir()
}

// Names lists the stored files, ClockName included, sorted; reserved and
// temporary files are left out.
func (d *Dir) Names() ([]string, error) {
	es, err := os.ReadDir(d.path)
	if err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	var names []string
	for _, e := range es {
		if n := e.Name(); checkName(n) == nil && e.Type().IsRegular() {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names, nil
}

// Check verifies the seal of every stored file and returns the problems
// found, joined (each a *FileError), or nil.
func (d *Dir) Check() error {
	names, err := d.Names()
	if err != nil {
		return err
	}
	var errs []error
	for _, n := range names {
		if n == ClockName {
			_, err = d.Clock()
		} else {
			_, err = d.get(n)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeFile writes b to name: temporary file, fsync, rename, fsync of the
// directory.
func (d *Dir) writeFile(name string, b []byte) error {
	var rnd [8]byte
	if _, err := io.ReadFull(d.rand, rnd[:]); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	tmp := filepath.Join(d.path, tmpPrefix+name+"-"+hex.EncodeToString(rnd[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("state: write %s: %w", name, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(d.path, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("state: write %s: %w", name, err)
	}
	return d.syncDir()
}

func (d *Dir) syncDir() error {
	f, err := os.Open(d.path)
	if err != nil {
		return fmt.Errorf("state: sync directory: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("state: sync directory: %w", err)
	}
	return nil
}

// lock takes the in-process mutex and the advisory file lock.
func (d *Dir) lock() (func(), error) {
	d.mu.Lock()
	unlock, err := lockFile(filepath.Join(d.path, LockFile))
	if err != nil {
		d.mu.Unlock()
		return nil, fmt.Errorf("state: lock: %w", err)
	}
	return func() { unlock(); d.mu.Unlock() }, nil
}

// Sealed file layout (all integers big-endian):
//
//	magic   8  "LCTSTATE"
//	version 1  1
//	key id  8  first 8 bytes of HMAC-SHA256(key, "licet-state-key-id")
//	length  4  payload length n
//	payload n
//	mac    32  HMAC-SHA256(key, "licet-state-v1" 0x00 name 0x00 || all bytes above)
var sealMagic = []byte("LCTSTATE")

const (
	sealVersion = 1
	headerSize  = 8 + 1 + 8 + 4
	overhead    = headerSize + sha256.Size
)

func seal(key [32]byte, keyID [8]byte, name string, data []byte) []byte {
	b := make([]byte, 0, overhead+len(data))
	b = append(b, sealMagic...)
	b = append(b, sealVersion)
	b = append(b, keyID[:]...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return append(b, sealMAC(key, name, b)...)
}

func sealMAC(key [32]byte, name string, b []byte) []byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte("licet-state-v1\x00"))
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write(b)
	return m.Sum(nil)
}

// unseal checks a sealed file and returns its payload; on error the payload
// is nil.
func unseal(key [32]byte, keyID [8]byte, name string, b []byte) ([]byte, *FileError) {
	switch {
	case len(b) < overhead:
		return nil, corrupt(name, "%d bytes, shorter than a sealed file (truncated?)", len(b))
	case !bytes.Equal(b[:8], sealMagic):
		return nil, corrupt(name, "not a sealed state file")
	case b[8] != sealVersion:
		return nil, corrupt(name, "unsupported format version %d", b[8])
	}
	n := binary.BigEndian.Uint32(b[17:21])
	if n > MaxSize {
		return nil, corrupt(name, "payload of %d bytes, more than %d", n, MaxSize)
	}
	if uint64(len(b)) != uint64(overhead)+uint64(n) {
		return nil, corrupt(name, "%d bytes, length field says %d (truncated or extended)", len(b), overhead+int(n))
	}
	if !hmac.Equal(b[9:17], keyID[:]) {
		return nil, &FileError{Name: name, Err: ErrTampered, wrong: true,
			Reason: "sealed with another key (copied from another machine, or install.key replaced)"}
	}
	body := b[:len(b)-sha256.Size]
	if !hmac.Equal(sealMAC(key, name, body), b[len(b)-sha256.Size:]) {
		return nil, &FileError{Name: name, Err: ErrTampered, Reason: "content does not match its seal (edited, renamed or damaged)"}
	}
	return bytes.Clone(b[headerSize:len(body)]), nil
}
