package cose

import (
	"crypto/ed25519"
	"fmt"
	"io"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"

	"licet.dev/licet/codec/cose/internal/derand"
)

// COSE header labels (RFC 9052 section 3.1) and Licet's private-use label.
const (
	labelAlg         = 1
	labelCrit        = 2
	labelContentType = 3
	labelKid         = 4

	// labelAlgSet is a private-use header label (RFC 9052 section 16.2:
	// less than -65536) in the body's protected header. Its value is the
	// array of algorithms the signers must use, in signer order. It is
	// listed in crit, so a verifier that does not know it must reject the
	// message.
	labelAlgSet = -65537
)

// tagCOSESign is the CBOR tag of COSE_Sign (RFC 9052 section 2).
const tagCOSESign = 98

// MaxPayloadSize is the largest payload [Sign] accepts and [Decode] reads.
const MaxPayloadSize = 16 << 20

// maxContentTypeLen bounds the content type header.
const maxContentTypeLen = 128

// maxMessageSize bounds the whole message: the payload plus generous room
// for headers and the two signatures.
const maxMessageSize = MaxPayloadSize + 8192

// requiredAlgs is the hybrid algorithm set, in signer order.
var requiredAlgs = [2]int64{algMLDSA65, algEd25519}

// sigSizes are the signature lengths of requiredAlgs.
var sigSizes = [2]int{mldsa65.SignatureSize, ed25519.SignatureSize}

func algName(alg int64) string {
	switch alg {
	case algMLDSA65:
		return "ML-DSA-65"
	case algEd25519:
		return "Ed25519"
	}
	return fmt.Sprintf("alg %d", alg)
}

func init() {
	derand.Sign = func(key any, contentType string, payload []byte) ([]byte, error) {
		return sign(key.(*PrivateKey), contentType, payload, false)
	}
}

// Sign makes a hybrid COSE_Sign message (tag 98) over payload with key:
// an ML-DSA-65 signature in hedged (randomized) mode and an Ed25519
// signature. contentType names the payload's media type, "type/subtype"
// (RFC 6838) in printable ASCII, at most 128 bytes; it is protected by both
// signatures.
//
// rand is accepted for the shape of crypto.Signer and is not read: the
// randomness of ML-DSA-65's hedged signing always comes from crypto/rand,
// as in Go's own crypto packages since Go 1.26. Reproducible signatures for
// test fixtures come from package cosetest.
func Sign(rand io.Reader, key *PrivateKey, contentType string, payload []byte) ([]byte, error) {
	_ = rand
	return sign(key, contentType, payload, true)
}

func sign(key *PrivateKey, contentType string, payload []byte, randomized bool) ([]byte, error) {
	if key == nil || key.ml == nil {
		return nil, fmt.Errorf("cose: sign: no key")
	}
	if err := checkContentType(contentType); err != nil {
		return nil, fmt.Errorf("cose: sign: %w", err)
	}
	if len(payload) > MaxPayloadSize {
		return nil, fmt.Errorf("cose: sign: payload is %d bytes, more than %d", len(payload), MaxPayloadSize)
	}
	m := &Message{KeyID: key.pub.id, ContentType: contentType, Payload: payload}
	var h headers
	m.headers(&h)
	tbs := h.sigStructure(nil, 0, payload)
	sig0 := make([]byte, mldsa65.SignatureSize)
	if err := mldsa65.SignTo(key.ml, tbs, nil, randomized, sig0); err != nil {
		return nil, fmt.Errorf("cose: sign: ML-DSA-65: %w", err)
	}
	tbs = h.sigStructure(tbs[:0], 1, payload)
	m.sigs = [2][]byte{sig0, ed25519.Sign(key.ed, tbs)}
	return h.encode(payload, &m.sigs), nil
}

// checkContentType accepts "type/subtype" in printable ASCII without spaces,
// the form veraison/go-cose and RFC 6838 expect.
func checkContentType(ct string) error {
	if ct == "" {
		return fmt.Errorf("content type is empty")
	}
	if len(ct) > maxContentTypeLen {
		return fmt.Errorf("content type is %d bytes, more than %d", len(ct), maxContentTypeLen)
	}
	slash := 0
	for i := 0; i < len(ct); i++ {
		c := ct[i]
		if c <= ' ' || c > '~' {
			return fmt.Errorf("content type %q has a character other than printable ASCII at byte %d", ct, i)
		}
		if c == '/' {
			slash++
		}
	}
	if slash != 1 || ct[0] == '/' || ct[len(ct)-1] == '/' {
		return fmt.Errorf("content type %q is not of the form type/subtype", ct)
	}
	return nil
}

// maxBodyHeader is the longest body protected header: 38 bytes and the
// content type with a two-byte head.
const maxBodyHeader = 40 + maxContentTypeLen

// appendBodyHeader appends the body's protected header map
//
//	{2: [-65537], 3: contentType, 4: kid, -65537: [-49, -19]}
func appendBodyHeader(b []byte, kid KeyID, contentType string) []byte {
	b = appendHead(b, majorMap, 4)
	b = appendInt(b, labelCrit)
	b = appendHead(b, majorArray, 1)
	b = appendInt(b, labelAlgSet)
	b = appendInt(b, labelContentType)
	b = appendText(b, contentType)
	b = appendInt(b, labelKid)
	b = appendBytes(b, kid[:])
	b = appendInt(b, labelAlgSet)
	b = appendHead(b, majorArray, uint64(len(requiredAlgs)))
	for _, alg := range requiredAlgs {
		b = appendInt(b, alg)
	}
	return b
}

// signerHeaderSize is the length of a signer's protected header.
const signerHeaderSize = 1 + 1 + 2 + 1 + 1 + KeyIDSize

// appendSignerHeader appends a signer's protected header map
// {1: alg, 4: kid}.
func appendSignerHeader(b []byte, alg int64, kid KeyID) []byte {
	b = appendHead(b, majorMap, 2)
	b = appendInt(b, labelAlg)
	b = appendInt(b, alg)
	b = appendInt(b, labelKid)
	b = appendBytes(b, kid[:])
	return b
}

// headers holds the encoded protected headers of a message, in fixed
// buffers so that they need no allocation.
// (They hold lengths, not slices of themselves, so that a headers value
// can live on the stack.)
type headers struct {
	bodyBuf   [maxBodyHeader]byte
	bodyLen   int
	signerBuf [2][signerHeaderSize]byte
	signerLen [2]int
}

// headers encodes into h the protected headers that m's fields determine.
// The content type must have passed checkContentType.
func (m *Message) headers(h *headers) {
	h.bodyLen = len(appendBodyHeader(h.bodyBuf[:0], m.KeyID, m.ContentType))
	for i, alg := range requiredAlgs {
		h.signerLen[i] = len(appendSignerHeader(h.signerBuf[i][:0], alg, m.KeyID))
	}
}

// sigStructure appends to dst the ToBeSigned bytes of signer i (RFC 9052
// section 4.4):
//
//	["Signature", body_protected, sign_protected, external_aad = h'', payload]
func (h *headers) sigStructure(dst []byte, i int, payload []byte) []byte {
	body, sp := h.bodyBuf[:h.bodyLen], h.signerBuf[i][:h.signerLen[i]]
	n := 1 + 10 + headSize(uint64(len(body))) + len(body) +
		headSize(uint64(len(sp))) + len(sp) + 1 + headSize(uint64(len(payload))) + len(payload)
	if cap(dst) < n {
		dst = make([]byte, 0, n)
	}
	b := appendHead(dst, majorArray, 5)
	b = appendText(b, "Signature")
	b = appendBytes(b, body)
	b = appendBytes(b, sp)
	b = appendBytes(b, nil)
	b = appendBytes(b, payload)
	return b
}

// encode writes the tagged COSE_Sign:
//
//	98([body_protected, {}, payload, [[sign_protected, {}, signature], ...]])
func (h *headers) encode(payload []byte, sigs *[2][]byte) []byte {
	body := h.bodyBuf[:h.bodyLen]
	n := 2 + 1 + headSize(uint64(len(body))) + len(body) + 1 +
		headSize(uint64(len(payload))) + len(payload) + 1
	for i, l := range h.signerLen {
		n += 1 + headSize(uint64(l)) + l + 1 + headSize(uint64(len(sigs[i]))) + len(sigs[i])
	}
	b := make([]byte, 0, n)
	b = appendHead(b, majorTag, tagCOSESign)
	b = appendHead(b, majorArray, 4)
	b = appendBytes(b, body)
	b = appendHead(b, majorMap, 0)
	b = appendBytes(b, payload)
	b = appendHead(b, majorArray, uint64(len(h.signerLen)))
	for i, l := range h.signerLen {
		b = appendHead(b, majorArray, 3)
		b = appendBytes(b, h.signerBuf[i][:l])
		b = appendHead(b, majorMap, 0)
		b = appendBytes(b, sigs[i])
	}
	return b
}
