package codec

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// Type names the kind of a signed object (key 1 of every object).
type Type uint8

// The object types. Their numbers are part of the wire format.
const (
	TypeOrder          Type = 1 // order license
	TypeDevice         Type = 2 // device license
	TypeLease          Type = 3 // lease
	TypeUsageReport    Type = 4 // usage report
	TypeReleaseReceipt Type = 5 // release receipt
	TypeRequest        Type = 6 // request bundle
)

var typeNames = [...]string{
	TypeOrder:          "order",
	TypeDevice:         "device",
	TypeLease:          "lease",
	TypeUsageReport:    "usage-report",
	TypeReleaseReceipt: "release-receipt",
	TypeRequest:        "request",
}

func (t Type) valid() bool { return t >= TypeOrder && t <= TypeRequest }

// String returns the type's name, such as "order" or "usage-report".
func (t Type) String() string {
	if t.valid() {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Name returns the type's name in prose, such as "order license".
func (t Type) Name() string {
	switch t {
	case TypeOrder:
		return "order license"
	case TypeDevice:
		return "device license"
	case TypeUsageReport:
		return "usage report"
	case TypeReleaseReceipt:
		return "release receipt"
	case TypeRequest:
		return "request bundle"
	}
	return t.String()
}

// MarshalText returns the type's name.
func (t Type) MarshalText() ([]byte, error) {
	if !t.valid() {
		return nil, fmt.Errorf("codec: unknown object type %d", t)
	}
	return []byte(t.String()), nil
}

// UnmarshalText parses a type's name.
func (t *Type) UnmarshalText(b []byte) error {
	for i, n := range typeNames {
		if n != "" && n == string(b) {
			*t = Type(i)
			return nil
		}
	}
	return fmt.Errorf("codec: unknown object type %q", b)
}

// ContentType returns the COSE content type (header 3) that a signed object
// of this type carries, such as "application/vnd.licet.order+cbor".
func (t Type) ContentType() string {
	return "application/vnd.licet." + t.String() + "+cbor"
}

// IDSize is the length of an object id in bytes.
const IDSize = 16

// ID identifies a signed object. An order license's id is the order id that
// device licenses and leases drawn on it refer to. Its text form is 32
// lower-case hexadecimal digits.
type ID [IDSize]byte

// IsZero reports whether the id is all zero, which no object may use.
func (id ID) IsZero() bool { return id == ID{} }

// String returns the id in hexadecimal.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText returns the id in hexadecimal.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses 32 hexadecimal digits.
func (id *ID) UnmarshalText(b []byte) error {
	if len(b) != 2*IDSize {
		return fmt.Errorf("codec: id must be %d hexadecimal digits, got %d characters", 2*IDSize, len(b))
	}
	var v ID
	if _, err := hex.Decode(v[:], b); err != nil {
		return fmt.Errorf("codec: id: %w", err)
	}
	*id = v
	return nil
}

// MarshalBinary returns the 16 bytes of the id; CBOR encodes it as a byte
// string.
func (id ID) MarshalBinary() ([]byte, error) { return id[:], nil }

// UnmarshalBinary sets the id from exactly 16 bytes.
func (id *ID) UnmarshalBinary(b []byte) error {
	if len(b) != IDSize {
		return fmt.Errorf("id must be %d bytes, got %d", IDSize, len(b))
	}
	copy(id[:], b)
	return nil
}

// Timestamp is an instant in whole seconds since the Unix epoch, encoded as
// a CBOR integer without a tag. Zero means absent; negative values are
// invalid. Its JSON form is RFC 3339 in UTC.
type Timestamp int64

// At returns the timestamp of t, truncated to the second.
func At(t time.Time) Timestamp { return Timestamp(t.Unix()) }

// Time returns the instant in UTC.
func (s Timestamp) Time() time.Time { return time.Unix(int64(s), 0).UTC() }

// IsZero reports whether the timestamp is absent.
func (s Timestamp) IsZero() bool { return s == 0 }

// String returns the instant in RFC 3339, or "none" when absent.
func (s Timestamp) String() string {
	if s == 0 {
		return "none"
	}
	return s.Time().Format(time.RFC3339)
}

// MarshalText returns the instant in RFC 3339.
func (s Timestamp) MarshalText() ([]byte, error) {
	return []byte(s.Time().Format(time.RFC3339)), nil
}

// UnmarshalText parses an RFC 3339 instant.
func (s *Timestamp) UnmarshalText(b []byte) error {
	t, err := time.Parse(time.RFC3339, string(b))
	if err != nil {
		return fmt.Errorf("codec: timestamp: %w", err)
	}
	*s = At(t)
	return nil
}

// Add returns the timestamp d later, truncated to the second.
func (s Timestamp) Add(d Seconds) Timestamp { return s + Timestamp(d) }

// Seconds is a length of time in whole seconds, encoded as a CBOR unsigned
// integer. Its JSON form is the number of seconds.
type Seconds uint32

// Duration returns the length as a time.Duration.
func (d Seconds) Duration() time.Duration { return time.Duration(d) * time.Second }

// Days returns a length of n days.
func Days(n int) Seconds { return Seconds(n * 86400) }

// String formats the length in days and hours where it divides evenly.
func (d Seconds) String() string {
	switch {
	case d == 0:
		return "0s"
	case d%86400 == 0:
		return strconv.Itoa(int(d/86400)) + "d"
	case d%3600 == 0:
		return strconv.Itoa(int(d/3600)) + "h"
	}
	return d.Duration().String()
}

// Bytes is a byte string whose JSON and text form is lower-case
// hexadecimal. CBOR encodes it as a byte string.
type Bytes []byte

// MarshalText returns the bytes in hexadecimal.
func (b Bytes) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(b)), nil }

// UnmarshalText parses hexadecimal.
func (b *Bytes) UnmarshalText(t []byte) error {
	v, err := hex.DecodeString(string(t))
	if err != nil {
		return fmt.Errorf("codec: hex: %w", err)
	}
	*b = v
	return nil
}

// String returns the bytes in hexadecimal.
func (b Bytes) String() string { return hex.EncodeToString(b) }

// Mode is an order's activation mode (DESIGN section 6). It is encoded as a
// CBOR unsigned integer; its text form is the mode's name.
type Mode uint8

// The activation modes. Zero is not a mode.
const (
	ModePermanent     Mode = 1 // seats are activated terminals, freed only by reclaim
	ModePeriodic      Mode = 2 // seats are terminals holding an unexpired lease
	ModeConcurrent    Mode = 3 // seats are live sessions; leases serve borrowing
	ModeUnlimited     Mode = 4 // no seat limit during the window
	ModePreactivation Mode = 5 // validity starts at each device's first activation
)

var modeNames = [...]string{
	ModePermanent:     "permanent",
	ModePeriodic:      "periodic",
	ModeConcurrent:    "concurrent",
	ModeUnlimited:     "unlimited",
	ModePreactivation: "preactivation",
}

func (m Mode) valid() bool { return m >= ModePermanent && m <= ModePreactivation }

// String returns the mode's name.
func (m Mode) String() string {
	if m.valid() {
		return modeNames[m]
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// MarshalText returns the mode's name.
func (m Mode) MarshalText() ([]byte, error) {
	if !m.valid() {
		return nil, fmt.Errorf("codec: unknown mode %d", m)
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses a mode's name: permanent, periodic, concurrent,
// unlimited or preactivation.
func (m *Mode) UnmarshalText(b []byte) error {
	for i, n := range modeNames {
		if n != "" && n == string(b) {
			*m = Mode(i)
			return nil
		}
	}
	return fmt.Errorf("codec: unknown mode %q (want permanent, periodic, concurrent, unlimited or preactivation)", b)
}

// MatchPolicy says how strictly a terminal's components today must match
// the birth record a license binds (DESIGN section 4). The zero value is the
// default, fuzzy, and is left out of the encoding.
type MatchPolicy uint8

// The match policies.
const (
	MatchFuzzy MatchPolicy = 0 // every anchor and at least half of the NICs and disks (fingerprint.Fuzzy)
	MatchExact MatchPolicy = 1 // every component (fingerprint.Exact)
	MatchLoose MatchPolicy = 2 // half of the anchors, NICs and disks together (fingerprint.Loose)
)

var policyNames = [...]string{MatchFuzzy: "fuzzy", MatchExact: "exact", MatchLoose: "loose"}

func (p MatchPolicy) valid() bool { return p <= MatchLoose }

// String returns the policy's name.
func (p MatchPolicy) String() string {
	if p.valid() {
		return policyNames[p]
	}
	return "policy(" + strconv.Itoa(int(p)) + ")"
}

// MarshalText returns the policy's name.
func (p MatchPolicy) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("codec: unknown match policy %d", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses exact, fuzzy or loose.
func (p *MatchPolicy) UnmarshalText(b []byte) error {
	for i, n := range policyNames {
		if n == string(b) {
			*p = MatchPolicy(i)
			return nil
		}
	}
	return fmt.Errorf("codec: unknown match policy %q (want exact, fuzzy or loose)", b)
}

// EntryKind is what a ledger entry records.
type EntryKind uint8

// The ledger entry kinds. Zero is not a kind.
const (
	EntryGrant   EntryKind = 1 // a seat was granted (device license or first lease)
	EntryRenew   EntryKind = 2 // a lease was renewed
	EntryRelease EntryKind = 3 // the terminal gave its seat up
	EntryReclaim EntryKind = 4 // the administrator took the seat back
	EntryExpire  EntryKind = 5 // a lease ran out without renewal
)

var entryNames = [...]string{
	EntryGrant:   "grant",
	EntryRenew:   "renew",
	EntryRelease: "release",
	EntryReclaim: "reclaim",
	EntryExpire:  "expire",
}

func (k EntryKind) valid() bool { return k >= EntryGrant && k <= EntryExpire }

// String returns the kind's name.
func (k EntryKind) String() string {
	if k.valid() {
		return entryNames[k]
	}
	return "entry(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText returns the kind's name.
func (k EntryKind) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, fmt.Errorf("codec: unknown ledger entry kind %d", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText parses a kind's name.
func (k *EntryKind) UnmarshalText(b []byte) error {
	for i, n := range entryNames {
		if n != "" && n == string(b) {
			*k = EntryKind(i)
			return nil
		}
	}
	return fmt.Errorf("codec: unknown ledger entry kind %q", b)
}
