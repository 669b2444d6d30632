package cose

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/fxamacker/cbor/v2"
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

// decMode decodes with hard limits: shallow nesting, short arrays and
// maps, no indefinite lengths, no duplicate map keys, valid UTF-8 only.
// Byte-string lengths are bounded by maxMessageSize on the whole input.
var decMode = func() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:        cbor.DupMapKeyEnforcedAPF,
		IndefLength:      cbor.IndefLengthForbidden,
		MaxNestedLevels:  6,
		MaxArrayElements: 16,
		MaxMapPairs:      16,
		UTF8:             cbor.UTF8RejectInvalid,
		TagsMd:           cbor.TagsAllowed,
	}.DecMode()
	if err != nil {
		panic(err)
	}
	return dm
}()

type rawSign struct {
	_           struct{} `cbor:",toarray"`
	Protected   cbor.RawMessage
	Unprotected cbor.RawMessage
	Payload     cbor.RawMessage
	Signatures  []rawSignature
}

type rawSignature struct {
	_           struct{} `cbor:",toarray"`
	Protected   cbor.RawMessage
	Unprotected cbor.RawMessage
	Signature   cbor.RawMessage
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w message: "+format, append([]any{ErrMalformed}, args...)...)
}

func cborErr(err error) string {
	// fxamacker's errors start with "cbor: "; keep the reason only.
	s := err.Error()
	if r, ok := bytes.CutPrefix([]byte(s), []byte("cbor: ")); ok {
		return string(r)
	}
	return s
}

// Decode parses a hybrid COSE_Sign message without checking signatures.
// It is strict: the input must be exactly the canonical encoding that
// [Sign] writes for the decoded fields, with the ML-DSA-65 and Ed25519
// signers in that order. Errors wrap [ErrMalformed] or [ErrAlgorithm].
func Decode(b []byte) (*Message, error) {
	if len(b) == 0 {
		return nil, malformed("empty input")
	}
	if len(b) > maxMessageSize {
		return nil, malformed("%d bytes, more than %d", len(b), maxMessageSize)
	}
	if b[0]>>5 != 6 {
		return nil, malformed("not a CBOR tag; want COSE_Sign (tag 98)")
	}
	var tag cbor.RawTag
	if err := decMode.Unmarshal(b, &tag); err != nil {
		return nil, malformed("%s", cborErr(err))
	}
	if tag.Number != tagCOSESign {
		what := ""
		if tag.Number == 18 {
			what = " (COSE_Sign1)"
		}
		return nil, malformed("tag %d%s; want COSE_Sign (tag 98)", tag.Number, what)
	}
	var raw rawSign
	if err := decMode.Unmarshal(tag.Content, &raw); err != nil {
		return nil, malformed("COSE_Sign structure: %s", cborErr(err))
	}
	bodyProt, err := byteString(raw.Protected, "body protected header")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(raw.Unprotected, []byte{0xa0}) {
		return nil, malformed("body unprotected header must be an empty map")
	}
	payload, err := byteString(raw.Payload, "payload")
	if err != nil {
		return nil, err
	}
	m := &Message{Payload: payload}
	if err := m.decodeBodyHeader(bodyProt); err != nil {
		return nil, err
	}
	if n := len(raw.Signatures); n != len(requiredAlgs) {
		return nil, fmt.Errorf("%w: message carries %d signature(s), the algorithm set needs %d", ErrAlgorithm, n, len(requiredAlgs))
	}
	for i, s := range raw.Signatures {
		if err := m.decodeSigner(i, s); err != nil {
			return nil, err
		}
	}
	h := m.headers()
	if !bytes.Equal(h.encode(m.Payload, &m.sigs), b) {
		return nil, malformed("not in canonical form (RFC 8949 core deterministic encoding of the Licet profile)")
	}
	return m, nil
}

// byteString decodes raw, which must be a CBOR byte string.
func byteString(raw cbor.RawMessage, what string) ([]byte, error) {
	if len(raw) == 0 || raw[0]>>5 != 2 {
		return nil, malformed("%s must be a byte string", what)
	}
	var v []byte
	if err := decMode.Unmarshal(raw, &v); err != nil {
		return nil, malformed("%s: %s", what, cborErr(err))
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

// headerMap decodes a protected header: a map with integer labels.
func headerMap(b []byte, what string) (map[int64]cbor.RawMessage, error) {
	if len(b) == 0 || b[0]>>5 != 5 {
		return nil, malformed("%s must be a map", what)
	}
	var h map[int64]cbor.RawMessage
	if err := decMode.Unmarshal(b, &h); err != nil {
		return nil, malformed("%s: %s", what, cborErr(err))
	}
	return h, nil
}

func (m *Message) decodeBodyHeader(b []byte) error {
	const what = "body protected header"
	h, err := headerMap(b, what)
	if err != nil {
		return err
	}
	for label := range h {
		switch label {
		case labelCrit, labelContentType, labelKid, labelAlgSet:
		default:
			return malformed("%s: unknown parameter %d", what, label)
		}
	}
	var crit []int64
	if err := decodeParam(h, labelCrit, &crit, what, "crit"); err != nil {
		return err
	}
	for _, c := range crit {
		if c != labelAlgSet {
			return malformed("%s: critical parameter %d is not understood", what, c)
		}
	}
	var algs []int64
	if err := decodeParam(h, labelAlgSet, &algs, what, "algorithm set"); err != nil {
		if errors.Is(err, errMissing) {
			return fmt.Errorf("%w: %s has no algorithm set (label %d)", ErrAlgorithm, what, labelAlgSet)
		}
		return err
	}
	if !slices.Equal(algs, requiredAlgs[:]) {
		names := make([]string, len(algs))
		for i, a := range algs {
			names[i] = algName(a)
		}
		return fmt.Errorf("%w: %s names %v", ErrAlgorithm, what, names)
	}
	if len(crit) != 1 {
		return malformed("%s: crit must list the algorithm set (label %d)", what, labelAlgSet)
	}
	if err := decodeParam(h, labelContentType, &m.ContentType, what, "content type"); err != nil {
		return err
	}
	if err := checkContentType(m.ContentType); err != nil {
		return malformed("%s: %v", what, err)
	}
	var kid []byte
	if err := decodeParam(h, labelKid, &kid, what, "kid"); err != nil {
		return err
	}
	if len(kid) != KeyIDSize {
		return malformed("%s: kid is %d bytes, want %d", what, len(kid), KeyIDSize)
	}
	copy(m.KeyID[:], kid)
	return nil
}

var errMissing = errors.New("missing")

func decodeParam(h map[int64]cbor.RawMessage, label int64, v any, what, name string) error {
	raw, ok := h[label]
	if !ok {
		return malformed("%s: no %s (label %d): %w", what, name, label, errMissing)
	}
	if err := decMode.Unmarshal(raw, v); err != nil {
		return malformed("%s: %s (label %d): %s", what, name, label, cborErr(err))
	}
	return nil
}

func (m *Message) decodeSigner(i int, s rawSignature) error {
	what := fmt.Sprintf("signer %d protected header", i)
	prot, err := byteString(s.Protected, what)
	if err != nil {
		return err
	}
	h, err := headerMap(prot, what)
	if err != nil {
		return err
	}
	for label := range h {
		if label != labelAlg && label != labelKid {
			return malformed("%s: unknown parameter %d", what, label)
		}
	}
	var alg int64
	if err := decodeParam(h, labelAlg, &alg, what, "alg"); err != nil {
		return err
	}
	if alg != requiredAlgs[i] {
		return fmt.Errorf("%w: signer %d uses %s, want %s", ErrAlgorithm, i, algName(alg), algName(requiredAlgs[i]))
	}
	var kid []byte
	if err := decodeParam(h, labelKid, &kid, what, "kid"); err != nil {
		return err
	}
	if !bytes.Equal(kid, m.KeyID[:]) {
		return malformed("%s: kid %x differs from the body's kid %s", what, kid, m.KeyID)
	}
	if !bytes.Equal(s.Unprotected, []byte{0xa0}) {
		return malformed("signer %d unprotected header must be an empty map", i)
	}
	sig, err := byteString(s.Signature, fmt.Sprintf("signer %d signature", i))
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
	return m.headers().encode(m.Payload, &m.sigs), nil
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
	h := m.headers()
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
