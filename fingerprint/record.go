package fingerprint

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/fxamacker/cbor/v2"
)

// RecordVersion is the format version of the birth record encoding.
const RecordVersion = 1

// MaxComponents is the largest number of components a record may hold.
const MaxComponents = 64

// MaxRecordSize bounds the encoded size of a record accepted by ParseRecord.
const MaxRecordSize = 2048

// Record is a birth record: the set of component hashes of a machine at
// activation time. Components are sorted by kind, then by hash, with no
// duplicates; a record made by NewRecord or ParseRecord always is. A record
// holding a KindInstance component holds nothing else.
type Record struct {
	Components []Component
}

// ErrEmptyRecord means a record has no components, so it identifies nothing.
var ErrEmptyRecord = errors.New("fingerprint: record has no components")

// NewRecord returns a record of the given components, sorted, with duplicates
// removed. It fails for unknown kinds, an empty set, more than MaxComponents,
// or an instance id mixed with hardware components.
func NewRecord(cs []Component) (*Record, error) {
	out := slices.Clone(cs)
	slices.SortFunc(out, compareComponents)
	out = slices.Compact(out)
	r := &Record{Components: out}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Record) check() error {
	if len(r.Components) == 0 {
		return ErrEmptyRecord
	}
	if len(r.Components) > MaxComponents {
		return fmt.Errorf("fingerprint: record: %d components, more than %d", len(r.Components), MaxComponents)
	}
	instance := false
	for i, c := range r.Components {
		if !c.Kind.Valid() {
			return fmt.Errorf("fingerprint: record: component %d: unknown kind %d", i, uint8(c.Kind))
		}
		if c.Kind == KindInstance {
			instance = true
		}
		if i > 0 && compareComponents(r.Components[i-1], c) >= 0 {
			return fmt.Errorf("fingerprint: record: component %d: not in canonical order or duplicated", i)
		}
	}
	if instance && len(r.Components) != 1 {
		return errors.New("fingerprint: record: instance id mixed with hardware components")
	}
	return nil
}

// Instance reports whether the record is an explicit identity (identity mode).
func (r *Record) Instance() bool {
	return len(r.Components) == 1 && r.Components[0].Kind == KindInstance
}

// Equal reports whether two records hold the same components.
func (r *Record) Equal(o *Record) bool {
	return slices.Equal(r.Components, o.Components)
}

type wireRecord struct {
	Version    uint64          `cbor:"1,keyasint"`
	Components []wireComponent `cbor:"2,keyasint"`
}

type wireComponent struct {
	_    struct{} `cbor:",toarray"`
	Kind uint64
	Hash []byte
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   4,
		MaxArrayElements:  MaxComponents,
		MaxMapPairs:       16,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// MarshalBinary returns the canonical encoding of the record: a CBOR map in
// RFC 8949 core deterministic encoding,
//
//	{1: version (1), 2: [[kind, hash (16-byte bstr)], ...]}
//
// with components sorted by kind, then hash.
func (r *Record) MarshalBinary() ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	w := wireRecord{Version: RecordVersion, Components: make([]wireComponent, len(r.Components))}
	for i, c := range r.Components {
		w.Components[i] = wireComponent{Kind: uint64(c.Kind), Hash: c.Hash[:]}
	}
	return encMode.Marshal(w)
}

// ParseRecord decodes a record. It accepts only the canonical encoding, so a
// record has exactly one encoding and one digest.
func ParseRecord(b []byte) (*Record, error) {
	if len(b) > MaxRecordSize {
		return nil, fmt.Errorf("fingerprint: record: %d bytes, more than %d", len(b), MaxRecordSize)
	}
	var w wireRecord
	if err := decMode.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("fingerprint: record: %w", err)
	}
	if w.Version != RecordVersion {
		return nil, fmt.Errorf("fingerprint: record: unsupported version %d", w.Version)
	}
	r := &Record{Components: make([]Component, len(w.Components))}
	for i, c := range w.Components {
		if c.Kind > 255 || !Kind(c.Kind).Valid() {
			return nil, fmt.Errorf("fingerprint: record: component %d: unknown kind %d", i, c.Kind)
		}
		if len(c.Hash) != HashSize {
			return nil, fmt.Errorf("fingerprint: record: component %d: hash is %d bytes, want %d", i, len(c.Hash), HashSize)
		}
		r.Components[i].Kind = Kind(c.Kind)
		copy(r.Components[i].Hash[:], c.Hash)
	}
	if err := r.check(); err != nil {
		return nil, err
	}
	again, err := r.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, errors.New("fingerprint: record: not in canonical encoding")
	}
	return r, nil
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler with ParseRecord.
func (r *Record) UnmarshalBinary(b []byte) error {
	p, err := ParseRecord(b)
	if err != nil {
		return err
	}
	*r = *p
	return nil
}

// Digest returns SHA-256 over the canonical encoding. Licenses bind it; the
// device code carries its first 8 bytes. The digest of an invalid record is
// all zeros.
func (r *Record) Digest() [32]byte {
	b, err := r.MarshalBinary()
	if err != nil {
		return [32]byte{}
	}
	return sha256.Sum256(b)
}

// AnchorDigest returns SHA-256 over the record's machine-id, DMI and
// instance id components in canonical order. It stays the same when a NIC,
// disk or CPU is replaced and differs on another machine, so it suits binding
// local state to the machine (agent/state Options.Binding). The TPM is left
// out because its key can appear later (a TPM switched on in the firmware, or
// an endorsement key provisioned after activation). It is all zeros when the
// record has none of these components.
func (r *Record) AnchorDigest() [32]byte {
	h := sha256.New()
	h.Write([]byte("licet-fingerprint-anchors-v1"))
	n := 0
	for _, c := range r.Components {
		if cl := c.Kind.Class(); (cl == Anchor && c.Kind != KindTPM) || cl == Explicit {
			h.Write([]byte{byte(c.Kind)})
			h.Write(c.Hash[:])
			n++
		}
	}
	var d [32]byte
	if n > 0 {
		h.Sum(d[:0])
	}
	return d
}
