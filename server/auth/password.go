package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters. They are written into every hash,
// so hashes made under older parameters keep verifying.
type Params struct {
	// Memory in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLen and KeyLen are in bytes.
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams follow OWASP's argon2id recommendation for interactive
// logins (19 MiB, two passes, one lane), which RFC 9106 permits for memory
// constrained servers; a login costs tens of milliseconds of one core.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds a hash's parameters must respect to be parsed: they keep a
// corrupt or hostile hash from costing unbounded time or memory.
const (
	maxMemory  = 1 << 20 // KiB: 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

func (p Params) check() error {
	switch {
	case p.Threads == 0:
		return errors.New("parallelism must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory must be %d to %d KiB", 8*uint32(p.Threads), maxMemory)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time must be 1 to %d", maxTime)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt must be %d to %d bytes", minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key must be %d to %d bytes", minKeyLen, maxKeyLen)
	}
	return nil
}

// Hash is a decoded argon2id password hash.
type Hash struct {
	Params
	Salt []byte
	Key  []byte
}

var b64 = base64.RawStdEncoding.Strict()

// String encodes h in the PHC string format:
// $argon2id$v=19$m=MEMORY,t=TIME,p=THREADS$SALT$KEY, with unpadded
// standard base64.
func (h Hash) String() string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.Memory, h.Time, h.Threads,
		b64.EncodeToString(h.Salt), b64.EncodeToString(h.Key))
}

// ParseHash decodes a PHC argon2id string strictly: one canonical spelling
// per hash (version 19, parameters in the order m, t, p without leading
// zeros, canonical base64), parameters within sane bounds. The error never
// quotes the input, which is secret-adjacent.
func ParseHash(s string) (Hash, error) {
	h, err := parseHash(s)
	if err != nil {
		return Hash{}, fmt.Errorf("auth: password hash: %w", err)
	}
	return h, nil
}

func parseHash(s string) (Hash, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return Hash{}, errors.New("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return Hash{}, errors.New("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return Hash{}, errors.New("unsupported argon2 version")
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return Hash{}, errors.New("parameters must be m, t and p")
	}
	var vals [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return Hash{}, fmt.Errorf("parameter %d must be %s", i+1, name)
		}
		n, err := parseUint(v)
		if err != nil {
			return Hash{}, fmt.Errorf("parameter %s: %w", name, err)
		}
		vals[i] = n
	}
	if vals[2] > 255 || vals[0] > maxMemory || vals[1] > maxTime {
		return Hash{}, errors.New("parameters out of range")
	}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return Hash{}, errors.New("salt is not base64")
	}
	key, err := decodeB64(parts[5])
	if err != nil {
		return Hash{}, errors.New("key is not base64")
	}
	h := Hash{Params: Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2]),
		SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))}, Salt: salt, Key: key}
	if err := h.Params.check(); err != nil {
		return Hash{}, err
	}
	return h, nil
}

// decodeB64 decodes canonical unpadded standard base64. The decoder alone
// would skip CR and LF, so the alphabet is checked first.
func decodeB64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return nil, errors.New("not base64")
		}
	}
	return b64.DecodeString(s)
}

// parseUint reads a decimal without sign or leading zeros, at most 10 digits.
func parseUint(s string) (uint64, error) {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("not a canonical number")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a canonical number")
		}
	}
	return strconv.ParseUint(s, 10, 64)
}

// HashPassword hashes password with fresh salt from rand.
func HashPassword(rand io.Reader, password string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", fmt.Errorf("auth: argon2id parameters: %w", err)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return Hash{Params: p, Salt: salt, Key: key}.String(), nil
}

// VerifyPassword reports whether password matches the encoded hash,
// comparing keys in constant time. A malformed hash is an error, not a
// mismatch.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := ParseHash(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), h.Salt, h.Time, h.Memory, h.Threads, h.KeyLen)
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// NeedsRehash reports whether a hash was made with parameters other than p,
// so that a successful login can upgrade it.
func NeedsRehash(encoded string, p Params) bool {
	h, err := ParseHash(encoded)
	return err != nil || h.Params != p
}

// Password policy, after NIST SP 800-63B: length over composition rules.
const (
	MinPasswordLen = 12   // characters
	MaxPasswordLen = 1024 // bytes
	// minDistinct is the fewest different characters a password may have.
	minDistinct = 5
)

// ErrWeakPassword is wrapped by every policy refusal; the message says
// which rule failed (never the password).
var ErrWeakPassword = errors.New("password does not meet the policy")

// CheckPassword applies the password policy: at least MinPasswordLen
// characters and at most MaxPasswordLen bytes of UTF-8, not only
// whitespace, at least five different characters, and not the username or
// the product's name.
func CheckPassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return fmt.Errorf("auth: %w: not valid UTF-8", ErrWeakPassword)
	case n < MinPasswordLen:
		return fmt.Errorf("auth: %w: shorter than %d characters", ErrWeakPassword, MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("auth: %w: longer than %d bytes", ErrWeakPassword, MaxPasswordLen)
	case strings.TrimFunc(password, unicode.IsSpace) == "":
		return fmt.Errorf("auth: %w: only whitespace", ErrWeakPassword)
	}
	distinct := map[rune]bool{}
	for _, r := range password {
		distinct[unicode.ToLower(r)] = true
	}
	if len(distinct) < minDistinct {
		return fmt.Errorf("auth: %w: fewer than %d different characters", ErrWeakPassword, minDistinct)
	}
	lower := strings.ToLower(password)
	if u := strings.ToLower(strings.TrimSpace(username)); u != "" && (lower == u || strings.Trim(lower, "0123456789!@#$%^&*._- ") == u) {
		return fmt.Errorf("auth: %w: it is the username", ErrWeakPassword)
	}
	if strings.Trim(lower, "0123456789!@#$%^&*._- ") == "licet" {
		return fmt.Errorf("auth: %w: it is the product's name", ErrWeakPassword)
	}
	return nil
}
