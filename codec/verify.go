package codec

import (
	"errors"
	"fmt"
	"time"

	"licet.dev/licet/codec/cose"
)

// Verifier checks files against trusted roots at a given instant.
type Verifier struct {
	// Roots are the trusted vendor root keys; a signature names its key by
	// id, so several roots may be trusted at once while keys rotate.
	Roots []*cose.PublicKey
	// Now is the instant at which validity windows are checked. It must be
	// set: the package never reads the clock.
	Now time.Time
}

// Result is what a verified file grants.
type Result struct {
	// Leaf is the object the file is about: its last link.
	Leaf Object
	// Order is the order license of the chain: the leaf itself when the
	// file holds only an order, the first link when a site key signed the
	// leaf, and nil for an object a root signed directly.
	Order *OrderLicense
	// Root is the trusted key that anchors the chain.
	Root *cose.PublicKey
	// Signer is the key that signed the leaf: Root, or the order's site key.
	Signer *cose.PublicKey
}

// VerifyBytes parses b as a file (CBOR or armoured text) and verifies it.
func (v *Verifier) VerifyBytes(b []byte) (*Result, error) {
	f, err := ParseFile(b)
	if err != nil {
		return nil, err
	}
	return v.Verify(f)
}

// Verify checks every signature of f and every rule between its links at
// v.Now. It returns a *VerifyError naming the failing link and wrapping one
// of ErrUntrustedKey, ErrBadSignature, ErrExpired, ErrNotYetValid,
// ErrDelegation, ErrWrongProduct or ErrChain.
//
// The rules: the first link must be signed by a root. One link alone must
// be an order license, a device license or a lease. Two links must be an
// order license with a site key, then a device license, lease, usage report
// or release receipt signed by that site key and within the order's
// delegation (see checkDelegation). Every object must be within its
// validity window at v.Now, and so must the order of a device license or
// lease; usage reports and release receipts may come after their order
// ended.
func (v *Verifier) Verify(f *File) (*Result, error) {
	if v.Now.IsZero() {
		return nil, errors.New("codec: verifier has no time to verify at")
	}
	if f == nil || len(f.Links) == 0 || len(f.Links) > maxChainLength {
		return nil, &VerifyError{Reason: ErrChain, Detail: "a file holds one or two signed objects"}
	}
	now := At(v.Now)
	first := &f.Links[0]
	fail := func(i int, reason error, err error, format string, args ...any) error {
		l := &f.Links[i]
		return &VerifyError{Link: i, Type: l.Object.objectType(), ID: l.Object.head().ID,
			Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
	}

	root, err := verifyByRoot(first, v.Roots)
	var rule *ruleError
	if errors.As(err, &rule) {
		return nil, fail(0, rule.reason, nil, "%s", rule.msg)
	} else if err != nil {
		return nil, fail(0, reasonOf(err), err, "signature")
	}
	res := &Result{Leaf: f.Leaf().Object, Root: root, Signer: root}

	if len(f.Links) == 1 {
		switch o := first.Object.(type) {
		case *OrderLicense:
			res.Order = o
		case *DeviceLicense, *Lease:
		case *UsageReport, *ReleaseReceipt:
			return nil, fail(0, ErrChain, nil, "a %s is signed by a site key and travels after its order", o.objectType().Name())
		default:
			return nil, fail(0, ErrChain, nil, "a %s is not verified against roots", o.objectType().Name())
		}
		if err := checkWindow(first.Object, now); err != nil {
			return nil, fail(0, reasonOf(err), nil, "%v", err)
		}
		return res, nil
	}

	order, ok := first.Object.(*OrderLicense)
	if !ok {
		return nil, fail(0, ErrChain, nil, "the first of two links must be an order license, not a %s", first.Object.objectType().Name())
	}
	res.Order = order
	site, err := order.Site()
	if err != nil {
		return nil, fail(0, ErrDelegation, err, "site key")
	}
	if site == nil {
		return nil, fail(1, ErrDelegation, nil, "order %s is vendor-held and delegates to no site key", order.ID)
	}
	leaf := f.Leaf()
	switch leaf.Object.(type) {
	case *DeviceLicense, *Lease:
		if err := checkWindow(order, now); err != nil {
			return nil, fail(0, reasonOf(err), nil, "%v", err)
		}
	case *UsageReport, *ReleaseReceipt:
	default:
		return nil, fail(1, ErrChain, nil, "a site key may not sign a %s", leaf.Object.objectType().Name())
	}
	if leaf.Message.KeyID != site.ID() {
		return nil, fail(1, ErrUntrustedKey, nil, "signed by key %s, but order %s delegates to site key %s", leaf.Message.KeyID, order.ID, site.ID())
	}
	if err := leaf.Message.Verify(site); err != nil {
		return nil, fail(1, reasonOf(err), err, "signature")
	}
	res.Signer = site
	if err := checkDelegation(order, leaf.Object); err != nil {
		return nil, fail(1, reasonOf(err), nil, "%v", err)
	}
	if err := checkWindow(leaf.Object, now); err != nil {
		return nil, fail(1, reasonOf(err), nil, "%v", err)
	}
	return res, nil
}

// verifyByRoot verifies l's signature with the root it names and returns
// that root.
func verifyByRoot(l *Link, roots []*cose.PublicKey) (*cose.PublicKey, error) {
	for _, k := range roots {
		if k != nil && k.ID() == l.Message.KeyID {
			if err := l.Message.Verify(k); err != nil {
				return nil, err
			}
			return k, nil
		}
	}
	return nil, rulef(ErrUntrustedKey, "signed by key %s, which is not a trusted root", l.Message.KeyID)
}

// reasonOf maps an error from cose or from the rules below to the
// verification sentinel it stands for.
func reasonOf(err error) error {
	for _, s := range []error{ErrUntrustedKey, ErrBadSignature, ErrExpired, ErrNotYetValid, ErrDelegation, ErrWrongProduct, ErrChain} {
		if errors.Is(err, s) {
			return s
		}
	}
	if errors.Is(err, cose.ErrUnknownKey) {
		return ErrUntrustedKey
	}
	return ErrBadSignature // cose.ErrBadSignature, cose.ErrAlgorithm, cose.ErrMalformed
}

// ruleError is a broken rule with its sentinel.
type ruleError struct {
	reason error
	msg    string
}

func (e *ruleError) Error() string { return e.msg }
func (e *ruleError) Unwrap() error { return e.reason }

func rulef(reason error, format string, args ...any) error {
	return &ruleError{reason: reason, msg: fmt.Sprintf(format, args...)}
}

func checkWindow(o Object, now Timestamp) error {
	h := o.head()
	switch {
	case h.NotBefore != 0 && now < h.NotBefore:
		return rulef(ErrNotYetValid, "not valid before %s", h.NotBefore)
	case h.NotAfter != 0 && now >= h.NotAfter:
		return rulef(ErrExpired, "expired at %s", h.NotAfter)
	}
	return nil
}

// start returns when an object's validity starts: not_before, or issued_at
// when it has none.
func start(h *Header) Timestamp {
	if h.NotBefore != 0 {
		return h.NotBefore
	}
	return h.IssuedAt
}

// checkDelegation checks that a site key signed leaf within what its order
// allows:
//   - the leaf names the order, and is issued within the order's window;
//   - a device license or lease is for the order's product, with features
//     the order has at the same values, starting no earlier and ending no
//     later than the order;
//   - the kind of grant fits the mode: permanent and preactivation give
//     device licenses, periodic and concurrent give leases, unlimited gives
//     either; a lease lasts at most the lease period (or the longest borrow
//     in mode concurrent), a preactivated device license at most the device
//     term;
//   - a usage report never shows more seats in use than the order has.
func checkDelegation(order *OrderLicense, leaf Object) error {
	h := leaf.head()
	if h.IssuedAt < order.IssuedAt || !order.ValidAt(h.IssuedAt) {
		return rulef(ErrDelegation, "issued at %s, outside order %s's window", h.IssuedAt, order.ID)
	}
	switch o := leaf.(type) {
	case *DeviceLicense:
		if order.Mode == ModePeriodic || order.Mode == ModeConcurrent {
			return rulef(ErrDelegation, "mode %s grants leases, not device licenses", order.Mode)
		}
		if err := checkGrant(order, o.Order, o.Product, o.Features, h); err != nil {
			return err
		}
		if order.Mode == ModePreactivation && order.DeviceTerm != 0 {
			if h.NotAfter == 0 || h.NotAfter-start(h) > Timestamp(order.DeviceTerm) {
				return rulef(ErrDelegation, "valid for longer than the order's device term of %s", order.DeviceTerm)
			}
		}
	case *Lease:
		if order.Mode == ModePermanent || order.Mode == ModePreactivation {
			return rulef(ErrDelegation, "mode %s grants device licenses, not leases", order.Mode)
		}
		if err := checkGrant(order, o.Order, o.Product, o.Features, h); err != nil {
			return err
		}
		limit := order.LeasePeriod
		if order.Mode == ModeConcurrent {
			limit = max(limit, order.MaxBorrow)
		}
		if limit != 0 && h.NotAfter-start(h) > Timestamp(limit) {
			return rulef(ErrDelegation, "lease of %s is longer than the order allows (%s)", Seconds(h.NotAfter-start(h)), limit)
		}
	case *UsageReport:
		if o.Order != order.ID {
			return rulef(ErrDelegation, "reports on order %s, not %s", o.Order, order.ID)
		}
		if order.Mode != ModeUnlimited {
			for _, e := range o.Entries {
				if e.InUse > order.Seats {
					return rulef(ErrDelegation, "ledger entry %d shows %d seats in use, the order has %d", e.Seq, e.InUse, order.Seats)
				}
			}
		}
	case *ReleaseReceipt:
		if o.Order != order.ID {
			return rulef(ErrDelegation, "releases a seat of order %s, not %s", o.Order, order.ID)
		}
	}
	return nil
}

func checkGrant(order *OrderLicense, drawsOn ID, product uint16, features map[string]string, h *Header) error {
	if drawsOn != order.ID {
		return rulef(ErrDelegation, "draws on order %s, not %s", drawsOn, order.ID)
	}
	if product != order.Product {
		return rulef(ErrWrongProduct, "for product %d, the order is for product %d", product, order.Product)
	}
	for name, val := range features {
		ov, ok := order.Features[name]
		if !ok {
			return rulef(ErrDelegation, "feature %q is not in the order", name)
		}
		if ov != val {
			return rulef(ErrDelegation, "feature %q is %q, the order grants %q", name, val, ov)
		}
	}
	if order.NotBefore != 0 && start(h) < order.NotBefore {
		return rulef(ErrDelegation, "starts at %s, before the order's not_before %s", start(h), order.NotBefore)
	}
	if order.NotAfter != 0 && h.NotAfter == 0 {
		return rulef(ErrDelegation, "has no end, the order ends at %s", order.NotAfter)
	}
	if order.NotAfter != 0 && h.NotAfter > order.NotAfter {
		return rulef(ErrDelegation, "ends at %s, after the order's not_after %s", h.NotAfter, order.NotAfter)
	}
	return nil
}
