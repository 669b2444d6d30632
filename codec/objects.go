package codec

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"unicode/utf8"

	"licet.dev/licet/codec/cose"
)

// Version is the format version this package writes and reads (key 2).
const Version = 1

// Limits that every object obeys, besides the decoder's structural limits.
const (
	MaxText          = 256   // bytes in a name, customer, vendor or feature value
	MaxFeatureName   = 64    // bytes in a feature name
	MaxFeatures      = 256   // features in one object
	MaxConstraints   = 4096  // items in one constraint list
	MaxComponents    = 64    // component hashes in one binding or request
	MaxComponentHash = 64    // bytes in one component hash
	MaxEntries       = 50000 // ledger entries in one usage report
)

// Header holds the fields every object has. Every object type embeds it.
type Header struct {
	Type      Type      `cbor:"1,keyasint" json:"type"`
	Version   uint      `cbor:"2,keyasint" json:"version"`
	ID        ID        `cbor:"3,keyasint" json:"id"`
	IssuedAt  Timestamp `cbor:"4,keyasint" json:"issued_at"`
	NotBefore Timestamp `cbor:"5,keyasint,omitempty" json:"not_before,omitempty"`
	NotAfter  Timestamp `cbor:"6,keyasint,omitempty" json:"not_after,omitempty"` // zero: no end

	// Ext holds the extension fields (top-level keys from 1000 up), each as
	// the raw CBOR of its value. They are signed and kept, and otherwise
	// ignored.
	Ext map[uint64]Bytes `cbor:"-" json:"extensions,omitempty"`
}

func (h *Header) head() *Header { return h }

// ValidAt reports whether t lies in [NotBefore, NotAfter), with absent ends
// open.
func (h *Header) ValidAt(t Timestamp) bool {
	return (h.NotBefore == 0 || t >= h.NotBefore) && (h.NotAfter == 0 || t < h.NotAfter)
}

func (h *Header) validate(want Type) error {
	if h.Type != want {
		return invalidf("type is %s, want %s", h.Type, want)
	}
	if h.Version != Version {
		return invalidf("version is %d, want %d", h.Version, Version)
	}
	if h.ID.IsZero() {
		return invalidf("id is zero")
	}
	if h.IssuedAt <= 0 {
		return invalidf("issued_at is missing or negative")
	}
	if h.NotBefore < 0 || h.NotAfter < 0 {
		return invalidf("negative validity time")
	}
	if h.NotAfter != 0 {
		if h.NotAfter <= h.IssuedAt {
			return invalidf("not_after %s is not after issued_at %s", h.NotAfter, h.IssuedAt)
		}
		if h.NotAfter <= h.NotBefore {
			return invalidf("not_after %s is not after not_before %s", h.NotAfter, h.NotBefore)
		}
	}
	for k := range h.Ext {
		if k < ExtensionBase {
			return invalidf("extension key %d is below %d", k, ExtensionBase)
		}
	}
	return nil
}

// Object is one of the signed objects: *OrderLicense, *DeviceLicense,
// *Lease, *UsageReport, *ReleaseReceipt or *RequestBundle.
type Object interface {
	head() *Header
	objectType() Type
	validate() error
}

// HeaderOf returns the common fields of o.
func HeaderOf(o Object) *Header { return o.head() }

// TypeOf returns the type of o as its Go type says, whatever its Type field
// holds.
func TypeOf(o Object) Type { return o.objectType() }

// VersionRange limits the product versions a license covers. Both ends are
// optional; Min is inclusive and Max exclusive. Versions compare as
// dot-separated numbers.
type VersionRange struct {
	Min string `cbor:"1,keyasint,omitempty" json:"min,omitempty"`
	Max string `cbor:"2,keyasint,omitempty" json:"max,omitempty"`
}

// Constraints limit where an order's licenses may run. An empty list places
// no limit.
type Constraints struct {
	Architectures []string `cbor:"1,keyasint,omitempty" json:"architectures,omitempty"` // GOARCH names, such as amd64, arm64, loong64
	OSVersions    []string `cbor:"2,keyasint,omitempty" json:"os_versions,omitempty"`   // operating-system release names
	Serials       []string `cbor:"3,keyasint,omitempty" json:"serials,omitempty"`       // hardware serial numbers allowed
}

// IsZero reports whether the constraints place no limit.
func (c Constraints) IsZero() bool {
	return len(c.Architectures) == 0 && len(c.OSVersions) == 0 && len(c.Serials) == 0
}

// ConfirmKey is the public key that verifies typed confirmation codes for an
// order (DESIGN section 5.3).
type ConfirmKey struct {
	Alg int64 `cbor:"1,keyasint" json:"alg"` // COSE algorithm identifier of the short signature
	Key Bytes `cbor:"2,keyasint" json:"key"` // the encoded public key
}

// OrderLicense is what a vendor grants a site: seats of one product in one
// mode for a window, delegated to the site's key.
type OrderLicense struct {
	Header
	Vendor        string            `cbor:"10,keyasint,omitempty" json:"vendor,omitempty"`
	Customer      string            `cbor:"11,keyasint" json:"customer"`
	Reference     string            `cbor:"12,keyasint,omitempty" json:"reference,omitempty"` // the vendor's own order number
	Product       uint16            `cbor:"13,keyasint" json:"product"`                       // short product id, as in device codes
	ProductName   string            `cbor:"14,keyasint,omitempty" json:"product_name,omitempty"`
	Versions      VersionRange      `cbor:"15,keyasint,omitempty" json:"versions,omitzero"`
	Mode          Mode              `cbor:"16,keyasint" json:"mode"`
	Seats         uint32            `cbor:"17,keyasint,omitempty" json:"seats"`                    // zero only, and always, in mode unlimited
	LeasePeriod   Seconds           `cbor:"18,keyasint,omitempty" json:"lease_period,omitempty"`   // lease length; required for periodic and concurrent
	RenewInterval Seconds           `cbor:"19,keyasint,omitempty" json:"renew_interval,omitempty"` // how often terminals renew; at most LeasePeriod
	Grace         Seconds           `cbor:"20,keyasint,omitempty" json:"grace,omitempty"`          // how long a terminal keeps working past a missed renewal
	Features      map[string]string `cbor:"21,keyasint,omitempty" json:"features,omitempty"`       // name → value
	Constraints   Constraints       `cbor:"22,keyasint,omitempty" json:"constraints,omitzero"`     // not allowed in mode preactivation
	SiteKey       Bytes             `cbor:"23,keyasint,omitempty" json:"site_key,omitempty"`       // encoded cose.PublicKey; absent for vendor-held orders
	ConfirmKey    ConfirmKey        `cbor:"24,keyasint,omitempty" json:"confirm_key,omitzero"`     // absent: no typed confirmation codes
	Manual        bool              `cbor:"25,keyasint,omitempty" json:"manual,omitempty"`         // auto-activation off: only registered or approved terminals
	ReclaimReview bool              `cbor:"26,keyasint,omitempty" json:"reclaim_review,omitempty"` // a reclaim started from the console needs approval
	MaxBorrow     Seconds           `cbor:"27,keyasint,omitempty" json:"max_borrow,omitempty"`     // concurrent only: longest offline checkout
	DeviceTerm    Seconds           `cbor:"28,keyasint,omitempty" json:"device_term,omitempty"`    // preactivation only: validity from each activation

	site keyCache
}

// keyCache holds a public key parsed from an object's bytes, so that
// validating and verifying parse it once.
type keyCache struct {
	raw []byte
	key *cose.PublicKey
}

// get returns the key raw encodes, from the cache when it holds that key.
// With store it fills the cache; validation (on encoding and decoding)
// stores, accessors only read, so that verifying one decoded object from
// several goroutines at once is safe.
func (c *keyCache) get(raw []byte, store bool) (*cose.PublicKey, error) {
	if c.key != nil && bytes.Equal(c.raw, raw) {
		return c.key, nil
	}
	k, err := cose.ParsePublicKey(raw)
	if err != nil {
		return nil, err
	}
	if store {
		c.raw, c.key = bytes.Clone(raw), k
	}
	return k, nil
}

func (*OrderLicense) objectType() Type { return TypeOrder }

// Site returns the site key the order delegates to, or nil for a
// vendor-held order.
func (o *OrderLicense) Site() (*cose.PublicKey, error) {
	if len(o.SiteKey) == 0 {
		return nil, nil
	}
	k, err := o.site.get(o.SiteKey, false)
	if err != nil {
		return nil, fmt.Errorf("codec: order site key: %w", err)
	}
	return k, nil
}

func (o *OrderLicense) validate() error {
	if err := o.Header.validate(TypeOrder); err != nil {
		return err
	}
	if err := checkText("vendor", o.Vendor, MaxText, false); err != nil {
		return err
	}
	if err := checkText("customer", o.Customer, MaxText, true); err != nil {
		return err
	}
	if err := checkText("reference", o.Reference, MaxText, false); err != nil {
		return err
	}
	if o.Product == 0 {
		return invalidf("product is zero")
	}
	if err := checkText("product_name", o.ProductName, MaxText, false); err != nil {
		return err
	}
	if err := checkText("versions.min", o.Versions.Min, 64, false); err != nil {
		return err
	}
	if err := checkText("versions.max", o.Versions.Max, 64, false); err != nil {
		return err
	}
	if !o.Mode.valid() {
		return invalidf("mode %d is not a mode", o.Mode)
	}
	if o.Mode == ModeUnlimited && o.Seats != 0 {
		return invalidf("seats must be absent in mode unlimited, got %d", o.Seats)
	}
	if o.Mode != ModeUnlimited && o.Seats == 0 {
		return invalidf("seats must be at least 1 in mode %s", o.Mode)
	}
	if (o.Mode == ModePeriodic || o.Mode == ModeConcurrent) && o.LeasePeriod == 0 {
		return invalidf("lease_period is required in mode %s", o.Mode)
	}
	if o.RenewInterval != 0 && o.LeasePeriod != 0 && o.RenewInterval > o.LeasePeriod {
		return invalidf("renew_interval %s is longer than lease_period %s", o.RenewInterval, o.LeasePeriod)
	}
	if o.MaxBorrow != 0 && o.Mode != ModeConcurrent {
		return invalidf("max_borrow is only for mode concurrent")
	}
	if o.DeviceTerm != 0 && o.Mode != ModePreactivation {
		return invalidf("device_term is only for mode preactivation")
	}
	if o.Mode == ModePreactivation && !o.Constraints.IsZero() {
		return invalidf("constraints are not allowed in mode preactivation")
	}
	if err := checkFeatures(o.Features); err != nil {
		return err
	}
	for name, list := range map[string][]string{
		"architectures": o.Constraints.Architectures,
		"os_versions":   o.Constraints.OSVersions,
		"serials":       o.Constraints.Serials,
	} {
		if len(list) > MaxConstraints {
			return invalidf("constraints.%s has %d items, at most %d", name, len(list), MaxConstraints)
		}
		for _, s := range list {
			if err := checkText("constraints."+name, s, MaxText, true); err != nil {
				return err
			}
		}
	}
	if len(o.SiteKey) != 0 {
		if _, err := o.site.get(o.SiteKey, true); err != nil {
			return invalidf("site_key: %v", err)
		}
	}
	if o.ConfirmKey.Alg != 0 || len(o.ConfirmKey.Key) != 0 {
		if o.ConfirmKey.Alg == 0 || len(o.ConfirmKey.Key) == 0 || len(o.ConfirmKey.Key) > 256 {
			return invalidf("confirm_key needs an algorithm and a key of 1 to 256 bytes")
		}
	}
	return nil
}

// Component is the hash of one identifying component of a terminal
// (DESIGN section 4).
type Component struct {
	Kind string `cbor:"1,keyasint" json:"kind"` // such as "machine-id", "mac", "disk"
	Hash Bytes  `cbor:"2,keyasint" json:"hash"` // salted hash, 1 to 64 bytes
}

// Binding ties a license to one terminal.
type Binding struct {
	// Digest is a prefix, 8 to 32 bytes, of the SHA-256 of the terminal's
	// birth record; 8 bytes when the request came as a device code.
	Digest Bytes `cbor:"1,keyasint,omitempty" json:"digest,omitempty"`
	// Nonce is the request nonce of the device code or request bundle.
	Nonce uint32 `cbor:"2,keyasint,omitempty" json:"nonce,omitempty"`
	// Policy says how closely today's components must match.
	Policy MatchPolicy `cbor:"3,keyasint,omitempty" json:"policy"`
	// Components are the birth record's component hashes, when known.
	Components []Component `cbor:"4,keyasint,omitempty" json:"components,omitempty"`
	// Instance is the instance id of a container or cloud desktop bound in
	// container identity mode instead of a hardware fingerprint.
	Instance string `cbor:"5,keyasint,omitempty" json:"instance,omitempty"`
}

func (b *Binding) validate() error {
	if len(b.Digest) == 0 && b.Instance == "" {
		return invalidf("binding needs a digest or an instance id")
	}
	if len(b.Digest) != 0 && (len(b.Digest) < 8 || len(b.Digest) > sha256.Size) {
		return invalidf("binding digest is %d bytes, want 8 to 32", len(b.Digest))
	}
	if !b.Policy.valid() {
		return invalidf("binding policy %d is not a policy", b.Policy)
	}
	if err := checkText("binding instance", b.Instance, MaxText, false); err != nil {
		return err
	}
	return checkComponents(b.Components)
}

// DeviceLicense grants one terminal a product. It is signed by a root
// (vendor-direct) or by the site key of the order it draws on.
type DeviceLicense struct {
	Header
	Product     uint16            `cbor:"13,keyasint" json:"product"`
	ProductName string            `cbor:"14,keyasint,omitempty" json:"product_name,omitempty"`
	Features    map[string]string `cbor:"21,keyasint,omitempty" json:"features,omitempty"`
	Order       ID                `cbor:"30,keyasint,omitzero" json:"order,omitzero"` // the order it draws on; zero when none
	Binding     Binding           `cbor:"31,keyasint" json:"binding"`
}

func (*DeviceLicense) objectType() Type { return TypeDevice }

func (d *DeviceLicense) validate() error {
	if err := d.Header.validate(TypeDevice); err != nil {
		return err
	}
	return validateGrant(d.Product, d.ProductName, d.Features, &d.Binding)
}

func validateGrant(product uint16, name string, features map[string]string, b *Binding) error {
	if product == 0 {
		return invalidf("product is zero")
	}
	if err := checkText("product_name", name, MaxText, false); err != nil {
		return err
	}
	if err := checkFeatures(features); err != nil {
		return err
	}
	return b.validate()
}

// Lease is a short-lived device license for periodic and concurrent orders.
// It always has a not_after.
type Lease struct {
	Header
	Product     uint16            `cbor:"13,keyasint" json:"product"`
	ProductName string            `cbor:"14,keyasint,omitempty" json:"product_name,omitempty"`
	Features    map[string]string `cbor:"21,keyasint,omitempty" json:"features,omitempty"`
	Order       ID                `cbor:"30,keyasint,omitzero" json:"order,omitzero"`
	Binding     Binding           `cbor:"31,keyasint" json:"binding"`
	RenewAfter  Timestamp         `cbor:"40,keyasint" json:"renew_after"` // when the terminal should renew
	ServerTime  Timestamp         `cbor:"41,keyasint" json:"server_time"` // the issuing server's clock at issue
}

func (*Lease) objectType() Type { return TypeLease }

func (l *Lease) validate() error {
	if err := l.Header.validate(TypeLease); err != nil {
		return err
	}
	if l.NotAfter == 0 {
		return invalidf("a lease needs not_after")
	}
	if l.RenewAfter <= 0 || l.RenewAfter > l.NotAfter {
		return invalidf("renew_after %s is not in the lease's window", l.RenewAfter)
	}
	if l.ServerTime <= 0 {
		return invalidf("server_time is missing")
	}
	return validateGrant(l.Product, l.ProductName, l.Features, &l.Binding)
}

// LedgerEntry is one record of the site's hash-chained ledger.
type LedgerEntry struct {
	Seq     uint64    `cbor:"1,keyasint" json:"seq"`                      // from 1, without gaps
	At      Timestamp `cbor:"2,keyasint" json:"at"`                       // the site server's clock
	Kind    EntryKind `cbor:"3,keyasint" json:"kind"`                     //
	License ID        `cbor:"4,keyasint,omitzero" json:"license"`         // the device license or lease concerned
	Digest  Bytes     `cbor:"5,keyasint,omitempty" json:"digest"`         // the terminal's binding digest
	Prev    Bytes     `cbor:"6,keyasint,omitempty" json:"prev"`           // Hash of the entry Seq-1; absent for Seq 1
	InUse   uint32    `cbor:"7,keyasint,omitempty" json:"in_use"`         // seats in use after this entry
	Note    string    `cbor:"8,keyasint,omitempty" json:"note,omitempty"` // free text, such as who approved a reclaim
}

// Hash returns the SHA-256 of the entry's deterministic encoding, which the
// next entry carries as Prev.
func (e *LedgerEntry) Hash() [32]byte {
	b, err := encMode.Marshal(e)
	if err != nil {
		// Every field of LedgerEntry has a fixed encodable type.
		panic("codec: encoding ledger entry: " + err.Error())
	}
	return sha256.Sum256(b)
}

func (e *LedgerEntry) validate() error {
	if e.Seq == 0 {
		return invalidf("ledger entry seq is zero")
	}
	if e.At <= 0 {
		return invalidf("ledger entry %d has no time", e.Seq)
	}
	if !e.Kind.valid() {
		return invalidf("ledger entry %d has unknown kind %d", e.Seq, e.Kind)
	}
	if len(e.Digest) != 0 && (len(e.Digest) < 8 || len(e.Digest) > sha256.Size) {
		return invalidf("ledger entry %d digest is %d bytes, want 8 to 32", e.Seq, len(e.Digest))
	}
	if len(e.Prev) != 0 && len(e.Prev) != sha256.Size {
		return invalidf("ledger entry %d prev is %d bytes, want 32", e.Seq, len(e.Prev))
	}
	if e.Seq == 1 && len(e.Prev) != 0 {
		return invalidf("ledger entry 1 has a prev")
	}
	if e.Seq > 1 && len(e.Prev) == 0 {
		return invalidf("ledger entry %d has no prev", e.Seq)
	}
	return checkText("ledger entry note", e.Note, MaxText, false)
}

// UsageReport carries a site's ledger since its last report, signed by the
// site key and chained to the previous report.
type UsageReport struct {
	Header
	Order    ID            `cbor:"30,keyasint" json:"order"`
	Sequence uint64        `cbor:"60,keyasint" json:"sequence"`           // 1 for the first report of an order
	Previous Bytes         `cbor:"61,keyasint,omitempty" json:"previous"` // SHA-256 of the previous signed report; absent for sequence 1
	Entries  []LedgerEntry `cbor:"62,keyasint,omitempty" json:"entries"`  // consecutive, each chained to the one before
}

func (*UsageReport) objectType() Type { return TypeUsageReport }

func (r *UsageReport) validate() error {
	if err := r.Header.validate(TypeUsageReport); err != nil {
		return err
	}
	if r.Order.IsZero() {
		return invalidf("order is zero")
	}
	if r.Sequence == 0 {
		return invalidf("sequence is zero")
	}
	if r.Sequence == 1 && len(r.Previous) != 0 {
		return invalidf("report 1 has a previous report hash")
	}
	if r.Sequence > 1 && len(r.Previous) != sha256.Size {
		return invalidf("report %d needs the 32-byte hash of report %d", r.Sequence, r.Sequence-1)
	}
	if len(r.Entries) > MaxEntries {
		return invalidf("%d ledger entries, at most %d", len(r.Entries), MaxEntries)
	}
	for i := range r.Entries {
		if err := r.Entries[i].validate(); err != nil {
			return err
		}
	}
	return r.CheckChain()
}

// CheckChain checks that the entries are consecutive and each carries the
// hash of the one before. The first entry's Prev refers to the last entry
// of the previous report and is not checked here.
func (r *UsageReport) CheckChain() error {
	for i := 1; i < len(r.Entries); i++ {
		prev, e := &r.Entries[i-1], &r.Entries[i]
		if e.Seq != prev.Seq+1 {
			return invalidf("ledger entry %d follows entry %d: gap or reordering", e.Seq, prev.Seq)
		}
		h := prev.Hash()
		if string(e.Prev) != string(h[:]) {
			return invalidf("ledger entry %d does not chain to entry %d", e.Seq, prev.Seq)
		}
	}
	return nil
}

// ReleaseReceipt is proof that a terminal gave its seat up offline.
type ReleaseReceipt struct {
	Header
	Order   ID    `cbor:"30,keyasint,omitzero" json:"order,omitzero"`
	License ID    `cbor:"70,keyasint" json:"license"`                    // the device license or lease given up
	Digest  Bytes `cbor:"71,keyasint,omitempty" json:"digest,omitempty"` // its binding digest
}

func (*ReleaseReceipt) objectType() Type { return TypeReleaseReceipt }

func (r *ReleaseReceipt) validate() error {
	if err := r.Header.validate(TypeReleaseReceipt); err != nil {
		return err
	}
	if r.License.IsZero() {
		return invalidf("license is zero")
	}
	if len(r.Digest) != 0 && (len(r.Digest) < 8 || len(r.Digest) > sha256.Size) {
		return invalidf("digest is %d bytes, want 8 to 32", len(r.Digest))
	}
	return nil
}

// RequestBundle is what a terminal asks for when a device code is not
// enough: the full birth-record digest, the component hashes, its own key
// and the order it wants to draw on (DESIGN section 5.2).
type RequestBundle struct {
	Header
	Product     uint16      `cbor:"13,keyasint" json:"product"`
	Order       ID          `cbor:"30,keyasint,omitzero" json:"order,omitzero"`          // the requested order; zero when any
	Digest      Bytes       `cbor:"50,keyasint" json:"digest"`                           // SHA-256 of the birth record
	Components  []Component `cbor:"51,keyasint,omitempty" json:"components,omitempty"`   //
	TerminalKey Bytes       `cbor:"52,keyasint,omitempty" json:"terminal_key,omitempty"` // encoded cose.PublicKey of the terminal
	Nonce       uint32      `cbor:"53,keyasint,omitempty" json:"nonce"`                  //
	Instance    string      `cbor:"54,keyasint,omitempty" json:"instance,omitempty"`     // container identity mode

	terminal keyCache
}

// Terminal returns the terminal's public key, or nil when the request
// carries none.
func (r *RequestBundle) Terminal() (*cose.PublicKey, error) {
	if len(r.TerminalKey) == 0 {
		return nil, nil
	}
	k, err := r.terminal.get(r.TerminalKey, false)
	if err != nil {
		return nil, fmt.Errorf("codec: request terminal key: %w", err)
	}
	return k, nil
}

func (*RequestBundle) objectType() Type { return TypeRequest }

func (r *RequestBundle) validate() error {
	if err := r.Header.validate(TypeRequest); err != nil {
		return err
	}
	if r.Product == 0 {
		return invalidf("product is zero")
	}
	if len(r.Digest) != sha256.Size {
		return invalidf("digest is %d bytes, want 32", len(r.Digest))
	}
	if len(r.TerminalKey) != 0 {
		if _, err := r.terminal.get(r.TerminalKey, true); err != nil {
			return invalidf("terminal_key: %v", err)
		}
	}
	if err := checkText("instance", r.Instance, MaxText, false); err != nil {
		return err
	}
	return checkComponents(r.Components)
}

func checkText(field, s string, max int, required bool) error {
	switch {
	case required && s == "":
		return invalidf("%s is empty", field)
	case len(s) > max:
		return invalidf("%s is %d bytes, at most %d", field, len(s), max)
	case !utf8.ValidString(s):
		return invalidf("%s is not UTF-8", field)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalidf("%s contains a control character", field)
		}
	}
	return nil
}

func checkFeatures(f map[string]string) error {
	if len(f) > MaxFeatures {
		return invalidf("%d features, at most %d", len(f), MaxFeatures)
	}
	for k, v := range f {
		if err := checkText("feature name", k, MaxFeatureName, true); err != nil {
			return err
		}
		if err := checkText("feature "+k, v, MaxText, false); err != nil {
			return err
		}
	}
	return nil
}

func checkComponents(cs []Component) error {
	if len(cs) > MaxComponents {
		return invalidf("%d components, at most %d", len(cs), MaxComponents)
	}
	for _, c := range cs {
		if err := checkText("component kind", c.Kind, 64, true); err != nil {
			return err
		}
		if len(c.Hash) == 0 || len(c.Hash) > MaxComponentHash {
			return invalidf("component %s hash is %d bytes, want 1 to %d", c.Kind, len(c.Hash), MaxComponentHash)
		}
	}
	return nil
}
