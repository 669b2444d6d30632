package fingerprint

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Kind names the source of a component. The numeric values are part of the
// birth record encoding and cannot be changed.
type Kind uint8

// Component kinds.
const (
	KindMachineID     Kind = 1  // etc/machine-id
	KindProductUUID   Kind = 2  // DMI product_uuid
	KindProductSerial Kind = 3  // DMI product_serial
	KindBoardSerial   Kind = 4  // DMI board_serial
	KindChassisSerial Kind = 5  // DMI chassis_serial
	KindNIC           Kind = 6  // MAC address of a physical NIC
	KindDisk          Kind = 7  // serial of a physical disk
	KindCPU           Kind = 8  // CPU model name
	KindTPM           Kind = 9  // TPM endorsement key
	KindInstance      Kind = 10 // explicit instance id (identity mode)
)

var kindNames = [...]string{
	KindMachineID:     "machine-id",
	KindProductUUID:   "dmi-product-uuid",
	KindProductSerial: "dmi-product-serial",
	KindBoardSerial:   "dmi-board-serial",
	KindChassisSerial: "dmi-chassis-serial",
	KindNIC:           "nic",
	KindDisk:          "disk",
	KindCPU:           "cpu",
	KindTPM:           "tpm-ek",
	KindInstance:      "instance",
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k >= KindMachineID && k <= KindInstance }

// String returns the kind's name, such as "machine-id" or "nic".
func (k Kind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// MarshalText implements encoding.TextMarshaler.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, fmt.Errorf("fingerprint: unknown component kind %d", uint8(k))
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if n != "" && n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("fingerprint: unknown component kind %q", b)
}

// Class says what role a kind plays in matching.
type Class uint8

// Component classes.
const (
	// Anchor components identify the machine itself and do not change when
	// parts are replaced: machine-id, DMI product UUID and serials, TPM
	// endorsement key. Fuzzy matching requires all of them.
	Anchor Class = iota + 1
	// Replaceable components identify parts that a technician may swap:
	// NICs and disks. Fuzzy matching requires at least half of them.
	Replaceable
	// Descriptive components are not unique (many machines share a CPU
	// model). They are shown and required by Exact, but count for nothing
	// in Fuzzy and Loose, because a match proves nothing.
	Descriptive
	// Explicit is the instance id of identity mode; it must always match.
	Explicit
)

// String returns the class name.
func (c Class) String() string {
	switch c {
	case Anchor:
		return "anchor"
	case Replaceable:
		return "replaceable"
	case Descriptive:
		return "descriptive"
	case Explicit:
		return "explicit"
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// Class returns the matching class of the kind.
func (k Kind) Class() Class {
	switch k {
	case KindMachineID, KindProductUUID, KindProductSerial, KindBoardSerial, KindChassisSerial, KindTPM:
		return Anchor
	case KindNIC, KindDisk:
		return Replaceable
	case KindCPU:
		return Descriptive
	case KindInstance:
		return Explicit
	}
	return 0
}

// hardware reports whether the kind is rooted in hardware rather than in a
// file that disk images copy (machine-id) or in a model name many machines
// share (CPU).
func (k Kind) hardware() bool {
	switch k {
	case KindProductUUID, KindProductSerial, KindBoardSerial, KindChassisSerial, KindTPM, KindNIC, KindDisk:
		return true
	}
	return false
}

func (k Kind) dmi() bool {
	return k >= KindProductUUID && k <= KindChassisSerial
}

// HashSize is the length in bytes of a component hash.
const HashSize = 16

// Hash is a salted component hash: the first 16 bytes of
// HMAC-SHA256(key = "licet-fingerprint-v1" || 0x00 || product,
// msg = kind name || 0x00 || normalised value).
type Hash [HashSize]byte

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// Short returns the first 8 hex digits, enough to tell hashes apart in an
// explanation.
func (h Hash) Short() string { return hex.EncodeToString(h[:4]) }

// HashValue returns the salted hash of a normalised component value for the
// given product. Collect uses it for every component; it is exported so that
// other tools (and tests) can compute the same hashes.
func HashValue(product string, k Kind, value string) Hash {
	m := hmac.New(sha256.New, []byte("licet-fingerprint-v1\x00"+product))
	m.Write([]byte(k.String()))
	m.Write([]byte{0})
	m.Write([]byte(value))
	var h Hash
	copy(h[:], m.Sum(nil))
	return h
}

// Component is one hashed identifier.
type Component struct {
	Kind Kind
	Hash Hash
}

// String returns "kind:shorthash".
func (c Component) String() string { return c.Kind.String() + ":" + c.Hash.Short() }

// compareComponents orders components by kind, then by hash: the order
// of a record.
func compareComponents(a, b Component) int {
	return cmp.Or(cmp.Compare(a.Kind, b.Kind), bytes.Compare(a.Hash[:], b.Hash[:]))
}
