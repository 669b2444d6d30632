package codec

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"licet.dev/licet/codec/cose"
)

// Link is one signed object of a file.
type Link struct {
	Raw     []byte        // the COSE_Sign message as it travels
	Message *cose.Message // the decoded message; its signatures are not yet checked
	Object  Object        // the decoded payload
}

// File is what a license file holds: the chain of signed objects from the
// one a trusted root signed down to the object it is about. The shapes that
// verify are [order], [device], [lease] (each signed by a root) and
// [order, X] where X is signed by the order's site key. In CBOR a file is
// an array of one or two byte strings, each a complete COSE_Sign message,
// issuer first; as text it is that array armoured.
type File struct {
	Links []Link
	// Armoured says whether the file was read from armoured text; Encode
	// writes it back in the same form.
	Armoured bool
}

// Sign encodes o and signs it with key as a hybrid COSE_Sign message whose
// content type names o's type. rand is the source of the randomized
// ML-DSA-65 signature (crypto/rand.Reader in production).
func Sign(rand io.Reader, key *cose.PrivateKey, o Object) ([]byte, error) {
	payload, err := Marshal(o)
	if err != nil {
		return nil, err
	}
	return cose.Sign(rand, key, o.objectType().ContentType(), payload)
}

// NewFile decodes signed messages, issuer first, into a file. It checks
// their encoding, not their signatures.
func NewFile(signed ...[]byte) (*File, error) {
	if len(signed) == 0 || len(signed) > maxChainLength {
		return nil, decodeErr("file", ErrMalformed, nil, "%d signed objects, want 1 to %d", len(signed), maxChainLength)
	}
	f := &File{Links: make([]Link, len(signed))}
	for i, raw := range signed {
		l, err := decodeLink(raw)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.What = fmt.Sprintf("link %d: %s", i+1, de.What)
				return nil, de
			}
			return nil, fmt.Errorf("codec: link %d: %w", i+1, err)
		}
		f.Links[i] = *l
	}
	return f, nil
}

func decodeLink(raw []byte) (*Link, error) {
	m, err := cose.Decode(raw)
	if err != nil {
		return nil, decodeErr("signed object", ErrMalformed, err, "COSE")
	}
	o, err := DecodeObject(m.Payload)
	if err != nil {
		return nil, err
	}
	if want := o.objectType().ContentType(); m.ContentType != want {
		return nil, decodeErr("signed object", ErrMalformed, nil, "content type %q does not match a payload of type %s", m.ContentType, o.objectType())
	}
	return &Link{Raw: bytes.Clone(raw), Message: m, Object: o}, nil
}

// ParseFile decodes a file given as CBOR or as armoured text. The armour
// label must be the one LabelFor gives for the file's last object.
func ParseFile(b []byte) (*File, error) {
	armoured := IsArmoured(b)
	if armoured {
		label, data, err := Dearmour(b)
		if err != nil {
			return nil, err
		}
		f, err := decodeFile(data)
		if err != nil {
			return nil, err
		}
		if want := LabelFor(f.Leaf().Object.objectType()); label != want {
			return nil, decodeErr("armour", ErrMalformed, nil, "label %q, want %q for a %s", label, want, f.Leaf().Object.objectType().Name())
		}
		f.Armoured = true
		return f, nil
	}
	return decodeFile(b)
}

func decodeFile(b []byte) (*File, error) {
	if len(b) > MaxObjectSize {
		return nil, decodeErr("file", ErrMalformed, nil, "%d bytes, at most %d", len(b), MaxObjectSize)
	}
	if len(b) == 0 || b[0]>>5 != 4 {
		return nil, decodeErr("file", ErrMalformed, nil, "not a CBOR array of signed objects")
	}
	var signed [][]byte
	if err := looseMode.Unmarshal(b, &signed); err != nil {
		return nil, decodeErr("file", ErrMalformed, err, "decoding")
	}
	re, err := encMode.Marshal(signed)
	if err != nil || !bytes.Equal(re, b) {
		return nil, decodeErr("file", ErrNonCanonical, err, "not in deterministic encoding")
	}
	return NewFile(signed...)
}

// Marshal returns the file's CBOR encoding.
func (f *File) Marshal() []byte {
	signed := make([][]byte, len(f.Links))
	for i := range f.Links {
		signed[i] = f.Links[i].Raw
	}
	b, err := encMode.Marshal(signed)
	if err != nil {
		// An array of byte strings always encodes.
		panic("codec: encoding file: " + err.Error())
	}
	return b
}

// Armour returns the file as armoured text with the label of its last
// object.
func (f *File) Armour() []byte {
	label := LabelLicense
	if l := f.Leaf(); l != nil && l.Object != nil {
		label = LabelFor(l.Object.objectType())
	}
	return Armour(label, f.Marshal())
}

// Encode returns the file in the form it was read in: armoured text when
// Armoured is set, CBOR otherwise.
func (f *File) Encode() []byte {
	if f.Armoured {
		return f.Armour()
	}
	return f.Marshal()
}

// Leaf returns the last link, the object the file is about, or nil for a
// file without links.
func (f *File) Leaf() *Link {
	if len(f.Links) == 0 {
		return nil
	}
	return &f.Links[len(f.Links)-1]
}
