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
		enc: encodePublicKey(mlRaw, edRaw),
		ml:  &ml,
		ed:  ed25519.PublicKey(bytes.Clone(edRaw)),
	}
	sum := sha256.Sum256(k.enc)
	copy(k.id[:], sum[:KeyIDSize])
	return k, nil
}

// encodePublicKey writes the COSE_KeySet
//
//	[ {1: 7, 3: -49, -1: pub}, {1: 1, 3: -19, -1: 6, -2: x} ]
func encodePublicKey(mlRaw, edRaw []byte) []byte {
	b := make([]byte, 0, publicKeySize)
	b = appendHead(b, majorArray, 2)
	b = appendHead(b, majorMap, 3)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyAKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algMLDSA65)
	b = appendInt(b, labelAKPPub)
	b = appendBytes(b, mlRaw)
	b = appendHead(b, majorMap, 4)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyOKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algEd25519)
	b = appendInt(b, labelOKPCrv)
	b = appendInt(b, crvEd)
	b = appendInt(b, labelOKPX)
	b = appendBytes(b, edRaw)
	return b
}

// ParsePublicKey parses the canonical encoding returned by
// [PublicKey.Bytes]. Any other encoding of the same key is rejected.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != publicKeySize {
		return nil, fmt.Errorf("%w public key: %d bytes, want %d", ErrMalformed, len(b), publicKeySize)
	}
	// The layout is fixed: take the key material at its offsets, re-encode
	// and compare, so that every other byte is checked too.
	mlOff := 1 + 1 + 2 + 3 + 1 + 3
	mlRaw := b[mlOff : mlOff+mldsa65.PublicKeySize]
	edRaw := b[len(b)-ed25519.PublicKeySize:]
	if !bytes.Equal(encodePublicKey(mlRaw, edRaw), b) {
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

// encodePrivateKey writes the COSE_KeySet
//
//	[ {1: 7, 3: -49, -2: seed}, {1: 1, 3: -19, -1: 6, -4: d} ]
func encodePrivateKey(mlSeed, edSeed []byte) []byte {
	b := make([]byte, 0, privateKeySize)
	b = appendHead(b, majorArray, 2)
	b = appendHead(b, majorMap, 3)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyAKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algMLDSA65)
	b = appendInt(b, labelAKPPriv)
	b = appendBytes(b, mlSeed)
	b = appendHead(b, majorMap, 4)
	b = appendInt(b, labelKty)
	b = appendInt(b, ktyOKP)
	b = appendInt(b, labelKeyAlg)
	b = appendInt(b, algEd25519)
	b = appendInt(b, labelOKPCrv)
	b = appendInt(b, crvEd)
	b = appendInt(b, labelOKPD)
	b = appendBytes(b, edSeed)
	return b
}

// ParsePrivateKey parses the encoding returned by [PrivateKey.Bytes].
// Errors never include key material.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != privateKeySize {
		return nil, fmt.Errorf("%w private key: %d bytes, want %d", ErrMalformed, len(b), privateKeySize)
	}
	mlOff := 1 + 1 + 2 + 3 + 1 + 2
	mlSeed := b[mlOff : mlOff+SeedSize]
	edSeed := b[len(b)-SeedSize:]
	if subtle.ConstantTimeCompare(encodePrivateKey(mlSeed, edSeed), b) != 1 {
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
	return encodePrivateKey(k.mlSeed[:], k.edSeed[:])
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
