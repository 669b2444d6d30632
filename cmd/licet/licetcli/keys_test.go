package licetcli

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/keyseal"
	"licet.dev/licet/codec/keyseal/keysealtest"
	"licet.dev/licet/internal/hint"
)

// Key files in this package's tests use cheap Argon2id parameters.
func init() { keySealParams = keysealtest.Params }

// detRand is a deterministic byte stream: SHA-256 in counter mode over a
// label.
type detRand struct {
	label string
	n     uint64
	buf   []byte
}

func (r *detRand) Read(p []byte) (int, error) {
	for i := range p {
		if len(r.buf) == 0 {
			s := sha256.Sum256([]byte(r.label + string(rune(r.n))))
			r.n++
			r.buf = s[:]
		}
		p[i], r.buf = r.buf[0], r.buf[1:]
	}
	return len(p), nil
}

// testNow is the clock of the tests.
var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// testEnv is an Env with LICET_PASSPHRASE set to pass (unset if empty),
// the clock testNow, deterministic randomness, no input and output into
// buffers.
func testEnv(pass string) *Env {
	return &Env{
		Stdin:  strings.NewReader(""),
		Stdout: &bytes.Buffer{},
		Stderr: &bytes.Buffer{},
		Getenv: func(k string) string {
			if k == "LICET_PASSPHRASE" {
				return pass
			}
			return ""
		},
		Now:  func() time.Time { return testNow },
		Rand: &detRand{label: "env"},
	}
}

// runCLI runs licet in-process in testEnv(pass) with stdin and rand, and
// returns its exit code and output.
func runCLI(pass string, stdin, rand io.Reader, args ...string) (code int, stdout, stderr string) {
	e := testEnv(pass)
	e.Stdin, e.Rand = stdin, rand
	code = Main(args, e)
	return code, e.Stdout.(*bytes.Buffer).String(), e.Stderr.(*bytes.Buffer).String()
}

// keysCLI runs licet with LICET_PASSPHRASE set to pass (if not empty) and
// randomness from seed.
func keysCLI(t *testing.T, pass, seed string, args ...string) (code int, stdout, stderr string) {
	return runCLI(pass, strings.NewReader(""), &detRand{label: seed}, args...)
}

func TestKeysGenerate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "vendor")
	code, out, errOut := keysCLI(t, "s3cret", "k1", "keys", "generate", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	keyPath, pubPath := filepath.Join(dir, "licet.key"), filepath.Join(dir, "licet.pub")

	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("licet.key: %v %v", st.Mode(), err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("directory mode %v %v", st.Mode(), err)
	}
	sealed, _ := os.ReadFile(keyPath)
	if !bytes.HasPrefix(sealed, []byte("-----BEGIN LICET PRIVATE KEY-----\n")) {
		t.Fatalf("licet.key is not armoured:\n%s", sealed)
	}
	pubText, _ := os.ReadFile(pubPath)
	if !bytes.HasPrefix(pubText, []byte(cose.PublicKeyPrefix)) || bytes.Count(pubText, []byte("\n")) != 1 || !bytes.HasSuffix(pubText, []byte("\n")) {
		t.Fatalf("licet.pub is not one line of text form: %q", pubText[:40])
	}
	pubs, err := loadPublicKeys([]string{pubPath})
	if err != nil || len(pubs) != 1 {
		t.Fatalf("loadPublicKeys: %v", err)
	}
	wantOut := "kid:         " + pubs[0].ID().String() + "\n" +
		"private key: " + keyPath + " (encrypted)\n" +
		"public key:  " + pubPath + "\n"
	if out != wantOut {
		t.Fatalf("output\n%s\nwant\n%s", out, wantOut)
	}

	// The private key opens with the passphrase and matches the public key.
	key, err := loadPrivateKey(testEnv("s3cret"), keyPath, passphraseSource{})
	if err != nil {
		t.Fatal(err)
	}
	if !key.Public().Equal(pubs[0]) {
		t.Fatal("private and public key files do not match")
	}
	msg, err := cose.Sign(nil, key, "application/x+cbor", []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := cose.Verify(msg, pubs); err != nil {
		t.Fatal(err)
	}
	// The passphrase is not in the file.
	if bytes.Contains(sealed, []byte("s3cret")) {
		t.Fatal("passphrase in the key file")
	}

	// No overwriting without --force; the files stay as they were.
	code, _, errOut = keysCLI(t, "s3cret", "k2", "keys", "generate", "--out", dir)
	if code != 1 || !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "hint: ") {
		t.Fatalf("second generate: exit %d: %s", code, errOut)
	}
	if again, _ := os.ReadFile(keyPath); !bytes.Equal(again, sealed) {
		t.Fatal("licet.key changed without --force")
	}
	// --force replaces the pair.
	code, out, errOut = keysCLI(t, "other", "k3", "keys", "generate", "--out", dir, "--force")
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, errOut)
	}
	pubs2, err := loadPublicKeys([]string{dir}) // a directory means its licet.pub
	if err != nil || pubs2[0].Equal(pubs[0]) || !strings.Contains(out, pubs2[0].ID().String()) {
		t.Fatalf("--force did not make a new key: %v", err)
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced licet.key has mode %v", st.Mode())
	}
}

func TestKeysGeneratePassphraseFile(t *testing.T) {
	dir := t.TempDir()
	pf := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(pf, []byte("from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The file wins over the environment.
	code, _, errOut := keysCLI(t, "from env", "k", "keys", "generate", "--out", dir, "--passphrase-file", pf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	keyPath := filepath.Join(dir, "licet.key")
	if _, err := loadPrivateKey(testEnv(""), keyPath, passphraseSource{file: pf}); err != nil {
		t.Fatal(err)
	}
	if _, err := loadPrivateKey(testEnv("from a file"), keyPath, passphraseSource{}); err != nil {
		t.Fatalf("the same passphrase from the environment does not open it: %v", err)
	}
	_, err := loadPrivateKey(testEnv("from env"), keyPath, passphraseSource{})
	if !errors.Is(err, keyseal.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if hint.Of(err) == "" || !strings.Contains(err.Error(), keyPath) {
		t.Fatalf("wrong passphrase error has no hint or path: %v", err)
	}
}

func TestKeysGenerateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"keys", "generate"},
		{"keys", "generate", "--out", t.TempDir(), "extra"},
		{"keys", "generate", "--bogus"},
	} {
		if code, _, _ := keysCLI(t, "p", "k", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, errOut := keysCLI(t, "p", "k", "keys", "generate", "-h"); code != 0 || !strings.Contains(errOut, "licet keys generate --out DIR") {
		t.Errorf("-h: exit %d: %s", code, errOut)
	}
}

func TestLoadPrivateKeyErrors(t *testing.T) {
	dir := t.TempDir()
	e := testEnv("pw")
	if _, err := loadPrivateKey(e, filepath.Join(dir, "missing.key"), passphraseSource{}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing: %v", err)
	}
	pub := filepath.Join(dir, "licet.pub")
	os.WriteFile(pub, []byte(cosetest.KeyFromSeed("x").Public().String()+"\n"), 0o644)
	if _, err := loadPrivateKey(e, pub, passphraseSource{}); !strings.Contains(hint.Of(err), "public key") {
		t.Errorf("public key as private: %v", err)
	}
	junk := filepath.Join(dir, "junk.key")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	if _, err := loadPrivateKey(e, junk, passphraseSource{}); !errors.Is(err, keyseal.ErrMalformed) {
		t.Errorf("junk: %v", err)
	}
	// A sealed secret that is not a key.
	sealed, _ := keyseal.SealWithParams(nil, []byte("pw"), []byte("not a key"), keysealtest.Params)
	other := filepath.Join(dir, "other.key")
	os.WriteFile(other, sealed, 0o644)
	_, err := loadPrivateKey(e, other, passphraseSource{})
	if !errors.Is(err, cose.ErrMalformed) {
		t.Errorf("sealed junk: %v", err)
	}
	if !strings.Contains(e.Stderr.(*bytes.Buffer).String(), "readable by other users") {
		t.Errorf("no warning for a 0644 key file")
	}
}

func TestLoadPublicKeys(t *testing.T) {
	dir := t.TempDir()
	a, b := cosetest.KeyFromSeed("a").Public(), cosetest.KeyFromSeed("b").Public()
	list := filepath.Join(dir, "roots.pub")
	content := "# vendor roots\n\n" + a.String() + "  # 2030 root\r\n" + b.String() + "\n" + a.String() + "\n"
	os.WriteFile(list, []byte(content), 0o644)
	single := filepath.Join(dir, "b.pub")
	os.WriteFile(single, []byte(b.String()), 0o644)
	keys, err := loadPublicKeys([]string{list, single})
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[0].Equal(a) || !keys[1].Equal(b) {
		t.Fatalf("got %d keys", len(keys))
	}

	bad := filepath.Join(dir, "bad.pub")
	os.WriteFile(bad, []byte(a.String()+"\n"+"licet-pub1:AAAA\n"), 0o644)
	if _, err := loadPublicKeys([]string{bad}); !errors.Is(err, cose.ErrMalformed) || !strings.Contains(err.Error(), "bad.pub:2:") {
		t.Errorf("bad line: %v", err)
	}
	empty := filepath.Join(dir, "empty.pub")
	os.WriteFile(empty, []byte("# nothing\n"), 0o644)
	if _, err := loadPublicKeys([]string{empty}); err == nil || !strings.Contains(err.Error(), "no public key") {
		t.Errorf("empty: %v", err)
	}
	priv := filepath.Join(dir, "licet.key")
	sealed, _ := keyseal.SealWithParams(nil, []byte("pw"), cosetest.KeyFromSeed("a").Bytes(), keysealtest.Params)
	os.WriteFile(priv, sealed, 0o600)
	if _, err := loadPublicKeys([]string{priv}); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Errorf("private key as public: %v", err)
	}
	if _, err := loadPublicKeys([]string{filepath.Join(dir, "nope.pub")}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing: %v", err)
	}
}
