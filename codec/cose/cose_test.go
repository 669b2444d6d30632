package cose_test

import (
	"bytes"
	"errors"
	"testing"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

const ct = "application/licet-test+cbor"

func TestSignVerifyRoundTrip(t *testing.T) {
	key, err := cose.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, payload := range [][]byte{{}, []byte("hello"), bytes.Repeat([]byte{0xa5}, 70000)} {
		msg, err := cose.Sign(nil, key, ct, payload)
		if err != nil {
			t.Fatal(err)
		}
		m, k, err := cose.Verify(msg, []*cose.PublicKey{cosetest.KeyFromSeed("other").Public(), key.Public()})
		if err != nil {
			t.Fatalf("payload %d bytes: %v", len(payload), err)
		}
		if !k.Equal(key.Public()) || m.KeyID != key.Public().ID() || m.ContentType != ct || !bytes.Equal(m.Payload, payload) {
			t.Fatalf("payload %d bytes: decoded %+v", len(payload), m)
		}
		re, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(re, msg) {
			t.Fatalf("re-encoding differs: %v", err)
		}
		// Randomized: two signatures of the same payload differ.
		msg2, _ := cose.Sign(nil, key, ct, payload)
		if bytes.Equal(msg, msg2) {
			t.Fatal("two hedged signatures are identical")
		}
	}
}

func TestVerifyUnknownKey(t *testing.T) {
	key := cosetest.KeyFromSeed("a")
	msg := cosetest.SignDeterministic(key, ct, []byte("x"))
	_, _, err := cose.Verify(msg, []*cose.PublicKey{cosetest.KeyFromSeed("b").Public()})
	if !errors.Is(err, cose.ErrUnknownKey) {
		t.Fatalf("got %v, want ErrUnknownKey", err)
	}
}
