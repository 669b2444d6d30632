package cose

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// COSE algorithm and key parameters used by Licet keys and messages.
const (
	algMLDSA65 = -49 // RFC 9964
	algEd25519 = -19 // RFC 9864

	ktyOKP = 1 // RFC 9053
	ktyAKP = 7 // RFC 9964
	crvEd  = 6 // Ed25519

	labelKty     = 1
	labelKeyAlg  = 3
	labelAKPPub  = -1
	labelAKPPriv = -2
	labelOKPCrv  = -1
	labelOKPX    = -2
	labelOKPD    = -4
)

// KeyIDSize is the length in bytes of a key id.
const KeyIDSize = 16

// KeyID names a hybrid public key: the first 16 bytes of SHA-256 over the
// key's canonical encoding ([PublicKey.Bytes]). Its text form is 32
// lower-case hexadecimal digits.
type KeyID [KeyIDSize]byte

// String returns the key id as 32 lower-case hexadecimal digits.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText returns the key id as 32 lower-case hexadecimal digits.
func (id KeyID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses 32 hexadecimal digits (either case).
func (id *KeyID) UnmarshalText(b []byte) error {
	if len(b) != 2*KeyIDSize {
		return fmt.Errorf("%w key id: %d characters, want %d hexadecimal digits", ErrMalformed, len(b), 2*KeyIDSize)
	}
	var v KeyID
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("%w key id: %v", ErrMalformed, err)
	}
	*id = v
	return nil
}

// PublicKeyPrefix starts the text form of a public key. It cannot be
// changed: published keys carry it.
const PublicKeyPrefix = "licet-pub1:"

// publicKeySize is the length of PublicKey.Bytes.
const publicKeySize = 1 + (1 + 2 + 3 + 1 + 3 + mldsa65.PublicKeySize) + (1 + 2 + 2 + 2 + 1 + 2 + ed25519.PublicKeySize)

// PublicKey is a hybrid ML-DSA-65 + Ed25519 public key. The zero value is not
// usable; make one with [ParsePublicKey], [PublicKey.UnmarshalText] or
// [PrivateKey.Public].
type PublicKey struct {
	enc []byte // canonical encoding, publicKeySize bytes
	id  KeyID
	ml  *mldsa65.PublicKey
	ed  ed25519.PublicKey
}

func newPublicKey(mlRaw, edRaw []byte) (*PublicKey, error) {
	if len(mlRaw) != mldsa65.PublicKeySize || len(edRaw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w public key: wrong component sizes", ErrMalformed)
	}
	var ml mldsa65.PublicKey
	if err := ml.UnmarshalBinary(mlRaw); err != nil {
		return nil, fmt.Errorf("%w public key: ML-DSA-65 part: %v", ErrMalformed, err)
	}
	k := &PublicKey{
		enc: publicParts.encode(mlRaw, edRaw),
		ml:  &ml,
		ed:  ed25519.PublicKey(bytes.Clone(edRaw)),
	}
	sum := sha256.Sum256(k.enc)
	copy(k.id[:], sum[:KeyIDSize])
	return k, nil
}

// keyParts names the labels under which a COSE_KeySet of a hybrid key holds
// its two parts: the public keys (AKP pub, OKP x) or the private seeds (AKP
// priv, OKP d). Everything else in the two maps is fixed.
type keyParts struct{ ml, ed int64 }

var (
	publicParts  = keyParts{ml: labelAKPPub, ed: labelOKPX}
	privateParts = keyParts{ml: labelAKPPriv, ed: labelOKPD}
)

// encode writes the COSE_KeySet
//
//	[ {1: 7, 3: -49, p.ml: mlPart}, {1: 1, 3: -19, -1: 6, p.ed: edPart} ]
func (p keyParts) encode(mlPart, edPart []byte) []byte {
	b := make([]byte, 0, len(mlPart)+len(edPart)+21) // heads and labels: 21 bytes at most
	b = appendHead(b, majorArray, 2)
	b = appendHead(b, majorMap, 3)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyAKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algMLDSA65)
	b = appendInt(b, p.ml)
	b = appendBytes(b, mlPart)
	b = appendHead(b, majorMap, 4)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyOKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algEd25519)
	b = appendInt(b, labelOKPCrv)
	b = appendInt(b, crvEd)
	b = appendInt(b, p.ed)
	b = appendBytes(b, edPart)
	return b
}

// parse takes the two parts of b at the offsets encode writes them at,
// re-encodes them and compares (in constant time, as b may be secret), so
// that every other byte is checked too. It returns nil parts if b is not
// the canonical encoding; the caller checks len(b) first.
func (p keyParts) parse(b []byte, mlLen, edLen int) (mlPart, edPart []byte) {
	off := 1 + 1 + 2 + 3 + 1 + headSize(uint64(mlLen)) // array and map heads, kty, alg, label, byte-string head
	mlPart, edPart = b[off:off+mlLen], b[len(b)-edLen:]
	if subtle.ConstantTimeCompare(p.encode(mlPart, edPart), b) != 1 {
		return nil, nil
	}
	return mlPart, edPart
}

// ParsePublicKey parses the canonical encoding returned by
// [PublicKey.Bytes]. Any other encoding of the same key is rejected.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != publicKeySize {
		return nil, fmt.Errorf("%w public key: %d bytes, want %d", ErrMalformed, len(b), publicKeySize)
	}
	mlRaw, edRaw := publicParts.parse(b, mldsa65.PublicKeySize, ed25519.PublicKeySize)
	if mlRaw == nil {
		return nil, fmt.Errorf("%w public key: not a COSE_KeySet of an ML-DSA-65 AKP key and an Ed25519 OKP key in canonical form", ErrMalformed)
	}
	return newPublicKey(mlRaw, edRaw)
}

// Bytes returns the canonical encoding of the key: the RFC 8949 core
// deterministic CBOR of a COSE_KeySet holding the ML-DSA-65 key (kty AKP,
// alg -49, pub) and the Ed25519 key (kty OKP, alg -19, crv Ed25519, x), in
// that order. The key id is computed over these bytes.
func (k *PublicKey) Bytes() []byte { return bytes.Clone(k.enc) }

// ID returns the key id: the first 16 bytes of SHA-256 over [PublicKey.Bytes].
func (k *PublicKey) ID() KeyID { return k.id }

// Equal reports whether k and o are the same key.
func (k *PublicKey) Equal(o *PublicKey) bool {
	if k == nil || o == nil {
		return k == o
	}
	return bytes.Equal(k.enc, o.enc)
}

// String returns the text form of the key.
func (k *PublicKey) String() string {
	t, _ := k.MarshalText()
	return string(t)
}

// MarshalText returns the text form of the key: "licet-pub1:" followed by
// the unpadded base64url (RFC 4648 section 5) of [PublicKey.Bytes], on one
// line.
func (k *PublicKey) MarshalText() ([]byte, error) {
	if k == nil || k.enc == nil {
		return nil, fmt.Errorf("%w public key: empty key", ErrMalformed)
	}
	n := len(PublicKeyPrefix) + base64.RawURLEncoding.EncodedLen(len(k.enc))
	b := make([]byte, len(PublicKeyPrefix), n)
	copy(b, PublicKeyPrefix)
	return base64.RawURLEncoding.AppendEncode(b, k.enc), nil
}

// UnmarshalText parses the text form written by [PublicKey.MarshalText].
func (k *PublicKey) UnmarshalText(b []byte) error {
	s, ok := strings.CutPrefix(string(b), PublicKeyPrefix)
	if !ok {
		return fmt.Errorf("%w public key: text form must start with %q", ErrMalformed, PublicKeyPrefix)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w public key: text form: character %d is not unpadded base64url", ErrMalformed, len(PublicKeyPrefix)+i+1)
		}
	}
	if base64.RawURLEncoding.DecodedLen(len(s)) != publicKeySize {
		return fmt.Errorf("%w public key: text form has %d characters after the prefix, want %d",
			ErrMalformed, len(s), base64.RawURLEncoding.EncodedLen(publicKeySize))
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return fmt.Errorf("%w public key: text form: %v", ErrMalformed, err)
	}
	p, err := ParsePublicKey(raw)
	if err != nil {
		return err
	}
	*k = *p
	return nil
}

// ParsePublicKeys parses a list of public keys in text form
// ([PublicKey.MarshalText]), one a line, as trust files and key lists hold
// them: text after '#' is a comment, white space around a key and blank
// lines are ignored. It returns one key per key line, in order, duplicates
// included, and no error for a list without keys: what an empty list means
// is the caller's to say.
//
// An error names the line that failed, "name:line: ..." (as compilers
// name a file), or "line N: ..." if name is empty, and wraps the error of
// [PublicKey.UnmarshalText] (so errors.Is(err, ErrMalformed) holds).
func ParsePublicKeys(name string, text []byte) ([]*PublicKey, error) {
	var keys []*PublicKey
	for i, line := range bytes.Split(text, []byte("\n")) {
		line, _, _ = bytes.Cut(line, []byte("#"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		k := new(PublicKey)
		if err := k.UnmarshalText(line); err != nil {
			if name == "" {
				return nil, fmt.Errorf("line %d: %w", i+1, err)
			}
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// SeedSize is the size of each of the two seeds in a private key.
const SeedSize = 32

// privateKeySize is the length of PrivateKey.Bytes.
const privateKeySize = 1 + (1 + 2 + 3 + 1 + 2 + SeedSize) + (1 + 2 + 2 + 2 + 1 + 2 + SeedSize)

// PrivateKey is a hybrid ML-DSA-65 + Ed25519 private key, held as two 32-byte
// seeds. The zero value is not usable; make one with [GenerateKey] or
// [ParsePrivateKey].
type PrivateKey struct {
	mlSeed [SeedSize]byte
	edSeed [SeedSize]byte
	ml     *mldsa65.PrivateKey
	ed     ed25519.PrivateKey
	pub    *PublicKey
}

// GenerateKey makes a new hybrid key from 64 bytes of rand (nil means
// crypto/rand.Reader).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	if rand == nil {
		rand = cryptoRand()
	}
	var seeds [2 * SeedSize]byte
	if _, err := io.ReadFull(rand, seeds[:]); err != nil {
		return nil, fmt.Errorf("cose: generating key: %w", err)
	}
	return newPrivateKey(seeds[:SeedSize], seeds[SeedSize:]), nil
}

func cryptoRand() io.Reader { return rand.Reader }

func newPrivateKey(mlSeed, edSeed []byte) *PrivateKey {
	k := &PrivateKey{}
	copy(k.mlSeed[:], mlSeed)
	copy(k.edSeed[:], edSeed)
	mlPub, ml := mldsa65.NewKeyFromSeed(&k.mlSeed)
	k.ml = ml
	k.ed = ed25519.NewKeyFromSeed(k.edSeed[:])
	pub, err := newPublicKey(mlPub.Bytes(), k.ed.Public().(ed25519.PublicKey))
	if err != nil {
		panic("cose: deriving public key: " + err.Error()) // sizes are fixed
	}
	k.pub = pub
	return k
}

// NewKeyFromSeeds derives a hybrid key from an ML-DSA-65 seed (FIPS 204
// ξ) and an Ed25519 seed (RFC 8032 private key), 32 bytes each.
func NewKeyFromSeeds(mlDSASeed, ed25519Seed []byte) (*PrivateKey, error) {
	if len(mlDSASeed) != SeedSize || len(ed25519Seed) != SeedSize {
		return nil, fmt.Errorf("%w private key: seeds must be %d bytes each", ErrMalformed, SeedSize)
	}
	return newPrivateKey(mlDSASeed, ed25519Seed), nil
}

// ParsePrivateKey parses the encoding returned by [PrivateKey.Bytes].
// Errors never include key material.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != privateKeySize {
		return nil, fmt.Errorf("%w private key: %d bytes, want %d", ErrMalformed, len(b), privateKeySize)
	}
	mlSeed, edSeed := privateParts.parse(b, SeedSize, SeedSize)
	if mlSeed == nil {
		return nil, fmt.Errorf("%w private key: not a COSE_KeySet of an ML-DSA-65 AKP seed and an Ed25519 OKP seed in canonical form", ErrMalformed)
	}
	return newPrivateKey(mlSeed, edSeed), nil
}

// Bytes returns the private key's encoding: the core deterministic CBOR of
// a COSE_KeySet holding the ML-DSA-65 seed (kty AKP, alg -49, priv) and the
// Ed25519 seed (kty OKP, alg -19, crv Ed25519, d). It is secret; store it
// only sealed (see package keyseal).
// A zero PrivateKey has no encoding: Bytes returns nil.
func (k *PrivateKey) Bytes() []byte {
	if k == nil || k.ml == nil {
		return nil
	}
	return privateParts.encode(k.mlSeed[:], k.edSeed[:])
}

// Public returns the public half of the key (nil for a zero PrivateKey).
func (k *PrivateKey) Public() *PublicKey {
	if k == nil {
		return nil
	}
	return k.pub
}

// Equal reports whether k and o are the same key, in constant time.
func (k *PrivateKey) Equal(o *PrivateKey) bool {
	if k == nil || o == nil {
		return k == o
	}
	return subtle.ConstantTimeCompare(k.mlSeed[:], o.mlSeed[:])&
		subtle.ConstantTimeCompare(k.edSeed[:], o.edSeed[:]) == 1
}
