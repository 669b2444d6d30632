package cose

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
)

// Message is a decoded hybrid COSE_Sign message. Its fields determine its
// protected headers: [Message.Verify] and [Message.MarshalBinary] use them
// as they are, so a changed field no longer verifies.
type Message struct {
	// KeyID names the hybrid key that signed the message (header kid).
	KeyID KeyID
	// ContentType is the payload's media type (header content type).
	ContentType string
	// Payload is the signed content.
	Payload []byte

	// sigs are the ML-DSA-65 and Ed25519 signatures, in that order.
	sigs [2][]byte
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w message: "+format, append([]any{ErrMalformed}, args...)...)
}

// Decode parses a hybrid COSE_Sign message without checking signatures.
// It is strict: the input must be exactly the canonical encoding that
// [Sign] writes for the decoded fields, with the ML-DSA-65 and Ed25519
// signers in that order, no unprotected header parameters and no
// protected ones beyond those [Sign] writes. Errors wrap [ErrMalformed] or
// [ErrAlgorithm]. The message does not alias b.
func Decode(b []byte) (*Message, error) {
	if len(b) == 0 {
		return nil, malformed("empty input")
	}
	if len(b) > maxMessageSize {
		return nil, malformed("%d bytes, more than %d", len(b), maxMessageSize)
	}
	r := &reader{b: bytes.Clone(b)}
	tag, err := r.expect(majorTag, "message")
	if err != nil {
		return nil, err
	}
	if tag != tagCOSESign {
		what := ""
		if tag == 18 {
			what = " (COSE_Sign1)"
		}
		return nil, malformed("tag %d%s; want COSE_Sign (tag 98)", tag, what)
	}
	if n, err := r.expect(majorArray, "COSE_Sign"); err != nil {
		return nil, err
	} else if n != 4 {
		return nil, r.errorf("COSE_Sign has %d elements, want 4", n)
	}
	bodyProt, err := r.bytes("body protected header")
	if err != nil {
		return nil, err
	}
	m := &Message{}
	if err := m.decodeBodyHeader(bodyProt, r.off-len(bodyProt)); err != nil {
		return nil, err
	}
	if err := r.emptyMap("body unprotected header"); err != nil {
		return nil, err
	}
	if m.Payload, err = r.bytes("payload (detached payloads are not supported)"); err != nil {
		return nil, err
	}
	n, err := r.expect(majorArray, "signatures")
	if err != nil {
		return nil, err
	}
	if n != uint64(len(requiredAlgs)) {
		return nil, fmt.Errorf("%w: message carries %d signature(s), the algorithm set needs %d", ErrAlgorithm, n, len(requiredAlgs))
	}
	for i := range requiredAlgs {
		if err := m.decodeSigner(r, i); err != nil {
			return nil, err
		}
	}
	if r.off != len(r.b) {
		return nil, r.errorf("trailing data after the message (%d bytes)", len(r.b)-r.off)
	}
	// Every head was read in shortest form, every map in canonical order
	// with only known labels, and every array with its exact length, so
	// the input is the canonical encoding of m's fields: MarshalBinary
	// gives it back (FuzzDecode checks this).
	return m, nil
}

func (r *reader) emptyMap(what string) error {
	n, err := r.expect(majorMap, what)
	if err != nil {
		return err
	}
	if n != 0 {
		return r.errorf("%s must be empty, has %d entries", what, n)
	}
	return nil
}

// maxHeaderEntries bounds protected header maps and arrays.
const maxHeaderEntries = 16

func (m *Message) decodeBodyHeader(b []byte, base int) error {
	const what = "body protected header"
	var critBuf, algBuf [maxHeaderEntries]int64
	var crit, algs []int64
	var haveCT, haveKid, haveCrit, haveAlgs bool
	r := &reader{b: b, base: base}
	n, err := r.mapLen(what, maxHeaderEntries)
	if err != nil {
		return err
	}
	var prev []byte
	for range n {
		label, err := r.label(what, &prev)
		if err != nil {
			return err
		}
		switch label {
		case labelCrit:
			haveCrit = true
			crit, err = r.intArray(what+": crit", critBuf[:])
		case labelContentType:
			haveCT = true
			m.ContentType, err = r.text(what+": content type", maxContentTypeLen)
		case labelKid:
			haveKid = true
			var kid []byte
			if kid, err = r.bytes(what + ": kid"); err == nil && len(kid) != KeyIDSize {
				return malformed("%s: kid is %d bytes, want %d", what, len(kid), KeyIDSize)
			}
			copy(m.KeyID[:], kid)
		case labelAlgSet:
			haveAlgs = true
			algs, err = r.intArray(what+": algorithm set", algBuf[:])
		default:
			return malformed("%s: unknown parameter %d", what, label)
		}
		if err != nil {
			return err
		}
	}
	if r.off != len(b) {
		return malformed("%s: %d bytes after the map", what, len(b)-r.off)
	}
	for _, c := range crit {
		if c != labelAlgSet {
			return malformed("%s: critical parameter %d is not understood", what, c)
		}
	}
	if !haveAlgs {
		return fmt.Errorf("%w: %s has no algorithm set (label %d)", ErrAlgorithm, what, labelAlgSet)
	}
	if !slices.Equal(algs, requiredAlgs[:]) {
		names := make([]string, len(algs))
		for i, a := range algs {
			names[i] = algName(a)
		}
		return fmt.Errorf("%w: %s names %v", ErrAlgorithm, what, names)
	}
	if !haveCrit || len(crit) != 1 {
		return malformed("%s: crit must list exactly the algorithm set (label %d)", what, labelAlgSet)
	}
	if !haveCT {
		return malformed("%s: no content type (label %d)", what, labelContentType)
	}
	if err := checkContentType(m.ContentType); err != nil {
		return malformed("%s: %v", what, err)
	}
	if !haveKid {
		return malformed("%s: no kid (label %d)", what, labelKid)
	}
	return nil
}

// signerWhat names the parts of each signer in errors.
var signerWhat = [2]struct{ signer, prot, alg, kid, unprot, sig string }{
	{"signer 0", "signer 0 protected header", "signer 0 protected header: alg", "signer 0 protected header: kid", "signer 0 unprotected header", "signer 0 signature"},
	{"signer 1", "signer 1 protected header", "signer 1 protected header: alg", "signer 1 protected header: kid", "signer 1 unprotected header", "signer 1 signature"},
}

func (m *Message) decodeSigner(r *reader, i int) error {
	w := &signerWhat[i]
	if n, err := r.expect(majorArray, w.signer); err != nil {
		return err
	} else if n != 3 {
		return r.errorf("signer %d has %d elements, want 3 (COSE_Signature)", i, n)
	}
	what := w.prot
	prot, err := r.bytes(what)
	if err != nil {
		return err
	}
	var alg int64
	var kid []byte
	var haveAlg, haveKid bool
	hr := &reader{b: prot, base: r.off - len(prot)}
	n, err := hr.mapLen(what, maxHeaderEntries)
	if err != nil {
		return err
	}
	var prev []byte
	for range n {
		label, err := hr.label(what, &prev)
		if err != nil {
			return err
		}
		switch label {
		case labelAlg:
			haveAlg = true
			alg, err = hr.int(w.alg)
		case labelKid:
			haveKid = true
			kid, err = hr.bytes(w.kid)
		default:
			return malformed("%s: unknown parameter %d", what, label)
		}
		if err != nil {
			return err
		}
	}
	if hr.off != len(prot) {
		return malformed("%s: %d bytes after the map", what, len(prot)-hr.off)
	}
	if !haveAlg {
		return fmt.Errorf("%w: %s has no alg", ErrAlgorithm, what)
	}
	if alg != requiredAlgs[i] {
		return fmt.Errorf("%w: signer %d uses %s, want %s", ErrAlgorithm, i, algName(alg), algName(requiredAlgs[i]))
	}
	if !haveKid {
		return malformed("%s: no kid (label %d)", what, labelKid)
	}
	if !bytes.Equal(kid, m.KeyID[:]) {
		return malformed("%s: kid %x differs from the body's kid %s", what, kid, m.KeyID)
	}
	if err := r.emptyMap(w.unprot); err != nil {
		return err
	}
	sig, err := r.bytes(w.sig)
	if err != nil {
		return err
	}
	if len(sig) != sigSizes[i] {
		return malformed("signer %d: %s signature is %d bytes, want %d", i, algName(alg), len(sig), sigSizes[i])
	}
	m.sigs[i] = sig
	return nil
}

// MarshalBinary encodes the message from its fields. For a message from
// [Decode] it returns the decoded bytes.
func (m *Message) MarshalBinary() ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	var h headers
	m.headers(&h)
	return h.encode(m.Payload, &m.sigs), nil
}

func (m *Message) check() error {
	if m == nil || len(m.sigs[0]) != sigSizes[0] || len(m.sigs[1]) != sigSizes[1] {
		return malformed("no signatures (not made by Decode)")
	}
	if err := checkContentType(m.ContentType); err != nil {
		return malformed("%v", err)
	}
	return nil
}

// Verify checks both signatures of m under key, which must be the key m
// names. It returns nil only if the ML-DSA-65 and the Ed25519 signature
// both verify. Errors wrap [ErrUnknownKey] or [ErrBadSignature].
func (m *Message) Verify(key *PublicKey) error {
	if err := m.check(); err != nil {
		return err
	}
	if key == nil || key.ml == nil {
		return errors.New("cose: verify: no key")
	}
	if key.id != m.KeyID {
		return fmt.Errorf("%w: message names key %s, not %s", ErrUnknownKey, m.KeyID, key.id)
	}
	var h headers
	m.headers(&h)
	tbs := h.sigStructure(nil, 0, m.Payload)
	okML := mldsa65.Verify(key.ml, tbs, nil, m.sigs[0])
	tbs = h.sigStructure(tbs[:0], 1, m.Payload)
	okEd := ed25519.Verify(key.ed, tbs, m.sigs[1])
	switch {
	case !okML && !okEd:
		return fmt.Errorf("%w: neither the ML-DSA-65 nor the Ed25519 signature verifies under key %s", ErrBadSignature, key.id)
	case !okML:
		return fmt.Errorf("%w: the ML-DSA-65 signature does not verify under key %s", ErrBadSignature, key.id)
	case !okEd:
		return fmt.Errorf("%w: the Ed25519 signature does not verify under key %s", ErrBadSignature, key.id)
	}
	return nil
}

// Verify decodes b, picks the key it names from trusted and checks both
// signatures. It returns the message and the key that verified it.
func Verify(b []byte, trusted []*PublicKey) (*Message, *PublicKey, error) {
	m, err := Decode(b)
	if err != nil {
		return nil, nil, err
	}
	var key *PublicKey
	for _, k := range trusted {
		if k != nil && k.ml != nil && k.id == m.KeyID {
			key = k
			break
		}
	}
	if key == nil {
		return nil, nil, fmt.Errorf("%w: message is signed by key %s, which is not trusted", ErrUnknownKey, m.KeyID)
	}
	if err := m.Verify(key); err != nil {
		return nil, nil, err
	}
	return m, key, nil
}
