package agent

import (
	"bytes"
	"fmt"
	"slices"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/codec"
	"licet.dev/licet/fingerprint"
	"licet.dev/licet/internal/hint"
)

// MaxLicenseFile is the largest license file Import reads, armoured text
// included.
const MaxLicenseFile = maxLicenseSize/3*4 + maxLicenseSize/64 + 256

// Imported is the outcome of Import.
type Imported struct {
	LicenseID codec.ID
	Product   uint16
	// Replaced is the id of the license this one replaced, if any.
	Replaced string
	// Already is set when the terminal held this very license already.
	Already bool
	// Status is the terminal's status after the import.
	Status localapi.Status
}

// Import verifies a license file (CBOR or armoured text) against the
// trusted roots, checks that it is for this machine and answers one of its
// requests, and stores it. Errors match ErrUntrusted, ErrInvalid,
// ErrExpired, ErrNotYetValid, ErrWrongMachine, ErrWrongProduct,
// ErrNoRequest, ErrReleased or ErrStateDamaged, and carry a hint (see
// Hint).
func (a *Agent) Import(data []byte) (*Imported, error) {
	if len(data) > MaxLicenseFile {
		return nil, fmt.Errorf("%w: %d bytes, larger than any license a terminal holds (%d)", ErrInvalid, len(data), MaxLicenseFile)
	}
	f, err := codec.ParseFile(data)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: not a Licet license file: %v", ErrInvalid, err),
			"import the .license file the vendor sent, as it came (armoured text or binary)")
	}
	x, err := holdingOf(f)
	if err != nil {
		return nil, err
	}
	cbor := f.Marshal()
	if len(cbor) > maxLicenseSize {
		return nil, fmt.Errorf("%w: %d bytes, larger than any license a terminal holds (%d)", ErrInvalid, len(cbor), maxLicenseSize)
	}
	rec, err := a.readRecord()
	if err != nil {
		return nil, err
	}
	now, eff, err := a.times()
	if err != nil {
		return nil, err
	}
	if at, ok := rec.releasedAt(x.id); ok {
		return nil, hintf(ErrReleased, "ask the vendor or the site administrator for a new license",
			"license %s was released on this terminal at %s and cannot be used again", x.id, stamp(at))
	}

	// Signatures and chain first: nothing about an untrusted file is
	// believed.
	x.verify(a.roots, eff)
	if x.verifyErr != nil {
		return nil, x.verifyErr
	}
	if s := x.start(); eff.Before(s) {
		return nil, hintf(ErrNotYetValid, "if the system clock is wrong, set it right; otherwise import the license when it starts",
			"license %s starts at %s; the trusted time is %s", x.id, stamp(s), stamp(eff))
	}
	if e := x.end(); !e.IsZero() && !eff.Before(e.Add(x.grace)) {
		return nil, hintf(ErrExpired, "ask the vendor or the site administrator for a new license",
			"license %s expired at %s", x.id, stamp(e))
	}

	var cur *holding
	if rec.License != nil {
		cur, _ = parseHeld(rec.License)
	}
	if cur != nil && cur.id == x.id {
		res := &Imported{LicenseID: x.id, Product: x.product, Already: true}
		res.Status = a.Status()
		return res, nil
	}

	// Product: the license must be for a product this terminal asked for
	// or holds.
	products := rec.products()
	if cur != nil && !slices.Contains(products, cur.product) {
		products = append(products, cur.product)
	}
	if len(products) > 0 && !slices.Contains(products, x.product) {
		return nil, hintf(ErrWrongProduct, fmt.Sprintf("ask for a license of product %d, or run 'licetd request --product %d' first", products[len(products)-1], x.product),
			"license %s is for product %d; this terminal asked for product %s", x.id, x.product, productList(products))
	}
	if cur != nil && cur.product != x.product {
		return nil, hintf(ErrWrongProduct, "run 'licetd release' first to give up the license held",
			"this terminal holds license %s for product %d; license %s is for product %d", cur.id, cur.product, x.id, x.product)
	}

	// Binding: which request (or which birth record) the license answers.
	snap, err := a.collect(productSalt(x.product))
	if err != nil {
		return nil, err
	}
	birth, used, err := a.answered(x, rec, cur, snap)
	if err != nil {
		return nil, err
	}
	x.birth = birth
	x.bind(snap, a.cfg.InstanceID)
	if x.bindErr != nil {
		msg := x.bindErr.Error()
		if x.match != nil {
			msg = x.match.String()
		}
		return nil, hint.Wrap(fmt.Errorf("%w: license %s: %s", ErrWrongMachine, x.id, msg),
			"the license was made for another machine, or this machine changed too much since the request; make a new request with 'licetd request'")
	}
	if cur != nil && cur.head.IssuedAt > x.head.IssuedAt && cur.usable(a.roots, eff) {
		return nil, hintf(ErrInvalid, "import the newest license",
			"license %s was issued at %s, before the license held (%s, issued %s)", x.id, stamp(x.head.IssuedAt.Time()), cur.id, stamp(cur.head.IssuedAt.Time()))
	}

	birthBytes, err := birth.MarshalBinary()
	if err != nil {
		return nil, err
	}
	res := &Imported{LicenseID: x.id, Product: x.product}
	if cur != nil {
		res.Replaced = cur.id.String()
	}
	rec.License = &held{File: cbor, Birth: birthBytes, Imported: now.Unix()}
	if used >= 0 {
		rec.Requests = slices.Delete(rec.Requests, used, used+1)
	}
	if err := a.writeRecord(rec); err != nil {
		return nil, err
	}
	if err := a.dropClassical(); err != nil { // the full license replaces an activation by code
		return nil, err
	}
	if _, err := a.dir.AdvanceClock(later(now, x.issued)); err != nil {
		return nil, a.stateErr(err)
	}
	res.Status = a.Status()
	return res, nil
}

// answered finds the birth record a license is bound to: that of a pending
// request with the license's digest and nonce, that of the license held
// (a renewal), or, for a binding without a nonce, the machine as it is.
// It returns the index of the request used, or -1.
func (a *Agent) answered(x *holding, rec *record, held *holding, snap *fingerprint.Snapshot) (*fingerprint.Record, int, error) {
	b := &x.binding
	matches := func(birth []byte) (*fingerprint.Record, bool) {
		r, err := fingerprint.ParseRecord(birth)
		if err != nil {
			return nil, false
		}
		d := r.Digest()
		if len(b.Digest) == 0 {
			return r, b.Instance != ""
		}
		return r, bytes.HasPrefix(d[:], b.Digest)
	}
	sameDigest := false
	for i := len(rec.Requests) - 1; i >= 0; i-- {
		q := &rec.Requests[i]
		if q.Product != x.product {
			continue
		}
		r, ok := matches(q.Birth)
		if !ok {
			continue
		}
		sameDigest = true
		if b.Nonce == 0 || b.Nonce == q.Nonce {
			return r, i, nil
		}
	}
	if held != nil && held.product == x.product && b.Nonce == held.binding.Nonce {
		if r, ok := matches(mustBirth(held)); ok {
			return r, -1, nil
		}
	}
	now, err := snap.Record()
	if err != nil {
		return nil, -1, err
	}
	d := now.Digest()
	mine := len(b.Digest) > 0 && bytes.HasPrefix(d[:], b.Digest) || len(b.Digest) == 0 && b.Instance != ""
	switch {
	case mine && b.Nonce == 0:
		return now, -1, nil
	case mine || sameDigest:
		return nil, -1, hintf(ErrNoRequest, "make a new request with 'licetd request' and ask for a license for its device code",
			"license %s answers request nonce %d, which this terminal did not make or has already used", x.id, b.Nonce)
	}
	have := fmt.Sprintf("%x", d[:max(len(b.Digest), 8)])
	return nil, -1, hintf(ErrWrongMachine, "the license was made for another terminal's device code; check the code that was sent to the vendor, or make a new request with 'licetd request'",
		"license %s is bound to device digest %x; this terminal's is %s", x.id, []byte(b.Digest), have)
}

func mustBirth(x *holding) []byte {
	b, err := x.birth.MarshalBinary()
	if err != nil {
		return nil
	}
	return b
}

func productList(ps []uint16) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += " or "
		}
		s += fmt.Sprint(p)
	}
	return s
}
