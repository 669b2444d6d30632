package licetcli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/keyseal"
)

func init() {
	register("keys generate", "make a hybrid ML-DSA-65 + Ed25519 key pair", runKeysGenerate)
}

// The file names `licet keys generate` writes in its output directory.
const (
	privateKeyFile = "licet.key"
	publicKeyFile  = "licet.pub"
)

// keySealParams are the Argon2id parameters for new key files; tests make
// them cheap.
var keySealParams = keyseal.DefaultParams

func runKeysGenerate(e *Env, args []string) error {
	fset := newFlags(e, "keys generate",
		"usage: licet keys generate --out DIR [--passphrase-file FILE] [--force]",
		"",
		"Makes a hybrid ML-DSA-65 + Ed25519 key pair. Writes DIR/"+privateKeyFile+", encrypted",
		"under a passphrase (Argon2id + XChaCha20-Poly1305, mode 0600), and DIR/"+publicKeyFile+",",
		"the public key in text form. Prints the key id.")
	out := fset.String("out", "", "`DIR`ectory to write "+privateKeyFile+" and "+publicKeyFile+" in (created if missing)")
	passFile := fset.String("passphrase-file", "", "read the passphrase from `FILE` (default: $LICET_PASSPHRASE, else a prompt)")
	force := fset.Bool("force", false, "overwrite existing key files")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *out == "" {
		return usagef("--out is required")
	}
	keyPath := filepath.Join(*out, privateKeyFile)
	pubPath := filepath.Join(*out, publicKeyFile)
	if !*force {
		for _, p := range []string{keyPath, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return withHint(fmt.Errorf("%s already exists; not overwriting a key", p),
					"choose another --out directory, or pass --force to replace the key pair")
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", *out, err)
	}
	pass, err := passphraseSource{file: *passFile}.read(e, true)
	if err != nil {
		return err
	}
	key, err := cose.GenerateKey(e.Rand)
	if err != nil {
		return err
	}
	secret := key.Bytes()
	sealed, err := keyseal.SealWithParams(e.Rand, pass, secret, keySealParams)
	clear(secret)
	if err != nil {
		return err
	}
	pub, err := key.Public().MarshalText()
	if err != nil {
		return err
	}
	if err := writeFile(keyPath, sealed, 0o600); err != nil {
		return err
	}
	if err := writeFile(pubPath, append(pub, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "kid:         %s\n", key.Public().ID())
	fmt.Fprintf(e.Stdout, "private key: %s (encrypted)\n", keyPath)
	fmt.Fprintf(e.Stdout, "public key:  %s\n", pubPath)
	return nil
}

// maxKeyFile bounds the files read as keys: a sealed private key is well
// under a kilobyte; a public key list of a few hundred keys fits.
const maxKeyFile = 1 << 20

// readKeyFile reads a key file.
func readKeyFile(path string) ([]byte, error) { return readFile(path, nil, maxKeyFile, "key file") }

// loadPrivateKey reads a private key file written by `licet keys generate`
// and opens it with the passphrase from src. The file is checked before a
// passphrase is asked for.
func loadPrivateKey(e *Env, path string, src passphraseSource) (*cose.PrivateKey, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return nil, withHint(fmt.Errorf("%s is a directory, not a private key file", path),
			"pass the key file in it: --key "+filepath.Join(path, privateKeyFile))
	}
	b, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, withHint(fmt.Errorf("private key %s does not exist", path),
			"make a key pair with 'licet keys generate --out DIR' and pass --key DIR/"+privateKeyFile)
	}
	if err != nil {
		return nil, err
	}
	if _, err := keyseal.ParamsOf(b); err != nil {
		hint := "pass the " + privateKeyFile + " file that 'licet keys generate' wrote"
		if bytes.HasPrefix(bytes.TrimSpace(b), []byte(cose.PublicKeyPrefix)) {
			hint = "that is a public key; signing needs the private key, " + privateKeyFile
		}
		return nil, withHint(fmt.Errorf("%s: not a Licet private key file: %w", path, err), hint)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(e.Stderr, "warning: %s is readable by other users (mode %04o); chmod 600 it\n", path, st.Mode().Perm())
	}
	pass, err := src.read(e, false)
	if err != nil {
		return nil, err
	}
	secret, err := keyseal.Open(pass, b)
	clear(pass)
	switch {
	case errors.Is(err, keyseal.ErrWrongPassphrase):
		return nil, withHint(fmt.Errorf("%s: %w", path, err),
			"the passphrase is the one given to 'licet keys generate'; check LICET_PASSPHRASE or --passphrase-file")
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	key, err := cose.ParsePrivateKey(secret)
	clear(secret)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// loadPublicKeys reads public keys in text form ("licet-pub1:..."), one a
// line, from each path; blank lines and text after '#' are ignored. A
// directory stands for its licet.pub. Every file must hold at least one
// key; a key listed twice counts once.
func loadPublicKeys(paths []string) ([]*cose.PublicKey, error) {
	var keys []*cose.PublicKey
	seen := map[cose.KeyID]bool{}
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			path = filepath.Join(path, publicKeyFile)
		}
		b, err := readKeyFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, withHint(fmt.Errorf("public key file %s does not exist", path),
				"pass the "+publicKeyFile+" that 'licet keys generate' wrote")
		}
		if err != nil {
			return nil, err
		}
		if bytes.Contains(b, []byte("PRIVATE KEY-----")) {
			return nil, withHint(fmt.Errorf("%s is a private key, not a public one", path),
				"pass the "+publicKeyFile+" next to it; never hand out the private key")
		}
		list, err := cose.ParsePublicKeys(path, b)
		if err != nil {
			return nil, err
		}
		for _, k := range list {
			if !seen[k.ID()] {
				seen[k.ID()] = true
				keys = append(keys, k)
			}
		}
		if len(list) == 0 {
			return nil, fmt.Errorf("%s holds no public key (want lines starting with %q)", path, cose.PublicKeyPrefix)
		}
	}
	return keys, nil
}
