package confirm

import (
	"bytes"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"filippo.io/bigmod"
	"filippo.io/nistec"

	"licet.dev/licet/codec"
)

// Alg is the algorithm identifier that an order license's confirm_key
// carries for this package's keys: EC-Schnorr over P-224 with a 112-bit
// challenge, as specified in docs/formats.md. It is in the COSE private-use
// range (below -65536); no registered COSE algorithm fits a typed code.
const Alg = -65601

const (
	// SeedSize is the size of a private key's seed, the only secret a key
	// holds.
	SeedSize = 32
	// PublicKeySize is the size of an encoded public key: a P-224 point in
	// SEC 1 compressed form.
	PublicKeySize = 29

	scalarSize = 28 // bytes of a P-224 scalar
)

// privateKeyMagic starts the encoding of a private key, so that a sealed
// confirmation key is never taken for another kind of key.
const privateKeyMagic = "LCK1"

// PrivateKeySize is the size of an encoded private key: a 4-byte magic and
// the seed.
const PrivateKeySize = len(privateKeyMagic) + SeedSize

// Domain-separation labels of the hashes the scheme uses.
const (
	labelScalar    = "licet confirmation key v1\x00"
	labelNonceKey  = "licet confirmation nonce key v1\x00"
	labelNonce     = "licet confirmation nonce v1\x00"
	labelChallenge = "licet confirmation challenge v1\x00"
	labelLicense   = "licet confirmation license v1\x00"
)

// groupOrder is n, the prime order of the P-224 group, and order512 is 2^512,
// through which a 64-byte hash is reduced modulo n.
var groupOrder, order512 = func() (*bigmod.Modulus, *bigmod.Modulus) {
	n, err := bigmod.NewModulus(elliptic.P224().Params().N.Bytes())
	if err != nil {
		panic(err)
	}
	b := make([]byte, 65)
	b[0] = 1
	m, err := bigmod.NewModulus(b)
	if err != nil {
		panic(err)
	}
	return n, m
}()

// reduce returns a 64-byte hash modulo n.
func reduce(h []byte) *bigmod.Nat {
	x, err := bigmod.NewNat().SetBytes(h, order512)
	if err != nil {
		panic("confirm: reducing a hash: " + err.Error())
	}
	return bigmod.NewNat().Mod(x, groupOrder)
}

// ErrKey is the outcome of bytes that are not a key of this package.
var ErrKey = errors.New("confirm: invalid key")

// PrivateKey is a confirmation key: it makes the confirmation codes of the
// orders that name its public key. Its only secret is a 32-byte seed, from
// which the P-224 scalar and the nonce key are derived.
type PrivateKey struct {
	seed     [SeedSize]byte
	x        *bigmod.Nat
	nonceKey [32]byte
	pub      *PublicKey
}

// GenerateKey returns a new private key with a seed read from rand
// (crypto/rand.Reader in production).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	var seed [SeedSize]byte
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, fmt.Errorf("confirm: generating a key: %w", err)
	}
	return NewKeyFromSeed(seed[:])
}

// NewKeyFromSeed returns the private key of a 32-byte seed:
//
//	x        = SHA-512("licet confirmation key v1" 0x00 ‖ seed) mod n
//	nonceKey = SHA-256("licet confirmation nonce key v1" 0x00 ‖ seed)
//
// It fails for a seed of another length, and for the one seed in about
// 2^224 that gives x = 0.
func NewKeyFromSeed(seed []byte) (*PrivateKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: seed is %d bytes, want %d", ErrKey, len(seed), SeedSize)
	}
	k := &PrivateKey{}
	copy(k.seed[:], seed)
	h := sha512.New()
	h.Write([]byte(labelScalar))
	h.Write(seed)
	k.x = reduce(h.Sum(nil))
	if k.x.IsZero() == 1 {
		return nil, fmt.Errorf("%w: seed gives the zero scalar", ErrKey)
	}
	n := sha256.New()
	n.Write([]byte(labelNonceKey))
	n.Write(seed)
	n.Sum(k.nonceKey[:0])
	p, err := nistec.NewP224Point().ScalarBaseMult(k.x.Bytes(groupOrder))
	if err != nil {
		return nil, fmt.Errorf("confirm: deriving the public key: %w", err)
	}
	k.pub = &PublicKey{p: p}
	copy(k.pub.b[:], p.BytesCompressed())
	return k, nil
}

// Seed returns a copy of the key's seed.
func (k *PrivateKey) Seed() []byte { return bytes.Clone(k.seed[:]) }

// Bytes returns the key's encoding, to be kept sealed (package
// licet.dev/licet/codec/keyseal): the 4 bytes "LCK1" and the seed.
func (k *PrivateKey) Bytes() []byte {
	return append([]byte(privateKeyMagic), k.seed[:]...)
}

// ParsePrivateKey parses the encoding that Bytes returns.
func ParsePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != PrivateKeySize || string(b[:len(privateKeyMagic)]) != privateKeyMagic {
		return nil, fmt.Errorf("%w: not a confirmation private key (want %d bytes starting with %q)", ErrKey, PrivateKeySize, privateKeyMagic)
	}
	return NewKeyFromSeed(b[len(privateKeyMagic):])
}

// Public returns the key's public key.
func (k *PrivateKey) Public() *PublicKey { return k.pub }

// Equal reports whether k and o hold the same seed, in constant time.
func (k *PrivateKey) Equal(o *PrivateKey) bool {
	return o != nil && subtle.ConstantTimeCompare(k.seed[:], o.seed[:]) == 1
}

// PublicKey verifies confirmation codes. It is a point of the P-224 group
// other than the identity.
type PublicKey struct {
	p *nistec.P224Point
	b [PublicKeySize]byte
}

// ParsePublicKey parses a public key: a P-224 point in SEC 1 compressed
// form (29 bytes, first byte 2 or 3). Every other encoding is refused, so
// that a key has exactly one encoding.
func ParsePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != PublicKeySize || (b[0] != 2 && b[0] != 3) {
		return nil, fmt.Errorf("%w: public key is %d bytes, want a %d-byte compressed P-224 point", ErrKey, len(b), PublicKeySize)
	}
	p, err := nistec.NewP224Point().SetBytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: public key is not a P-224 point", ErrKey)
	}
	k := &PublicKey{p: p}
	copy(k.b[:], b)
	return k, nil
}

// Bytes returns the key's encoding.
func (k *PublicKey) Bytes() []byte { return bytes.Clone(k.b[:]) }

// String returns the key's encoding in hexadecimal.
func (k *PublicKey) String() string { return hex.EncodeToString(k.b[:]) }

// Equal reports whether k and o are the same key.
func (k *PublicKey) Equal(o *PublicKey) bool { return o != nil && k.b == o.b }

// ConfirmKey returns the confirm_key field of an order license that names
// k.
func (k *PublicKey) ConfirmKey() codec.ConfirmKey {
	return codec.ConfirmKey{Alg: Alg, Key: k.Bytes()}
}

// KeyOf returns the confirmation key an order license names. The error
// matches ErrNoKey when the order names none, names one of another
// algorithm, or names bytes that are not a key.
func KeyOf(o *codec.OrderLicense) (*PublicKey, error) {
	ck := o.ConfirmKey
	switch {
	case ck.Alg == 0 && len(ck.Key) == 0:
		return nil, fmt.Errorf("%w: order %s names no confirmation key", ErrNoKey, o.ID)
	case ck.Alg != Alg:
		return nil, fmt.Errorf("%w: order %s names a confirmation key of algorithm %d, this reader knows %d", ErrNoKey, o.ID, ck.Alg, Alg)
	}
	k, err := ParsePublicKey(ck.Key)
	if err != nil {
		return nil, fmt.Errorf("%w: order %s: %w", ErrNoKey, o.ID, err)
	}
	return k, nil
}
