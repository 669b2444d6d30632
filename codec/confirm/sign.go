package confirm

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"maps"

	"filippo.io/bigmod"
	"filippo.io/nistec"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
)

const day = 86400 // seconds

// OrderStart returns the instant from which a code's day count runs: the
// order's not_before, or its issued_at when it has none.
func OrderStart(o *codec.OrderLicense) codec.Timestamp {
	if o.NotBefore != 0 {
		return o.NotBefore
	}
	return o.IssuedAt
}

// NotAfter returns when a grant of days under order ends: days·86400
// seconds after OrderStart, or the order's own not_after (zero: no end)
// for days = 0. The error matches ErrTerms when that is after the order's
// end or days exceeds MaxDays.
func NotAfter(order *codec.OrderLicense, days uint16) (codec.Timestamp, error) {
	if days == 0 {
		return order.NotAfter, nil
	}
	if days > MaxDays {
		return 0, fmt.Errorf("%w: %d days, at most %d", ErrTerms, days, MaxDays)
	}
	end := OrderStart(order) + codec.Timestamp(days)*day
	if order.NotAfter != 0 && end > order.NotAfter {
		return 0, fmt.Errorf("%w: a grant of %d days ends at %s, after order %s ends at %s", ErrTerms, days, end, order.ID, order.NotAfter)
	}
	return end, nil
}

// DaysUntil returns the day count of a code that grants until at least
// end: the whole days from OrderStart to end, rounded up. It returns 0
// (the order's own end) when that would reach or pass the order's end,
// and an error matching ErrTerms when end is not after the order's start
// or too far from it.
func DaysUntil(order *codec.OrderLicense, end codec.Timestamp) (uint16, error) {
	start := OrderStart(order)
	if end <= start {
		return 0, fmt.Errorf("%w: %s is not after order %s starts at %s", ErrTerms, end, order.ID, start)
	}
	if order.NotAfter != 0 && end >= order.NotAfter {
		return 0, nil
	}
	days := (int64(end-start) + day - 1) / day
	if order.NotAfter != 0 && start+codec.Timestamp(days)*day >= order.NotAfter {
		return 0, nil
	}
	if days > MaxDays {
		return 0, fmt.Errorf("%w: %s is more than %d days after order %s starts", ErrTerms, end, MaxDays, order.ID)
	}
	return uint16(days), nil
}

// checkGrant checks what does not depend on the signature: the order
// grants device licenses, and the device code is for its product.
func checkGrant(order *codec.OrderLicense, device devcode.DeviceCode) error {
	if order.Mode == codec.ModePeriodic || order.Mode == codec.ModeConcurrent {
		return fmt.Errorf("%w: order %s is in mode %s, which grants leases from a site server, not activations by code", ErrTerms, order.ID, order.Mode)
	}
	if _, err := device.MarshalText(); err != nil {
		return fmt.Errorf("confirm: device code: %w", err)
	}
	if device.Product != order.Product {
		return fmt.Errorf("%w: the device code is for product %d, order %s for product %d", ErrWrongProduct, device.Product, order.ID, order.Product)
	}
	return nil
}

// message returns what a code signs besides the key and the commitment:
//
//	order id (16 bytes) ‖ device code, canonical form (29 ASCII characters)
//	‖ format version (1 byte) ‖ days (2 bytes) ‖ not_after (8 bytes)
//
// integers big-endian; not_after is the grant's end in Unix seconds, 0 for
// none.
func message(order *codec.OrderLicense, device devcode.DeviceCode, version uint8, days uint16, notAfter codec.Timestamp) []byte {
	m := make([]byte, 0, 16+29+1+2+8)
	m = append(m, order.ID[:]...)
	m = append(m, device.String()...)
	m = append(m, version)
	m = binary.BigEndian.AppendUint16(m, days)
	return binary.BigEndian.AppendUint64(m, uint64(notAfter))
}

// challenge returns e = the first 14 bytes of
// SHA-256("licet confirmation challenge v1" 0x00 ‖ public key ‖ R ‖ message),
// with R in SEC 1 compressed form.
func challenge(pub *PublicKey, r []byte, msg []byte) (e [ChallengeSize]byte) {
	h := sha256.New()
	h.Write([]byte(labelChallenge))
	h.Write(pub.b[:])
	h.Write(r)
	h.Write(msg)
	copy(e[:], h.Sum(nil))
	return e
}

// New returns the confirmation code that activates the terminal of device
// under order until the day count days says (0: the order's end). key must
// be the confirmation key the order names.
//
// The signature is deterministic: with k = SHA-512("licet confirmation
// nonce v1" 0x00 ‖ nonce key ‖ public key ‖ message) mod n, R = k·G,
// e = challenge(R) and s = k + e·x mod n, the code carries (e, s). The
// same inputs always give the same code.
func New(key *PrivateKey, order *codec.OrderLicense, device devcode.DeviceCode, days uint16) (Code, error) {
	pub, err := KeyOf(order)
	if err != nil {
		return Code{}, err
	}
	if !pub.Equal(key.pub) {
		return Code{}, fmt.Errorf("%w: order %s names confirmation key %s", ErrWrongKey, order.ID, pub)
	}
	if err := checkGrant(order, device); err != nil {
		return Code{}, err
	}
	notAfter, err := NotAfter(order, days)
	if err != nil {
		return Code{}, err
	}
	msg := message(order, device, FormatVersion, days, notAfter)

	h := sha512.New()
	h.Write([]byte(labelNonce))
	h.Write(key.nonceKey[:])
	h.Write(pub.b[:])
	h.Write(msg)
	k := reduce(h.Sum(nil))
	if k.IsZero() == 1 {
		// Probability about 2^-224.
		return Code{}, fmt.Errorf("confirm: zero nonce")
	}
	r, err := nistec.NewP224Point().ScalarBaseMult(k.Bytes(groupOrder))
	if err != nil {
		return Code{}, fmt.Errorf("confirm: signing: %w", err)
	}
	c := Code{Version: FormatVersion, Days: days}
	c.Challenge = challenge(pub, r.BytesCompressed(), msg)
	var eb [scalarSize]byte
	copy(eb[scalarSize-ChallengeSize:], c.Challenge[:])
	e, err := bigmod.NewNat().SetBytes(eb[:], groupOrder)
	if err != nil {
		return Code{}, fmt.Errorf("confirm: signing: %w", err)
	}
	s := e.Mul(key.x, groupOrder).Add(k, groupOrder)
	copy(c.Response[:], s.Bytes(groupOrder))
	return c, nil
}

// Grant is what a verified confirmation code grants.
type Grant struct {
	// Order is the order license the code draws on.
	Order *codec.OrderLicense
	// Device is the terminal's device code.
	Device devcode.DeviceCode
	// Code is the verified code.
	Code Code
	// NotAfter is the end of the grant; zero for none.
	NotAfter codec.Timestamp
}

// Verify checks that c is a confirmation code for the terminal of device
// under order: the order names a confirmation key, is in a mode that
// grants device licenses and is for the device's product, the code's end
// lies within the order, and the signature verifies:
// R = s·G − e·X must not be the identity and challenge(R) must equal e.
//
// Verify does not check the order's own signature or validity window:
// verify the order's file against the trusted roots first (package codec).
// The error matches ErrNoKey, ErrTerms, ErrWrongProduct, ErrVersion,
// ErrMalformed or ErrBadSignature.
func Verify(order *codec.OrderLicense, device devcode.DeviceCode, c Code) (*Grant, error) {
	pub, err := KeyOf(order)
	if err != nil {
		return nil, err
	}
	if err := checkGrant(order, device); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	notAfter, err := NotAfter(order, c.Days)
	if err != nil {
		return nil, err
	}
	msg := message(order, device, c.Version, c.Days, notAfter)

	var eb [scalarSize]byte
	copy(eb[scalarSize-ChallengeSize:], c.Challenge[:])
	sg, err := nistec.NewP224Point().ScalarBaseMult(c.Response[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	negX := nistec.NewP224Point().Negate(pub.p)
	ex, err := nistec.NewP224Point().ScalarMult(negX, eb[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	r := sg.Add(sg, ex)
	if r.IsInfinity() == 1 {
		return nil, fmt.Errorf("%w for order %s and device %s", ErrBadSignature, order.ID, device)
	}
	e := challenge(pub, r.BytesCompressed(), msg)
	if subtle.ConstantTimeCompare(e[:], c.Challenge[:]) != 1 {
		return nil, fmt.Errorf("%w for order %s and device %s", ErrBadSignature, order.ID, device)
	}
	return &Grant{Order: order, Device: device, Code: c, NotAfter: notAfter}, nil
}

// LicenseID returns the id of the activation's license (Code.LicenseID).
func (g *Grant) LicenseID() codec.ID { return g.Code.LicenseID() }

// License returns the device license that the grant amounts to, unsigned,
// as a terminal keeps it for an activation by code: the order's product,
// product name and features, drawing on the order, bound to the device
// code's birth-record digest and nonce, issued at the instant given and
// valid from then (or from the order's start, if later) to the grant's
// end. The error matches ErrExpired when the grant has ended by then.
func (g *Grant) License(at codec.Timestamp) (*codec.DeviceLicense, error) {
	if g.NotAfter != 0 && at >= g.NotAfter {
		return nil, fmt.Errorf("%w: the grant ended at %s", ErrExpired, g.NotAfter)
	}
	d := &codec.DeviceLicense{
		Header: codec.Header{
			Type:     codec.TypeDevice,
			Version:  codec.Version,
			ID:       g.LicenseID(),
			IssuedAt: at,
			NotAfter: g.NotAfter,
		},
		Product:     g.Order.Product,
		ProductName: g.Order.ProductName,
		Order:       g.Order.ID,
		Binding:     codec.Binding{Digest: codec.Bytes(g.Device.Digest[:]), Nonce: g.Device.Nonce},
	}
	if start := OrderStart(g.Order); g.Order.NotBefore != 0 && start > at {
		d.NotBefore = start
	}
	if len(g.Order.Features) > 0 {
		d.Features = maps.Clone(g.Order.Features)
	}
	return d, nil
}
