package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/internal/hint"
)

// maxTrustFile bounds a trust file.
const maxTrustFile = 1 << 20

// LoadTrust reads trusted vendor root keys in text form ("licet-pub1:..."),
// one a line, from each file (cose.ParsePublicKeys); blank lines and text
// after '#' are ignored. A directory stands for its licet.pub. Every file
// must hold at least one key; a key listed twice counts once.
func LoadTrust(paths []string) ([]*cose.PublicKey, error) {
	var keys []*cose.PublicKey
	seen := map[cose.KeyID]bool{}
	for _, path := range paths {
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			path = filepath.Join(path, "licet.pub")
		}
		b, err := readSmall(path, maxTrustFile)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, hint.Wrap(fmt.Errorf("trust file %s does not exist", path),
				"pass the vendor's public key file (licet.pub) with --trust, or set trust = FILE in the configuration")
		}
		if err != nil {
			return nil, err
		}
		if bytes.Contains(b, []byte("PRIVATE KEY-----")) {
			return nil, hint.Wrap(fmt.Errorf("trust file %s holds a private key", path),
				"a terminal needs only the vendor's public key (licet.pub); remove the private key from this machine")
		}
		ks, err := cose.ParsePublicKeys("trust file "+path, b)
		if err != nil {
			return nil, err
		}
		if len(ks) == 0 {
			return nil, fmt.Errorf("trust file %s holds no public key (want lines starting with %q)", path, cose.PublicKeyPrefix)
		}
		for _, k := range ks {
			if !seen[k.ID()] {
				seen[k.ID()] = true
				keys = append(keys, k)
			}
		}
	}
	return keys, nil
}

// readSmall reads a file of at most limit bytes ("-" is not special here).
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return b, nil
}
