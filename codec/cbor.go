package codec

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// ExtensionBase is the first top-level key of an extension field. Unknown
// keys below it are critical and make the object undecodable; unknown keys
// from it up are kept verbatim and otherwise ignored.
const ExtensionBase = 1000

// Decoder limits, shared by every object and by the file wrapper.
const (
	MaxObjectSize  = 8 << 20 // bytes in one encoded object or file
	maxNesting     = 16
	maxArrayItems  = MaxEntries + 1
	maxMapPairs    = MaxConstraints + 1
	maxExtensions  = 64
	maxChainLength = 2
)

var (
	encMode cbor.EncMode
	// decMode decodes objects: core deterministic, no tags, no indefinite
	// lengths, no duplicate keys, no unknown struct fields.
	decMode cbor.DecMode
	// looseMode is decMode without the unknown-field check, for the first
	// pass over a top-level map.
	looseMode cbor.DecMode
)

func init() {
	var err error
	eo := cbor.CoreDetEncOptions()
	eo.Time = cbor.TimeUnix
	if encMode, err = eo.EncMode(); err != nil {
		panic(err)
	}
	do := cbor.DecOptions{
		DupMapKey:           cbor.DupMapKeyEnforcedAPF,
		MaxNestedLevels:     maxNesting,
		MaxArrayElements:    maxArrayItems,
		MaxMapPairs:         maxMapPairs,
		IndefLength:         cbor.IndefLengthForbidden,
		TagsMd:              cbor.TagsForbidden,
		ExtraReturnErrors:   cbor.ExtraDecErrorUnknownField,
		UTF8:                cbor.UTF8RejectInvalid,
		ByteStringToString:  cbor.ByteStringToStringForbidden,
		FieldNameByteString: cbor.FieldNameByteStringForbidden,
		NaN:                 cbor.NaNDecodeForbidden,
		Inf:                 cbor.InfDecodeForbidden,
		BignumTag:           cbor.BignumTagForbidden,
		IntDec:              cbor.IntDecConvertNone,
	}
	if decMode, err = do.DecMode(); err != nil {
		panic(err)
	}
	do.ExtraReturnErrors = cbor.ExtraDecErrorNone
	if looseMode, err = do.DecMode(); err != nil {
		panic(err)
	}
}

var knownKeysCache sync.Map // reflect.Type → map[uint64]bool

// knownKeys returns the top-level integer keys that the struct type t
// declares, read from its cbor tags (embedded Header included).
func knownKeys(t reflect.Type) map[uint64]bool {
	if m, ok := knownKeysCache.Load(t); ok {
		return m.(map[uint64]bool)
	}
	m := map[uint64]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type)
				continue
			}
			tag := f.Tag.Get("cbor")
			name, _, _ := strings.Cut(tag, ",")
			if k, err := strconv.ParseUint(name, 10, 64); err == nil {
				m[k] = true
			}
		}
	}
	walk(t)
	knownKeysCache.Store(t, m)
	return m
}

// Marshal validates o and returns its deterministic CBOR encoding. It fills
// in Type and Version when they are zero.
func Marshal(o Object) ([]byte, error) {
	h := o.head()
	if h.Type == 0 {
		h.Type = o.objectType()
	}
	if h.Version == 0 {
		h.Version = Version
	}
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("codec: %s: %w", o.objectType(), err)
	}
	return marshal(o)
}

func marshal(o Object) ([]byte, error) {
	b, err := encMode.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("codec: encoding %s: %w", o.objectType(), err)
	}
	ext := o.head().Ext
	if len(ext) == 0 {
		return b, nil
	}
	var m map[uint64]cbor.RawMessage
	if err := looseMode.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("codec: encoding %s: %w", o.objectType(), err)
	}
	for k, v := range ext {
		if _, dup := m[k]; dup || k < ExtensionBase {
			return nil, fmt.Errorf("codec: encoding %s: extension key %d is below %d", o.objectType(), k, ExtensionBase)
		}
		if err := checkExtensionValue(v); err != nil {
			return nil, fmt.Errorf("codec: encoding %s: extension %d: %w", o.objectType(), k, err)
		}
		m[k] = cbor.RawMessage(v)
	}
	return encMode.Marshal(m)
}

// checkExtensionValue requires an extension's value to be one well-formed,
// deterministically encoded data item without tags.
func checkExtensionValue(v []byte) error {
	var x any
	if err := looseMode.Unmarshal(v, &x); err != nil {
		return err
	}
	re, err := encMode.Marshal(x)
	if err != nil {
		return err
	}
	if !bytes.Equal(re, v) {
		return errors.New("not in deterministic encoding")
	}
	return nil
}

// unmarshal decodes b into o strictly: b must be one map whose keys are
// known to o, or extensions, and must re-encode to itself.
func unmarshal(b []byte, o Object) error {
	what := o.objectType().Name()
	top, err := decodeTop(what, b)
	if err != nil {
		return err
	}
	return unmarshalTop(what, b, top, o)
}

// decodeTop decodes the top-level map of an object, keeping its values raw.
func decodeTop(what string, b []byte) (map[any]cbor.RawMessage, error) {
	if len(b) > MaxObjectSize {
		return nil, decodeErr(what, ErrMalformed, nil, "%d bytes, at most %d", len(b), MaxObjectSize)
	}
	if len(b) == 0 || b[0]>>5 != 5 {
		return nil, decodeErr(what, ErrMalformed, nil, "not a CBOR map")
	}
	var top map[any]cbor.RawMessage
	if err := looseMode.Unmarshal(b, &top); err != nil {
		return nil, decodeErr(what, ErrMalformed, err, "decoding")
	}
	return top, nil
}

func unmarshalTop(what string, b []byte, top map[any]cbor.RawMessage, o Object) error {
	known := knownKeys(reflect.TypeOf(o).Elem())
	var ext map[uint64]Bytes
	for k, v := range top {
		n, ok := k.(uint64)
		if !ok {
			return decodeErr(what, ErrMalformed, nil, "map key %v is not an unsigned integer", k)
		}
		switch {
		case known[n]:
		case n >= ExtensionBase:
			if ext == nil {
				ext = map[uint64]Bytes{}
			}
			if len(ext) == maxExtensions {
				return decodeErr(what, ErrMalformed, nil, "more than %d extension fields", maxExtensions)
			}
			if err := checkExtensionValue(v); err != nil {
				return decodeErr(what, ErrNonCanonical, err, "extension %d", n)
			}
			ext[n] = Bytes(bytes.Clone(v))
		default:
			return decodeErr(what, ErrUnknownField, nil, "unknown critical field %d", n)
		}
	}
	if v, ok := top[uint64(2)]; ok {
		var ver uint64
		if err := looseMode.Unmarshal(v, &ver); err == nil && ver != Version {
			return decodeErr(what, ErrVersion, nil, "version %d, this decoder reads version %d", ver, Version)
		}
	}
	src := b
	if len(ext) != 0 {
		for k := range ext {
			delete(top, k)
		}
		var err error
		if src, err = encMode.Marshal(top); err != nil {
			return decodeErr(what, ErrMalformed, err, "decoding")
		}
	}
	if err := decMode.Unmarshal(src, o); err != nil {
		return decodeErr(what, ErrMalformed, err, "decoding")
	}
	o.head().Ext = ext
	re, err := marshal(o)
	if err != nil {
		return decodeErr(what, ErrMalformed, err, "re-encoding")
	}
	if !bytes.Equal(re, b) {
		return decodeErr(what, ErrNonCanonical, nil, "not in deterministic encoding, or a field at its zero value")
	}
	if err := o.validate(); err != nil {
		return decodeErr(what, ErrInvalid, err, "invalid")
	}
	return nil
}

// DecodeOrderLicense decodes an order license payload.
func DecodeOrderLicense(b []byte) (*OrderLicense, error) { return decodeAs[OrderLicense](b) }

// DecodeDeviceLicense decodes a device license payload.
func DecodeDeviceLicense(b []byte) (*DeviceLicense, error) { return decodeAs[DeviceLicense](b) }

// DecodeLease decodes a lease payload.
func DecodeLease(b []byte) (*Lease, error) { return decodeAs[Lease](b) }

// DecodeUsageReport decodes a usage report payload.
func DecodeUsageReport(b []byte) (*UsageReport, error) { return decodeAs[UsageReport](b) }

// DecodeReleaseReceipt decodes a release receipt payload.
func DecodeReleaseReceipt(b []byte) (*ReleaseReceipt, error) { return decodeAs[ReleaseReceipt](b) }

// DecodeRequestBundle decodes a request bundle.
func DecodeRequestBundle(b []byte) (*RequestBundle, error) { return decodeAs[RequestBundle](b) }

func decodeAs[T any, P interface {
	*T
	Object
}](b []byte) (*T, error) {
	v := P(new(T))
	if err := unmarshal(b, v); err != nil {
		return nil, err
	}
	return (*T)(v), nil
}

func peekType(top map[any]cbor.RawMessage) (Type, error) {
	raw, ok := top[uint64(1)]
	if !ok {
		return 0, decodeErr("object", ErrMalformed, nil, "no type field")
	}
	var t uint8
	if err := looseMode.Unmarshal(raw, &t); err != nil || !Type(t).valid() {
		return 0, decodeErr("object", ErrMalformed, err, "unknown type %x", []byte(raw))
	}
	return Type(t), nil
}

// DecodeObject decodes an object of any type, as its type field says.
func DecodeObject(b []byte) (Object, error) {
	top, err := decodeTop("object", b)
	if err != nil {
		return nil, err
	}
	t, err := peekType(top)
	if err != nil {
		return nil, err
	}
	var o Object
	switch t {
	case TypeOrder:
		o = new(OrderLicense)
	case TypeDevice:
		o = new(DeviceLicense)
	case TypeLease:
		o = new(Lease)
	case TypeUsageReport:
		o = new(UsageReport)
	case TypeReleaseReceipt:
		o = new(ReleaseReceipt)
	case TypeRequest:
		o = new(RequestBundle)
	}
	if err := unmarshalTop(t.Name(), b, top, o); err != nil {
		return nil, err
	}
	return o, nil
}
