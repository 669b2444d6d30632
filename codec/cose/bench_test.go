package cose_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

// benchPayload is the size of a typical device license.
var benchPayload = make([]byte, 512)

// rawKeys derives the same component keys as cosetest.KeyFromSeed("bench")
// would use, for the raw primitive benchmarks.
func rawKeys(b *testing.B) (*mldsa65.PrivateKey, *mldsa65.PublicKey, ed25519.PrivateKey) {
	b.Helper()
	var seed [32]byte
	seed[0] = 1
	mlPub, ml := mldsa65.NewKeyFromSeed(&seed)
	ed := ed25519.NewKeyFromSeed(seed[:])
	return ml, mlPub, ed
}

// BenchmarkSign is cose.Sign: both signatures plus the COSE envelope.
func BenchmarkSign(b *testing.B) {
	key := cosetest.KeyFromSeed("bench")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cose.Sign(nil, key, ct, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is cose.Verify: decoding, key lookup and both checks.
func BenchmarkVerify(b *testing.B) {
	key := cosetest.KeyFromSeed("bench")
	msg, err := cose.Sign(nil, key, ct, benchPayload)
	if err != nil {
		b.Fatal(err)
	}
	trusted := []*cose.PublicKey{key.Public()}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := cose.Verify(msg, trusted); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawSign is the two primitives alone over the same payload, with
// no envelope: circl ML-DSA-65 SignTo (hedged) and ed25519.Sign.
func BenchmarkRawSign(b *testing.B) {
	ml, _, ed := rawKeys(b)
	sig := make([]byte, mldsa65.SignatureSize)
	b.ReportAllocs()
	for b.Loop() {
		if err := mldsa65.SignTo(ml, benchPayload, nil, true, sig); err != nil {
			b.Fatal(err)
		}
		_ = ed25519.Sign(ed, benchPayload)
	}
}

// BenchmarkRawVerify is the two verifications alone over the same payload.
func BenchmarkRawVerify(b *testing.B) {
	ml, mlPub, ed := rawKeys(b)
	sig := make([]byte, mldsa65.SignatureSize)
	if err := mldsa65.SignTo(ml, benchPayload, nil, true, sig); err != nil {
		b.Fatal(err)
	}
	edSig := ed25519.Sign(ed, benchPayload)
	edPub := ed.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !mldsa65.Verify(mlPub, benchPayload, nil, sig) || !ed25519.Verify(edPub, benchPayload, edSig) {
			b.Fatal("raw signature does not verify")
		}
	}
}

// BenchmarkDecode is the strict structural decode alone.
func BenchmarkDecode(b *testing.B) {
	msg := cosetest.SignDeterministic(cosetest.KeyFromSeed("bench"), ct, benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cose.Decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}
