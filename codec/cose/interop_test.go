package cose_test

import (
	"errors"
	"io"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	gocose "github.com/veraison/go-cose"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

// The interop tests check Licet's messages with an independent COSE
// implementation, veraison/go-cose. go-cose has no ML-DSA, so ML-DSA-65
// (alg -49) is a small verifier over circl; Ed25519 is go-cose's own
// verifier. go-cose knows Ed25519 only as the polymorphic EdDSA (-8), so
// the adapter reports the fully specified alg -19 (RFC 9864) that the
// header carries and leaves the verification to go-cose.

const (
	goCoseMLDSA65 gocose.Algorithm = -49
	goCoseEd25519 gocose.Algorithm = -19
)

type mldsaVerifier struct{ pk *mldsa65.PublicKey }

func (v mldsaVerifier) Algorithm() gocose.Algorithm { return goCoseMLDSA65 }

func (v mldsaVerifier) Verify(content, sig []byte) error {
	if !mldsa65.Verify(v.pk, content, nil, sig) {
		return gocose.ErrVerification
	}
	return nil
}

type mldsaSigner struct{ sk *mldsa65.PrivateKey }

func (s mldsaSigner) Algorithm() gocose.Algorithm { return goCoseMLDSA65 }

func (s mldsaSigner) Sign(_ io.Reader, content []byte) ([]byte, error) {
	sig := make([]byte, mldsa65.SignatureSize)
	err := mldsa65.SignTo(s.sk, content, nil, true, sig)
	return sig, err
}

// ed25519Alg gives go-cose's EdDSA verifier or signer the alg -19.
type ed25519Verifier struct{ gocose.Verifier }

func (ed25519Verifier) Algorithm() gocose.Algorithm { return goCoseEd25519 }

type ed25519Signer struct{ gocose.Signer }

func (ed25519Signer) Algorithm() gocose.Algorithm { return goCoseEd25519 }

func goCoseVerifiers(t *testing.T, pub *cose.PublicKey) []gocose.Verifier {
	ml, ed := pubComponents(t, pub)
	edv, err := gocose.NewVerifier(gocose.AlgorithmEdDSA, ed)
	if err != nil {
		t.Fatal(err)
	}
	return []gocose.Verifier{mldsaVerifier{ml}, ed25519Verifier{edv}}
}

func TestInteropGoCoseVerifiesLicet(t *testing.T) {
	key, err := cose.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte("order 42: 10 seats")
	msg, err := cose.Sign(nil, key, "application/vnd.licet.order+cbor", payload)
	if err != nil {
		t.Fatal(err)
	}
	var sm gocose.SignMessage
	if err := sm.UnmarshalCBOR(msg); err != nil {
		t.Fatalf("go-cose cannot decode: %v", err)
	}
	if err := sm.Verify(nil, goCoseVerifiers(t, key.Public())...); err != nil {
		t.Fatalf("go-cose does not verify: %v", err)
	}
	if string(sm.Payload) != string(payload) {
		t.Fatal("payload differs")
	}
	kid := key.Public().ID()
	if got, _ := sm.Headers.Protected[gocose.HeaderLabelKeyID].([]byte); string(got) != string(kid[:]) {
		t.Fatalf("go-cose sees kid %x", got)
	}
	if ct := sm.Headers.Protected[gocose.HeaderLabelContentType]; ct != "application/vnd.licet.order+cbor" {
		t.Fatalf("go-cose sees content type %v", ct)
	}
	crit, err := sm.Headers.Protected.Critical()
	if err != nil || len(crit) != 1 {
		t.Fatalf("go-cose sees crit %v (%v)", crit, err)
	}
	// go-cose re-encodes the message to the same bytes.
	re, err := sm.MarshalCBOR()
	if err != nil || string(re) != string(msg) {
		t.Fatalf("go-cose re-encodes differently (%v)", err)
	}

	// go-cose rejects a changed payload, and a message by another key.
	sm.Payload = []byte("order 42: 99 seats")
	if err := sm.Verify(nil, goCoseVerifiers(t, key.Public())...); !errors.Is(err, gocose.ErrVerification) {
		t.Fatalf("go-cose accepts a changed payload: %v", err)
	}
	other := cosetest.KeyFromSeed("other")
	var sm2 gocose.SignMessage
	if err := sm2.UnmarshalCBOR(msg); err != nil {
		t.Fatal(err)
	}
	if err := sm2.Verify(nil, goCoseVerifiers(t, other.Public())...); err == nil {
		t.Fatal("go-cose verifies under another key")
	}
}

// TestInteropLicetVerifiesGoCose builds the same message with go-cose's
// signer and checks that Licet accepts it: the format is reproducible from
// its description by another implementation.
func TestInteropLicetVerifiesGoCose(t *testing.T) {
	key := cosetest.KeyFromSeed("interop")
	ml, ed := components(t, key)
	eds, err := gocose.NewSigner(gocose.AlgorithmEdDSA, ed)
	if err != nil {
		t.Fatal(err)
	}
	kid := key.Public().ID()
	ct := "application/vnd.licet.lease+cbor"
	msg := gocose.NewSignMessage()
	msg.Headers.Protected = gocose.ProtectedHeader{
		gocose.HeaderLabelCritical:    []any{int64(-65537)},
		gocose.HeaderLabelContentType: ct,
		gocose.HeaderLabelKeyID:       kid[:],
		int64(-65537):                 []any{int64(-49), int64(-19)},
	}
	msg.Payload = []byte("lease for terminal 7")
	for _, alg := range []gocose.Algorithm{goCoseMLDSA65, goCoseEd25519} {
		s := gocose.NewSignature()
		s.Headers.Protected = gocose.ProtectedHeader{gocose.HeaderLabelAlgorithm: alg, gocose.HeaderLabelKeyID: kid[:]}
		msg.Signatures = append(msg.Signatures, s)
	}
	if err := msg.Sign(nil, nil, mldsaSigner{ml}, ed25519Signer{eds}); err != nil {
		t.Fatal(err)
	}
	b, err := msg.MarshalCBOR()
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := cose.Verify(b, []*cose.PublicKey{key.Public()})
	if err != nil {
		t.Fatalf("Licet rejects go-cose's message: %v", err)
	}
	if m.ContentType != ct || string(m.Payload) != "lease for terminal 7" {
		t.Fatalf("decoded %+v", m)
	}
}
