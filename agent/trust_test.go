package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"licet.dev/licet/codec/cose"
)

func TestLoadTrust(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	v, o := vendorKey.Public().String(), otherKey.Public().String()
	both := write("both.pub", "# vendor keys\n"+v+"\n\n  "+o+"  # the old one\n")
	again := write("again.pub", v+"\n")
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "licet.pub"), []byte(o+"\n"), 0o644)

	keys, err := LoadTrust([]string{both, again, sub})
	if err != nil || len(keys) != 2 || keys[0].ID() != vendorKey.Public().ID() || keys[1].ID() != otherKey.Public().ID() {
		t.Fatalf("LoadTrust: %d keys, %v", len(keys), err)
	}
	for _, tc := range []struct {
		name, text, want string
		hint             bool
	}{
		{"empty.pub", "# nothing\n\n", "holds no public key (want lines starting with \"" + cose.PublicKeyPrefix + "\")", false},
		{"bad.pub", v + "\nlicet-pub1:nonsense\n", "bad.pub:2: ", false},
		{"private.pub", v + "\n-----BEGIN LICET PRIVATE KEY-----\n", "holds a private key", true},
	} {
		_, err := LoadTrust([]string{write(tc.name, tc.text)})
		if err == nil || !strings.Contains(err.Error(), tc.want) || (Hint(err) != "") != tc.hint {
			t.Errorf("%s: %v (hint %q), want %q", tc.name, err, Hint(err), tc.want)
		}
	}
	if _, err := LoadTrust([]string{filepath.Join(dir, "none.pub")}); err == nil || !strings.Contains(err.Error(), "does not exist") || Hint(err) == "" {
		t.Errorf("missing file: %v", err)
	}
}
