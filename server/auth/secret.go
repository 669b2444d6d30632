package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// Secret is a plaintext credential (a session token, an API token, a setup
// token) on its way to the one place it is shown. It prints, formats, logs
// and marshals as "[redacted]"; Reveal returns the text.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's text, for the cookie, the response or the
// console line that shows it once.
func (s Secret) Reveal() string { return string(s) }

// String returns "[redacted]".
func (s Secret) String() string { return redacted }

// GoString returns "[redacted]".
func (s Secret) GoString() string { return redacted }

// Format prints "[redacted]" for every verb.
func (s Secret) Format(f fmt.State, _ rune) { io.WriteString(f, redacted) }

// LogValue keeps the secret out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[redacted]"; a response that must carry the secret
// puts Reveal() in a string field.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText writes "[redacted]".
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// tokenBytes is the entropy of every token: 256 bits.
const tokenBytes = 32

// tokenLen is the length of a token's random part: base64url of 32 bytes.
var tokenLen = base64.RawURLEncoding.EncodedLen(tokenBytes)

// APITokenPrefix starts every API token, so that secret scanners and people
// can tell one apart.
const APITokenPrefix = "licet_"

// newToken returns prefix + base64url(32 random bytes) and its hash.
func newToken(rand io.Reader, prefix string) (Secret, []byte, error) {
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", nil, fmt.Errorf("auth: reading random bytes: %w", err)
	}
	s := prefix + base64.RawURLEncoding.EncodeToString(b)
	return Secret(s), HashToken(s), nil
}

// HashToken is the SHA-256 of a token's text: what the store keeps and
// looks tokens up by.
func HashToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// wellFormed reports whether s is prefix followed by a token's random part,
// so that garbage is refused without a database lookup.
func wellFormed(s, prefix string) bool {
	r, ok := strings.CutPrefix(s, prefix)
	if !ok || len(r) != tokenLen {
		return false
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// tokenPrefixShown is how much of an API token lists show: the prefix and
// four characters of the random part (24 of its 256 bits).
func tokenPrefixShown(s Secret) string {
	t := string(s)
	return t[:len(APITokenPrefix)+4]
}
