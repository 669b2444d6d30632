package cose_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

func TestKeyRoundTrip(t *testing.T) {
	k, err := cose.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := cose.ParsePrivateKey(k.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !k.Equal(k2) || !k.Public().Equal(k2.Public()) {
		t.Fatal("private key round trip differs")
	}
	pub := k.Public()
	p2, err := cose.ParsePublicKey(pub.Bytes())
	if err != nil || !p2.Equal(pub) || p2.ID() != pub.ID() {
		t.Fatalf("public key round trip: %v", err)
	}
	sum := sha256.Sum256(pub.Bytes())
	if id := pub.ID(); !bytes.Equal(id[:], sum[:16]) {
		t.Fatal("kid is not the first 16 bytes of SHA-256 over the encoding")
	}
	text, err := pub.MarshalText()
	if err != nil || !strings.HasPrefix(string(text), cose.PublicKeyPrefix) || bytes.ContainsAny(text, "\n\r =") {
		t.Fatalf("text form %q (%v)", text, err)
	}
	var p3 cose.PublicKey
	if err := p3.UnmarshalText(text); err != nil || !p3.Equal(pub) {
		t.Fatalf("text round trip: %v", err)
	}
	var id cose.KeyID
	idText, _ := pub.ID().MarshalText()
	if err := id.UnmarshalText(idText); err != nil || id != pub.ID() || id.String() != string(idText) || len(idText) != 32 {
		t.Fatalf("kid text round trip: %q %v", idText, err)
	}
	if err := id.UnmarshalText([]byte(strings.ToUpper(string(idText)))); err != nil || id != pub.ID() {
		t.Fatalf("kid upper case: %v", err)
	}
	other, _ := cose.GenerateKey(nil)
	if k.Equal(other) || pub.Equal(other.Public()) || pub.ID() == other.Public().ID() {
		t.Fatal("two generated keys are equal")
	}
}

// TestKeyEncoding checks that the key encodings are the COSE_KeySets
// docs/formats.md describes, decoded by fxamacker/cbor.
func TestKeyEncoding(t *testing.T) {
	k := cosetest.KeyFromSeed("encoding")
	var pub []map[int64]any
	if err := tDec.Unmarshal(k.Public().Bytes(), &pub); err != nil {
		t.Fatal(err)
	}
	if len(pub) != 2 || pub[0][1] != int64(7) || pub[0][3] != int64(-49) || len(pub[0][-1].([]byte)) != 1952 ||
		pub[1][1] != int64(1) || pub[1][3] != int64(-19) || pub[1][-1] != int64(6) || len(pub[1][-2].([]byte)) != 32 ||
		len(pub[0]) != 3 || len(pub[1]) != 4 {
		t.Fatalf("public key set %v", pub)
	}
	if re := mustMarshal(t, pub); !bytes.Equal(re, k.Public().Bytes()) {
		t.Fatal("public key is not in core deterministic encoding")
	}
	var priv []map[int64]any
	if err := tDec.Unmarshal(k.Bytes(), &priv); err != nil {
		t.Fatal(err)
	}
	if len(priv) != 2 || priv[0][1] != int64(7) || priv[0][3] != int64(-49) || len(priv[0][-2].([]byte)) != 32 ||
		priv[1][1] != int64(1) || priv[1][3] != int64(-19) || priv[1][-1] != int64(6) || len(priv[1][-4].([]byte)) != 32 {
		t.Fatalf("private key set %v", priv)
	}
	if re := mustMarshal(t, priv); !bytes.Equal(re, k.Bytes()) {
		t.Fatal("private key is not in core deterministic encoding")
	}
}

// TestMessageEncoding checks a message against fxamacker/cbor: strict
// decoding accepts it and core deterministic encoding gives it back.
func TestMessageEncoding(t *testing.T) {
	strict, err := cbor.DecOptions{
		DupMapKey:   cbor.DupMapKeyEnforcedAPF,
		IndefLength: cbor.IndefLengthForbidden,
		IntDec:      cbor.IntDecConvertSigned,
	}.DecMode()
	if err != nil {
		t.Fatal(err)
	}
	for _, payload := range [][]byte{nil, []byte("x"), make([]byte, 300), make([]byte, 70000)} {
		msg := cosetest.SignDeterministic(cosetest.KeyFromSeed("enc"), "application/x+cbor", payload)
		var v any
		if err := strict.Unmarshal(msg, &v); err != nil {
			t.Fatal(err)
		}
		if re := mustMarshal(t, v); !bytes.Equal(re, msg) {
			t.Fatalf("%d-byte payload: message is not in core deterministic encoding", len(payload))
		}
		p := takeApart(t, msg)
		if !bytes.Equal(p.encode(t), msg) {
			t.Fatal("reassembled message differs")
		}
	}
}

func TestDeterministic(t *testing.T) {
	k := cosetest.KeyFromSeed("det")
	if !k.Equal(cosetest.KeyFromSeed("det")) || k.Equal(cosetest.KeyFromSeed("det2")) {
		t.Fatal("KeyFromSeed is not a function of its label")
	}
	a := cosetest.SignDeterministic(k, "a/b", []byte("p"))
	b := cosetest.SignDeterministic(k, "a/b", []byte("p"))
	if !bytes.Equal(a, b) {
		t.Fatal("SignDeterministic differs between calls")
	}
	if _, _, err := cose.Verify(a, []*cose.PublicKey{k.Public()}); err != nil {
		t.Fatal(err)
	}
}

func TestParseKeyErrors(t *testing.T) {
	k := cosetest.KeyFromSeed("errors")
	pub := k.Public().Bytes()
	priv := k.Bytes()
	flip := func(b []byte, i int) []byte { b = bytes.Clone(b); b[i] ^= 1; return b }
	for name, b := range map[string][]byte{
		"empty":             nil,
		"short":             pub[:len(pub)-1],
		"long":              append(bytes.Clone(pub), 0),
		"kty changed":       flip(pub, 3),
		"alg changed":       flip(pub, 6),
		"Ed25519 crv":       flip(pub, len(pub)-32-4),
		"private as public": priv,
	} {
		if _, err := cose.ParsePublicKey(b); !errors.Is(err, cose.ErrMalformed) {
			t.Errorf("public %s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{
		"empty":             nil,
		"short":             priv[:len(priv)-1],
		"label changed":     flip(priv, 9),
		"public as private": pub,
	} {
		if _, err := cose.ParsePrivateKey(b); !errors.Is(err, cose.ErrMalformed) {
			t.Errorf("private %s: %v", name, err)
		}
	}
	text := k.Public().String()
	for name, s := range map[string]string{
		"no prefix":      strings.TrimPrefix(text, cose.PublicKeyPrefix),
		"other prefix":   "licet-pub2:" + strings.TrimPrefix(text, cose.PublicKeyPrefix),
		"padding":        text + "=",
		"trailing space": text + " ",
		"newline":        text + "\n",
		"bad character":  text[:20] + "*" + text[21:],
		"truncated":      text[:len(text)-4],
	} {
		var p cose.PublicKey
		if err := p.UnmarshalText([]byte(s)); !errors.Is(err, cose.ErrMalformed) {
			t.Errorf("text %s: %v", name, err)
		}
	}
	var id cose.KeyID
	for _, s := range []string{"", "00", strings.Repeat("g", 32), strings.Repeat("0", 33)} {
		if err := id.UnmarshalText([]byte(s)); !errors.Is(err, cose.ErrMalformed) {
			t.Errorf("kid %q: %v", s, err)
		}
	}
	if _, err := cose.GenerateKey(bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("GenerateKey with a short reader succeeded")
	}
}

func TestSignErrors(t *testing.T) {
	k := cosetest.KeyFromSeed("sign")
	for _, ct := range []string{"", "plain", "/x", "x/", "a/b/c", "a b/c", "a/é", strings.Repeat("a", 120) + "/" + strings.Repeat("b", 10)} {
		if _, err := cose.Sign(nil, k, ct, nil); err == nil {
			t.Errorf("content type %q accepted", ct)
		}
	}
	if _, err := cose.Sign(nil, nil, "a/b", nil); err == nil {
		t.Error("nil key accepted")
	}
	if _, err := cose.Sign(nil, &cose.PrivateKey{}, "a/b", nil); err == nil {
		t.Error("zero key accepted")
	}
	if (&cose.PrivateKey{}).Bytes() != nil || (&cose.PrivateKey{}).Public() != nil {
		t.Error("zero key has an encoding or a public key")
	}
	if _, err := cose.Sign(nil, k, "a/b", make([]byte, cose.MaxPayloadSize+1)); err == nil {
		t.Error("oversized payload accepted")
	}
	var m cose.Message
	if err := m.Verify(k.Public()); !errors.Is(err, cose.ErrMalformed) {
		t.Errorf("zero message: %v", err)
	}
	msg := cosetest.SignDeterministic(k, "a/b", nil)
	dm, err := cose.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := dm.Verify(nil); err == nil {
		t.Error("nil key verifies")
	}
	if err := dm.Verify(cosetest.KeyFromSeed("x").Public()); !errors.Is(err, cose.ErrUnknownKey) {
		t.Errorf("wrong key: %v", err)
	}
	dm.Payload = []byte("changed")
	if err := dm.Verify(k.Public()); !errors.Is(err, cose.ErrBadSignature) {
		t.Errorf("changed payload: %v", err)
	}
	if _, _, err := cose.Verify(msg, nil); !errors.Is(err, cose.ErrUnknownKey) {
		t.Errorf("no trusted keys: %v", err)
	}
}

func TestParsePublicKeys(t *testing.T) {
	a, b := cosetest.KeyFromSeed("list A").Public(), cosetest.KeyFromSeed("list B").Public()
	text := "# vendor roots\n\n  " + a.String() + "  # current\r\n" + b.String() + "\n#" + a.String() + "\n" + a.String()
	keys, err := cose.ParsePublicKeys("roots.pub", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 3 || !keys[0].Equal(a) || !keys[1].Equal(b) || !keys[2].Equal(a) {
		t.Fatalf("got %d keys, want a, b, a", len(keys))
	}
	for _, empty := range []string{"", "\n\n", "# no keys yet\n", "  #" + a.String()} {
		if keys, err := cose.ParsePublicKeys("x", []byte(empty)); err != nil || len(keys) != 0 {
			t.Errorf("%q: %d keys, %v", empty, len(keys), err)
		}
	}
	bad := a.String() + "\n\n" + strings.TrimPrefix(b.String(), cose.PublicKeyPrefix) + "\n"
	for name, want := range map[string]string{"roots.pub": "roots.pub:3: cose: malformed public key", "": "line 3: cose: malformed public key"} {
		keys, err := cose.ParsePublicKeys(name, []byte(bad))
		if !errors.Is(err, cose.ErrMalformed) || !strings.HasPrefix(err.Error(), want) || keys != nil {
			t.Errorf("name %q: %d keys, %v; want an error starting %q", name, len(keys), err, want)
		}
	}
}
