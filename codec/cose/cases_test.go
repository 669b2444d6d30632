package cose_test

import (
	"bytes"
	"testing"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

// fixture is what every case starts from: a message by key A and one by
// key B over the same content.
type fixture struct {
	a, b        *cose.PrivateKey
	ct          string
	payload     []byte
	msgA, msgB  []byte
	randomized  bool // msgA came from cose.Sign, not SignDeterministic
	description string
}

func newFixture(t testing.TB, randomized bool) *fixture {
	f := &fixture{
		a:       cosetest.KeyFromSeed("licet vector key A"),
		b:       cosetest.KeyFromSeed("licet vector key B"),
		ct:      "application/licet-test+cbor",
		payload: []byte("licensed: 3 seats of product 17"),
	}
	if randomized {
		var err error
		if f.msgA, err = cose.Sign(nil, f.a, f.ct, f.payload); err != nil {
			t.Fatal(err)
		}
		if f.msgB, err = cose.Sign(nil, f.b, f.ct, f.payload); err != nil {
			t.Fatal(err)
		}
	} else {
		f.msgA = cosetest.SignDeterministic(f.a, f.ct, f.payload)
		f.msgB = cosetest.SignDeterministic(f.b, f.ct, f.payload)
	}
	return f
}

// tcase is one altered (or valid) message, checked against key A.
type tcase struct {
	comment string
	want    error // nil for valid
	flags   []string
	build   func(t testing.TB, f *fixture) []byte
}

// alter takes msgA apart, lets change modify it and puts it back together.
func alter(change func(t testing.TB, f *fixture, p *parts)) func(t testing.TB, f *fixture) []byte {
	return func(t testing.TB, f *fixture) []byte {
		p := takeApart(t, f.msgA)
		change(t, f, p)
		return p.encode(t)
	}
}

// resignA re-signs both halves with key A, so that only the structural
// change is wrong.
func resignA(t testing.TB, f *fixture, p *parts) {
	ml, ed := components(t, f.a)
	p.resign(t, ml, ed)
}

// splice replaces n bytes at off of msg.
func splice(msg []byte, off, n int, with ...byte) []byte {
	out := append([]byte{}, msg[:off]...)
	out = append(out, with...)
	return append(out, msg[off+n:]...)
}

// payloadOffset is where the payload's head starts in a message made by
// this package.
func payloadOffset(t testing.TB, msg []byte) int {
	p := takeApart(t, msg)
	body := p.bodyBytes(t)
	off := 3 + 2 + len(body) + 1 // tag(2) array(1) bstr head(2: len 24..255) body unprotected(1)
	if len(body) < 24 || len(body) > 255 || msg[off-1] != 0xa0 {
		t.Fatalf("unexpected layout")
	}
	return off
}

// payloadHead is the length of the payload's head in msgA.
func payloadHead(f *fixture) int {
	if len(f.payload) < 24 {
		return 1
	}
	return 2 // the fixture payload is shorter than 256 bytes
}

func cases() []tcase {
	return []tcase{
		{comment: "valid message", build: func(t testing.TB, f *fixture) []byte { return f.msgA }},
		{comment: "valid message with an empty payload", build: func(t testing.TB, f *fixture) []byte {
			return cosetest.SignDeterministic(f.a, f.ct, nil)
		}},
		{comment: "valid message with a 1000-byte payload (two-byte length head)", build: func(t testing.TB, f *fixture) []byte {
			return cosetest.SignDeterministic(f.a, "application/octet-stream", bytes.Repeat([]byte{0x5a}, 1000))
		}},

		// The hybrid: both halves, in order, under the named algorithm set.
		{comment: "ML-DSA-65 signature stripped", want: cose.ErrAlgorithm, flags: []string{"Stripped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers = p.signers[1:] })},
		{comment: "Ed25519 signature stripped", want: cose.ErrAlgorithm, flags: []string{"Stripped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers = p.signers[:1] })},
		{comment: "both signatures stripped", want: cose.ErrAlgorithm, flags: []string{"Stripped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers = nil })},
		{comment: "signers swapped", want: cose.ErrAlgorithm, flags: []string{"Swapped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.signers[0], p.signers[1] = p.signers[1], p.signers[0]
			})},
		{comment: "ML-DSA-65 signer twice, no Ed25519 signer", want: cose.ErrAlgorithm, flags: []string{"Swapped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[1] = p.signers[0] })},
		{comment: "third signer appended (a copy of the Ed25519 signer)", want: cose.ErrAlgorithm,
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers = append(p.signers, p.signers[1]) })},
		{comment: "downgrade: algorithm set names Ed25519 only, ML-DSA-65 stripped, Ed25519 re-signed", want: cose.ErrAlgorithm, flags: []string{"AlgorithmSet", "Stripped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[-65537] = []int64{-19}
				p.signers = p.signers[1:]
				resignA(t, f, p)
			})},
		{comment: "algorithm set names ML-DSA-65 only, Ed25519 stripped, ML-DSA-65 re-signed", want: cose.ErrAlgorithm, flags: []string{"AlgorithmSet", "Stripped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[-65537] = []int64{-49}
				p.signers = p.signers[:1]
				resignA(t, f, p)
			})},
		{comment: "algorithm set reversed and signers swapped to match, both re-signed", want: cose.ErrAlgorithm, flags: []string{"AlgorithmSet", "Swapped"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[-65537] = []int64{-19, -49}
				p.signers[0], p.signers[1] = p.signers[1], p.signers[0]
				resignA(t, f, p)
			})},
		{comment: "algorithm set and crit removed, both re-signed", want: cose.ErrAlgorithm, flags: []string{"AlgorithmSet"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				delete(p.body, -65537)
				delete(p.body, 2)
				resignA(t, f, p)
			})},
		{comment: "Ed25519 signer says EdDSA (-8), re-signed", want: cose.ErrAlgorithm, flags: []string{"AlgorithmSet"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.signers[1].prot[1] = int64(-8)
				resignA(t, f, p)
			})},

		// One half from another key.
		{comment: "ML-DSA-65 signature replaced by key B's over the same structure", want: cose.ErrBadSignature, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				ml, _ := components(t, f.b)
				p.resign(t, ml, nil)
			})},
		{comment: "Ed25519 signature replaced by key B's over the same structure", want: cose.ErrBadSignature, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				_, ed := components(t, f.b)
				p.resign(t, nil, ed)
			})},
		{comment: "both signatures replaced by key B's, key A's kid kept", want: cose.ErrBadSignature, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				ml, ed := components(t, f.b)
				p.resign(t, ml, ed)
			})},
		{comment: "ML-DSA-65 signer taken whole from key B's message", want: cose.ErrMalformed, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[0] = takeApart(t, f.msgB).signers[0] })},
		{comment: "Ed25519 signer taken whole from key B's message", want: cose.ErrMalformed, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[1] = takeApart(t, f.msgB).signers[1] })},
		{comment: "key B's message relabelled with key A's kid", want: cose.ErrBadSignature, flags: []string{"OtherKey"},
			build: func(t testing.TB, f *fixture) []byte {
				p := takeApart(t, f.msgB)
				kid := f.a.Public().ID()
				p.body[4] = kid[:]
				p.signers[0].prot[4] = kid[:]
				p.signers[1].prot[4] = kid[:]
				return p.encode(t)
			}},
		{comment: "kid of key B everywhere, signatures by key A", want: cose.ErrUnknownKey, flags: []string{"OtherKey"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				kid := f.b.Public().ID()
				p.body[4] = kid[:]
				p.signers[0].prot[4] = kid[:]
				p.signers[1].prot[4] = kid[:]
			})},

		// Changed content.
		{comment: "payload changed", want: cose.ErrBadSignature, flags: []string{"Modified"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.payload = []byte("licensed: 9 seats of product 17") })},
		{comment: "content type changed", want: cose.ErrBadSignature, flags: []string{"Modified"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.body[3] = "application/licet-other+cbor" })},
		{comment: "ML-DSA-65 signature with one bit flipped", want: cose.ErrBadSignature, flags: []string{"Modified"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[0].sig[100] ^= 0x10 })},
		{comment: "Ed25519 signature with one bit flipped", want: cose.ErrBadSignature, flags: []string{"Modified"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[1].sig[5] ^= 0x01 })},
		{comment: "ML-DSA-65 signature one byte short", want: cose.ErrMalformed, flags: []string{"Modified"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[0].sig = p.signers[0].sig[1:] })},

		// Headers.
		{comment: "unknown critical header parameter", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[2] = []int64{-65537, -65538}
				p.body[-65538] = int64(1)
				resignA(t, f, p)
			})},
		{comment: "unknown body header parameter (not critical)", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[16] = "application/cwt" // typ
				resignA(t, f, p)
			})},
		{comment: "unknown signer header parameter", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.signers[1].prot[16] = "x"
				resignA(t, f, p)
			})},
		{comment: "kid in the body unprotected header", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				kid := f.a.Public().ID()
				p.unprot = map[any]any{4: kid[:]}
			})},
		{comment: "parameter in a signer's unprotected header", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.signers[0].unprot = map[any]any{33: []byte{1}} })},
		{comment: "content type not of the form type/subtype, re-signed", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[3] = "licet-order"
				resignA(t, f, p)
			})},
		{comment: "content type as a CoAP number, re-signed", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				p.body[3] = int64(60)
				resignA(t, f, p)
			})},
		{comment: "kid of 15 bytes, re-signed", want: cose.ErrMalformed, flags: []string{"Header"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				kid := f.a.Public().ID()
				p.body[4] = kid[:15]
				resignA(t, f, p)
			})},

		// Encoding.
		{comment: "COSE_Sign1 tag (18)", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: alter(func(t testing.TB, f *fixture, p *parts) { p.tag = 18 })},
		{comment: "untagged COSE_Sign", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte { return f.msgA[2:] }},
		{comment: "detached payload (null)", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte {
				off := payloadOffset(t, f.msgA)
				return splice(f.msgA, off, payloadHead(f)+len(f.payload), 0xf6)
			}},
		{comment: "payload length in a longer head than needed", want: cose.ErrMalformed, flags: []string{"Encoding", "NonCanonical"},
			build: func(t testing.TB, f *fixture) []byte {
				off := payloadOffset(t, f.msgA)
				return splice(f.msgA, off, payloadHead(f), 0x59, 0, byte(len(f.payload)))
			}},
		{comment: "body header keys out of canonical order, re-signed", want: cose.ErrMalformed, flags: []string{"Encoding", "NonCanonical"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				raw := []byte{0xa4}
				for _, k := range []int64{4, 2, 3, -65537} {
					raw = append(raw, mustMarshal(t, k)...)
					raw = append(raw, mustMarshal(t, p.body[k])...)
				}
				p.bodyRaw = raw
				resignA(t, f, p)
			})},
		{comment: "duplicate kid in the body header, re-signed", want: cose.ErrMalformed, flags: []string{"Encoding", "NonCanonical"},
			build: alter(func(t testing.TB, f *fixture, p *parts) {
				raw := []byte{0xa5}
				for _, k := range []int64{2, 3, 4, 4, -65537} {
					raw = append(raw, mustMarshal(t, k)...)
					raw = append(raw, mustMarshal(t, p.body[k])...)
				}
				p.bodyRaw = raw
				resignA(t, f, p)
			})},
		{comment: "indefinite-length signature array", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte {
				off := payloadOffset(t, f.msgA) + payloadHead(f) + len(f.payload)
				if f.msgA[off] != 0x82 {
					t.Fatal("unexpected layout")
				}
				return append(splice(f.msgA, off, 1, 0x9f), 0xff)
			}},
		{comment: "trailing byte", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte { return append(bytes.Clone(f.msgA), 0) }},
		{comment: "truncated by one byte", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte { return f.msgA[:len(f.msgA)-1] }},
		{comment: "empty input", want: cose.ErrMalformed, flags: []string{"Encoding"},
			build: func(t testing.TB, f *fixture) []byte { return []byte{} }},
	}
}
