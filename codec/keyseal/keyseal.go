// Package keyseal encrypts small secrets, such as private keys, under a
// passphrase for storage at rest: Argon2id (RFC 9106) derives the key and
// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha, over RFC 8439) encrypts and
// authenticates. The result is armoured text:
//
//	-----BEGIN LICET PRIVATE KEY-----
//	base64 of the sealed bytes, 64 characters a line
//	-----END LICET PRIVATE KEY-----
//
// The Argon2id parameters travel in the sealed bytes, so they can be raised
// without breaking older files. docs/formats.md ("Keys") documents the
// layout.
//
// The package is pure: no I/O, no clock, no network.
package keyseal

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

var (
	// ErrWrongPassphrase means the passphrase does not open the sealed
	// data (or the parameters, salt or check value were altered, which
	// cannot be told apart).
	ErrWrongPassphrase = errors.New("keyseal: wrong passphrase")

	// ErrTampered means the passphrase is right but the ciphertext was
	// altered.
	ErrTampered = errors.New("keyseal: sealed data was altered")

	// ErrMalformed means the input is not sealed data in the armoured form
	// this package writes.
	ErrMalformed = errors.New("keyseal: malformed")
)

// Params are the Argon2id cost parameters.
type Params struct {
	Time      uint32 // passes over memory, 1 to MaxTime
	MemoryKiB uint32 // memory in KiB, 8·Threads to MaxMemoryKiB
	Threads   uint8  // lanes, at least 1
}

// DefaultParams are the parameters [Seal] uses: 3 passes over 64 MiB with
// 4 lanes (RFC 9106 section 4, second recommended option, with t=3).
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// Bounds that [Open] enforces on parameters read from a file, so that a
// file cannot demand unbounded work.
const (
	MaxTime      = 64
	MaxMemoryKiB = 1 << 20 // 1 GiB
)

// MaxPlaintext is the largest secret [Seal] takes.
const MaxPlaintext = 64 << 10

func (p Params) check() error {
	switch {
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("Argon2id time %d out of range 1..%d", p.Time, MaxTime)
	case p.Threads < 1:
		return errors.New("Argon2id threads must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > MaxMemoryKiB:
		return fmt.Errorf("Argon2id memory %d KiB out of range %d..%d", p.MemoryKiB, 8*uint32(p.Threads), MaxMemoryKiB)
	}
	return nil
}

// Layout of the sealed bytes (all integers big-endian):
//
//	magic     "LKS1"  (4 bytes)
//	kdf       1 = Argon2id (1 byte)
//	time      uint32
//	memory    uint32, KiB
//	threads   uint8
//	salt      16 bytes
//	check     16 bytes: the last 16 bytes of the Argon2id output
//	nonce     24 bytes
//	sealed    XChaCha20-Poly1305 ciphertext and 16-byte tag
//
// Argon2id gives 48 bytes: the first 32 are the AEAD key, the last 16 the
// check value, which tells a wrong passphrase from altered ciphertext.
// The whole header is the AEAD's additional data.
const (
	magic      = "LKS1"
	kdfArgon2  = 1
	saltSize   = 16
	checkSize  = 16
	headerSize = 4 + 1 + 4 + 4 + 1 + saltSize + checkSize + chacha20poly1305.NonceSizeX
	keySize    = chacha20poly1305.KeySize
	overhead   = headerSize + chacha20poly1305.Overhead
)

const (
	armorBegin = "-----BEGIN LICET PRIVATE KEY-----"
	armorEnd   = "-----END LICET PRIVATE KEY-----"
	lineLen    = 64
)

// maxArmored bounds the armoured input Open reads.
var maxArmored = len(armorBegin) + len(armorEnd) + 2 +
	base64.StdEncoding.EncodedLen(overhead+MaxPlaintext)*(lineLen+1)/lineLen + 1

// Seal encrypts plaintext under passphrase with [DefaultParams]. rand (nil
// means crypto/rand.Reader) supplies the salt and nonce.
func Seal(rand io.Reader, passphrase, plaintext []byte) ([]byte, error) {
	return SealWithParams(rand, passphrase, plaintext, DefaultParams)
}

// SealWithParams is [Seal] with chosen Argon2id parameters.
func SealWithParams(rnd io.Reader, passphrase, plaintext []byte, p Params) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("keyseal: empty passphrase")
	}
	if len(plaintext) > MaxPlaintext {
		return nil, fmt.Errorf("keyseal: secret is %d bytes, more than %d", len(plaintext), MaxPlaintext)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("keyseal: %w", err)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	h := make([]byte, headerSize, headerSize+len(plaintext)+chacha20poly1305.Overhead)
	copy(h, magic)
	h[4] = kdfArgon2
	binary.BigEndian.PutUint32(h[5:], p.Time)
	binary.BigEndian.PutUint32(h[9:], p.MemoryKiB)
	h[13] = p.Threads
	salt := h[14 : 14+saltSize]
	check := h[14+saltSize : 14+saltSize+checkSize]
	nonce := h[14+saltSize+checkSize : headerSize]
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return nil, fmt.Errorf("keyseal: reading salt: %w", err)
	}
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return nil, fmt.Errorf("keyseal: reading nonce: %w", err)
	}
	key, chk := derive(passphrase, salt, p)
	copy(check, chk)
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("keyseal: %w", err)
	}
	sealed := aead.Seal(h, nonce, plaintext, h)
	return armor(sealed), nil
}

func derive(passphrase, salt []byte, p Params) (key, check []byte) {
	out := argon2.IDKey(passphrase, salt, p.Time, p.MemoryKiB, p.Threads, keySize+checkSize)
	return out[:keySize], out[keySize:]
}

// header is the parsed header of sealed bytes.
type header struct {
	params Params
	raw    []byte // the header bytes, the AEAD's additional data
	salt   []byte
	check  []byte
	nonce  []byte
}

// parse reads sealed bytes (not armoured).
func parse(b []byte) (*header, []byte, error) {
	if len(b) < overhead {
		return nil, nil, fmt.Errorf("%w: %d bytes, fewer than the %d of an empty secret", ErrMalformed, len(b), overhead)
	}
	if string(b[:4]) != magic {
		return nil, nil, fmt.Errorf("%w: unknown format %q", ErrMalformed, b[:4])
	}
	if b[4] != kdfArgon2 {
		return nil, nil, fmt.Errorf("%w: unknown key derivation %d", ErrMalformed, b[4])
	}
	h := &header{
		params: Params{
			Time:      binary.BigEndian.Uint32(b[5:]),
			MemoryKiB: binary.BigEndian.Uint32(b[9:]),
			Threads:   b[13],
		},
		raw:   b[:headerSize],
		salt:  b[14 : 14+saltSize],
		check: b[14+saltSize : 14+saltSize+checkSize],
		nonce: b[14+saltSize+checkSize : headerSize],
	}
	if err := h.params.check(); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(b)-overhead > MaxPlaintext {
		return nil, nil, fmt.Errorf("%w: secret longer than %d bytes", ErrMalformed, MaxPlaintext)
	}
	return h, b[headerSize:], nil
}

// Open decrypts armoured sealed data with passphrase. A wrong passphrase
// gives [ErrWrongPassphrase]; altered ciphertext gives [ErrTampered];
// anything that is not sealed data gives [ErrMalformed].
func Open(passphrase, sealed []byte) ([]byte, error) {
	b, err := unarmor(sealed)
	if err != nil {
		return nil, err
	}
	h, ct, err := parse(b)
	if err != nil {
		return nil, err
	}
	key, chk := derive(passphrase, h.salt, h.params)
	if subtle.ConstantTimeCompare(chk, h.check) != 1 {
		return nil, ErrWrongPassphrase
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("keyseal: %w", err)
	}
	pt, err := aead.Open(nil, h.nonce, ct, h.raw)
	if err != nil {
		return nil, ErrTampered
	}
	if pt == nil {
		pt = []byte{}
	}
	return pt, nil
}

// ParamsOf returns the Argon2id parameters of armoured sealed data, so that
// a caller can tell whether a file is weaker than [DefaultParams].
func ParamsOf(sealed []byte) (Params, error) {
	b, err := unarmor(sealed)
	if err != nil {
		return Params{}, err
	}
	h, _, err := parse(b)
	if err != nil {
		return Params{}, err
	}
	return h.params, nil
}

// armor writes the armoured text form, ending in a newline.
func armor(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	out.Grow(len(armorBegin) + len(armorEnd) + len(enc) + len(enc)/lineLen + 4)
	out.WriteString(armorBegin + "\n")
	for len(enc) > lineLen {
		out.WriteString(enc[:lineLen] + "\n")
		enc = enc[lineLen:]
	}
	out.WriteString(enc + "\n")
	out.WriteString(armorEnd + "\n")
	return out.Bytes()
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '='
}

// unarmor reads the armoured text form. Leading and trailing white space
// is ignored; inside, the form must be exactly what armor writes, with
// "\n" or "\r\n" line ends.
func unarmor(text []byte) ([]byte, error) {
	if len(text) > maxArmored {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrMalformed, len(text), maxArmored)
	}
	text = bytes.TrimSpace(text)
	text = bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n"))
	lines := bytes.Split(text, []byte("\n"))
	if len(lines) < 3 || string(lines[0]) != armorBegin {
		return nil, fmt.Errorf("%w: want a %q line first", ErrMalformed, armorBegin)
	}
	if string(lines[len(lines)-1]) != armorEnd {
		return nil, fmt.Errorf("%w: want a %q line last", ErrMalformed, armorEnd)
	}
	body := lines[1 : len(lines)-1]
	var enc []byte
	for i, l := range body {
		if len(l) > lineLen || (i < len(body)-1 && len(l) != lineLen) || len(l) == 0 {
			return nil, fmt.Errorf("%w: line %d has %d characters; lines hold %d except the last", ErrMalformed, i+2, len(l), lineLen)
		}
		for j, c := range l {
			if !isBase64(c) {
				return nil, fmt.Errorf("%w: line %d: character %d is not base64", ErrMalformed, i+2, j+1)
			}
		}
		enc = append(enc, l...)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(string(enc))
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	return b, nil
}
