package agent

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
	"licet.dev/licet/fingerprint"
	"licet.dev/licet/internal/hint"
)

// Activation by a typed confirmation code (DESIGN section 5.3). The order
// license reaches the terminal beforehand (ImportOrder); the vendor turns
// the terminal's device code into an 80-character confirmation code, a
// classical signature with the key the order names; Confirm checks it and
// keeps the activation, marked classical, until a full license (hybrid
// post-quantum signatures) replaces it through Import.

// confirmName is the state file that holds the orders imported for
// confirmation codes and the classical activation.
const confirmName = "confirm"

// maxOrders is how many orders the terminal keeps for confirmation codes;
// importing more drops the oldest.
const maxOrders = 16

// More outcomes callers branch on.
var (
	// ErrNoOrder means no imported order can verify confirmation codes
	// for the product asked about.
	ErrNoOrder = errors.New("agent: no order for confirmation codes")
	// ErrBadCode means a confirmation code does not verify for any pending
	// request and imported order of this terminal.
	ErrBadCode = errors.New("agent: confirmation code not accepted")
)

// confirmRecord is what the terminal keeps in STATE/confirm, a CBOR map in
// RFC 8949 core deterministic encoding:
//
//	{1: 1,                        ; format version
//	 2: [order file, ...],        ; orders imported, codec CBOR, oldest first (absent: none)
//	 3: classical}                ; the classical activation (absent: none)
//	classical = {1: order id (16 bytes), 2: confirmation code (canonical text),
//	             3: product, 4: request nonce, 5: birth record, 6: confirmed (Unix seconds)}
type confirmRecord struct {
	Version   uint64     `cbor:"1,keyasint"`
	Orders    [][]byte   `cbor:"2,keyasint,omitempty"`
	Classical *classical `cbor:"3,keyasint,omitempty"`
}

type classical struct {
	Order     []byte `cbor:"1,keyasint"`
	Code      string `cbor:"2,keyasint"`
	Product   uint16 `cbor:"3,keyasint"`
	Nonce     uint32 `cbor:"4,keyasint"`
	Birth     []byte `cbor:"5,keyasint"`
	Confirmed int64  `cbor:"6,keyasint"`
}

func (r *confirmRecord) check() error {
	if r.Version != recordVersion {
		return recordErr("confirm: unsupported version %d", r.Version)
	}
	if len(r.Orders) > maxOrders {
		return recordErr("confirm: %d orders, at most %d", len(r.Orders), maxOrders)
	}
	for i, b := range r.Orders {
		if len(b) > maxLicenseSize {
			return recordErr("confirm: order %d of %d bytes", i+1, len(b))
		}
		if _, _, err := orderOfFile(b); err != nil {
			return recordErr("confirm: order %d: %v", i+1, err)
		}
	}
	if c := r.Classical; c != nil {
		var code confirm.Code
		switch {
		case len(c.Order) != codec.IDSize:
			return recordErr("confirm: classical activation: order id of %d bytes", len(c.Order))
		case c.Product == 0 || c.Nonce == 0 || c.Nonce > devcode.MaxNonce || c.Confirmed <= 0:
			return recordErr("confirm: classical activation: product %d, nonce %d, time %d", c.Product, c.Nonce, c.Confirmed)
		case code.UnmarshalText([]byte(c.Code)) != nil || code.String() != c.Code:
			return recordErr("confirm: classical activation: the code is not canonical")
		}
		if _, err := fingerprint.ParseRecord(c.Birth); err != nil {
			return recordErr("confirm: classical activation: birth record: %v", err)
		}
	}
	return nil
}

func encodeConfirm(r *confirmRecord) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return recEnc.Marshal(r)
}

// decodeConfirm accepts only the canonical encoding of a valid record.
func decodeConfirm(b []byte) (*confirmRecord, error) {
	var r confirmRecord
	if err := recDec.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: confirm: %v", errRecord, err)
	}
	again, err := encodeConfirm(&r)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, recordErr("confirm: not in canonical encoding")
	}
	return &r, nil
}

func (a *Agent) readConfirm() (*confirmRecord, error) {
	b, err := a.dir.Get(confirmName)
	if errors.Is(err, fs.ErrNotExist) {
		return &confirmRecord{Version: recordVersion}, nil
	}
	if err != nil {
		return nil, a.stateErr(err)
	}
	r, err := decodeConfirm(b)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: %s/%s: %v", ErrStateDamaged, a.cfg.State, confirmName, err),
			"run 'licetd reset' to discard the damaged files; import the order again")
	}
	return r, nil
}

func (a *Agent) writeConfirm(r *confirmRecord) error {
	if r.Classical == nil && len(r.Orders) == 0 {
		if err := a.dir.Delete(confirmName); err != nil {
			return a.stateErr(err)
		}
		return nil
	}
	b, err := encodeConfirm(r)
	if err != nil {
		return err
	}
	if err := a.dir.Put(confirmName, b); err != nil {
		return a.stateErr(err)
	}
	return nil
}

// orderOfFile parses a file that must hold exactly one order license, and
// returns the file and the order.
func orderOfFile(b []byte) (*codec.File, *codec.OrderLicense, error) {
	f, err := codec.ParseFile(b)
	if err != nil {
		return nil, nil, err
	}
	if len(f.Links) != 1 {
		return nil, nil, fmt.Errorf("a file of %d signed objects, not an order license alone", len(f.Links))
	}
	o, ok := f.Links[0].Object.(*codec.OrderLicense)
	if !ok {
		return nil, nil, fmt.Errorf("a %s, not an order license", codec.TypeOf(f.Links[0].Object).Name())
	}
	return f, o, nil
}

// heldOrder finds the order with the given id among the orders kept
// (codec CBOR files); nil when none is.
func heldOrder(orders [][]byte, id []byte) (*codec.File, *codec.OrderLicense) {
	for _, b := range orders {
		if f, o, err := orderOfFile(b); err == nil && bytes.Equal(o.ID[:], id) {
			return f, o
		}
	}
	return nil, nil
}

// IsOrderFile reports whether data is a file that holds an order license
// alone, which ImportOrder takes and Import does not.
func IsOrderFile(data []byte) bool {
	_, _, err := orderOfFile(data)
	return err == nil
}

// verifyOrder verifies an order file against the roots at the instant
// nearest to t inside the order's window, so that a caller judges the
// window itself.
func (a *Agent) verifyOrder(f *codec.File, order *codec.OrderLicense, t time.Time) (*codec.Result, error) {
	if len(a.roots) == 0 {
		return nil, errNoRoots
	}
	if s := confirm.OrderStart(order).Time(); t.Before(s) {
		t = s
	}
	if order.NotAfter != 0 && !t.Before(order.NotAfter.Time()) {
		t = order.NotAfter.Time().Add(-time.Second)
	}
	v := codec.Verifier{Roots: a.roots, Now: t}
	res, err := v.Verify(f)
	if err != nil {
		return nil, verifyErr(err)
	}
	return res, nil
}

// ImportedOrder is the outcome of ImportOrder.
type ImportedOrder struct {
	Order    codec.ID
	Product  uint16
	Customer string
	Mode     codec.Mode
	NotAfter time.Time // zero: no end
	// Already is set when the terminal held this very order already.
	Already bool
	// Orders is the number of orders held after the import.
	Orders int
}

// ImportOrder verifies an order license file (CBOR or armoured text, the
// order alone, signed by a trusted root) and keeps it, so that
// confirmation codes made under it can activate the terminal later. The
// order must name a confirmation key and be valid at the trusted time. An
// order with the same id replaces the one held. Errors match ErrInvalid,
// ErrUntrusted, ErrExpired, ErrNotYetValid, ErrNoOrder or ErrStateDamaged.
func (a *Agent) ImportOrder(data []byte) (*ImportedOrder, error) {
	if len(data) > MaxLicenseFile {
		return nil, fmt.Errorf("%w: %d bytes, larger than any order a terminal holds (%d)", ErrInvalid, len(data), MaxLicenseFile)
	}
	f, order, err := orderOfFile(data)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: not an order license file: %v", ErrInvalid, err),
			"import the order's .license file as the vendor issued it")
	}
	cbor := f.Marshal()
	if len(cbor) > maxLicenseSize {
		return nil, fmt.Errorf("%w: %d bytes, larger than any order a terminal holds (%d)", ErrInvalid, len(cbor), maxLicenseSize)
	}
	now, eff, err := a.times()
	if err != nil {
		return nil, err
	}
	if _, err := a.verifyOrder(f, order, eff); err != nil {
		return nil, err
	}
	switch s := confirm.OrderStart(order).Time(); {
	case order.NotBefore != 0 && eff.Before(s):
		return nil, hintf(ErrNotYetValid, "import the order when it starts, or check the system clock",
			"order %s starts at %s; the trusted time is %s", order.ID, stamp(s), stamp(eff))
	case order.NotAfter != 0 && !eff.Before(order.NotAfter.Time()):
		return nil, hintf(ErrExpired, "ask the vendor for the order's renewal",
			"order %s ended at %s", order.ID, stamp(order.NotAfter.Time()))
	}
	if _, err := confirm.KeyOf(order); err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: %v", ErrNoOrder, err),
			"the order cannot verify confirmation codes; ask the vendor for one issued with 'licet issue order --confirm', or for a device license")
	}
	cr, err := a.readConfirm()
	if err != nil {
		return nil, err
	}
	res := &ImportedOrder{Order: order.ID, Product: order.Product, Customer: order.Customer, Mode: order.Mode}
	if order.NotAfter != 0 {
		res.NotAfter = order.NotAfter.Time()
	}
	i := slices.IndexFunc(cr.Orders, func(b []byte) bool {
		_, o, err := orderOfFile(b)
		return err == nil && o.ID == order.ID
	})
	switch {
	case i >= 0 && bytes.Equal(cr.Orders[i], cbor):
		res.Already = true
	case i >= 0:
		cr.Orders[i] = cbor
	default:
		cr.Orders = append(cr.Orders, cbor)
		// Drop the oldest, but never the order of the classical activation.
		for j := 0; len(cr.Orders) > maxOrders; j++ {
			if c := cr.Classical; c != nil {
				if _, o, err := orderOfFile(cr.Orders[j]); err == nil && bytes.Equal(o.ID[:], c.Order) {
					continue
				}
			}
			cr.Orders = slices.Delete(cr.Orders, j, j+1)
			j--
		}
	}
	res.Orders = len(cr.Orders)
	if !res.Already {
		if err := a.writeConfirm(cr); err != nil {
			return nil, err
		}
	}
	if _, err := a.dir.AdvanceClock(later(now, order.IssuedAt.Time())); err != nil {
		return nil, a.stateErr(err)
	}
	return res, nil
}

// HeldOrder describes an order kept for confirmation codes.
type HeldOrder struct {
	Order    codec.ID
	Product  uint16
	Customer string
	NotAfter time.Time
}

// Orders lists the orders kept for confirmation codes, oldest first.
func (a *Agent) Orders() ([]HeldOrder, error) {
	cr, err := a.readConfirm()
	if err != nil {
		return nil, err
	}
	var out []HeldOrder
	for _, b := range cr.Orders {
		_, o, err := orderOfFile(b)
		if err != nil {
			continue
		}
		h := HeldOrder{Order: o.ID, Product: o.Product, Customer: o.Customer}
		if o.NotAfter != 0 {
			h.NotAfter = o.NotAfter.Time()
		}
		out = append(out, h)
	}
	return out, nil
}

// Confirmed is the outcome of Confirm.
type Confirmed struct {
	LicenseID  codec.ID
	Product    uint16
	Order      codec.ID
	DeviceCode string
	NotAfter   time.Time // zero: no end
	// Corrections lists the characters of the typed code that were
	// corrected.
	Corrections []devcode.Correction
	// Replaced is the id of an expired or unusable license this
	// activation replaced, if any.
	Replaced string
	// Status is the terminal's status afterwards.
	Status localapi.Status
}

// Confirm activates the terminal with a typed confirmation code: the code
// must verify, under the confirmation key of an imported order, for the
// device code of one of the terminal's pending requests. The activation is
// kept as classical (Status.Classical) until a full license replaces it;
// the request stays pending for that license. A terminal that holds a
// usable full license refuses. Errors match ErrBadCode, ErrNoOrder,
// ErrNoRequest, ErrReleased, ErrExpired, ErrWrongMachine, ErrInvalid or
// ErrStateDamaged and carry a hint.
func (a *Agent) Confirm(text string) (*Confirmed, error) {
	p, err := confirm.Parse(text)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: %v", ErrBadCode, err),
			"type the code again as the vendor gave it; one wrong character in each of characters 1-30, 31-55 and 56-80 is corrected")
	}
	rec, err := a.readRecord()
	if err != nil {
		return nil, err
	}
	cr, err := a.readConfirm()
	if err != nil {
		return nil, err
	}
	now, eff, err := a.times()
	if err != nil {
		return nil, err
	}
	var replaced string
	if rec.License != nil {
		if cur, err := parseHeld(rec.License); err == nil {
			if cur.usable(a.roots, eff) {
				return nil, hintf(ErrInvalid, "'licetd status' shows the license held; 'licetd release' gives it up first",
					"the terminal holds license %s already", cur.id)
			}
			replaced = cur.id.String()
		}
	}
	if len(rec.Requests) == 0 {
		return nil, hint.Wrap(fmt.Errorf("%w: the terminal has no pending request for a confirmation code to answer", ErrNoRequest),
			"run 'licetd request --product ID', read the device code to the vendor, and type the code they give back")
	}

	// Every pending request against every order of its product: the code
	// verifies for one pair at most.
	type orderOf struct {
		file  *codec.File
		order *codec.OrderLicense
		err   error
	}
	var orders []orderOf
	for _, b := range cr.Orders {
		f, o, err := orderOfFile(b)
		if err != nil {
			continue
		}
		_, verr := a.verifyOrder(f, o, eff)
		orders = append(orders, orderOf{file: f, order: o, err: verr})
	}
	var (
		grant   *confirm.Grant
		q       *request
		tried   int
		lastErr error
	)
	for i := len(rec.Requests) - 1; i >= 0 && grant == nil; i-- {
		r := &rec.Requests[i]
		device, err := r.deviceCode()
		if err != nil {
			continue
		}
		for _, o := range orders {
			if o.order.Product != r.Product {
				continue
			}
			tried++
			g, err := confirm.Verify(o.order, device, p.Code)
			if err != nil {
				if lastErr == nil || !errors.Is(err, confirm.ErrBadSignature) {
					lastErr = err
				}
				continue
			}
			if o.err != nil {
				return nil, o.err
			}
			grant, q = g, r
			break
		}
	}
	if grant == nil {
		switch {
		case tried == 0:
			return nil, hint.Wrap(fmt.Errorf("%w: no imported order is for the product of a pending request (%s)", ErrNoOrder, "product "+productList(rec.products())),
				"import the order license first with 'licetd import ORDER.license', then type the code again")
		case errors.Is(lastErr, confirm.ErrBadSignature):
			return nil, hint.Wrap(fmt.Errorf("%w: it does not verify for this terminal's pending request and the imported orders", ErrBadCode),
				"check that the vendor made it for the device code that 'licetd status' shows as pending, and type it again")
		}
		return nil, hint.Wrap(fmt.Errorf("%w: %v", ErrBadCode, lastErr), "ask the vendor for a new code")
	}
	order := grant.Order
	id := grant.LicenseID()
	if at, ok := rec.releasedAt(id); ok {
		return nil, hintf(ErrReleased, "make a new request with 'licetd request --new' and ask for a new code",
			"the activation by this code was released on this terminal at %s and cannot be used again", stamp(at))
	}
	if grant.NotAfter != 0 && !eff.Before(grant.NotAfter.Time()) {
		return nil, hintf(ErrExpired, "ask the vendor for a new code", "the code granted use until %s", stamp(grant.NotAfter.Time()))
	}

	// The machine must still be the one that made the request.
	birth, _ := fingerprint.ParseRecord(q.Birth)
	lic, err := grant.License(codec.At(now))
	if err != nil {
		return nil, err
	}
	x := &holding{binding: lic.Binding, birth: birth}
	snap, err := a.collect(productSalt(q.Product))
	if err != nil {
		return nil, err
	}
	x.bind(snap, a.cfg.InstanceID)
	if x.bindErr != nil {
		return nil, hint.Wrap(x.bindErr, "this machine changed too much since the request; make a new request with 'licetd request --new'")
	}

	cr.Classical = &classical{Order: bytes.Clone(order.ID[:]), Code: p.Code.String(), Product: q.Product, Nonce: q.Nonce,
		Birth: bytes.Clone(q.Birth), Confirmed: now.Unix()}
	if err := a.writeConfirm(cr); err != nil {
		return nil, err
	}
	if replaced != "" {
		rec.License = nil
		if err := a.writeRecord(rec); err != nil {
			return nil, err
		}
	}
	if _, err := a.dir.AdvanceClock(later(now, order.IssuedAt.Time())); err != nil {
		return nil, a.stateErr(err)
	}
	res := &Confirmed{LicenseID: id, Product: q.Product, Order: order.ID, DeviceCode: grant.Device.String(),
		Corrections: p.Corrections, Replaced: replaced}
	if grant.NotAfter != 0 {
		res.NotAfter = grant.NotAfter.Time()
	}
	res.Status = a.Status()
	return res, nil
}

// loadClassical fills v.held with the classical activation when the
// terminal holds no full license: the order verified against the roots,
// the code verified under the order's confirmation key for the device code
// of the request it answered, and the machine matched against that
// request's birth record.
func (a *Agent) loadClassical(v *view, now time.Time) {
	cr, err := a.readConfirm()
	if err != nil {
		v.recErr = err
		return
	}
	c := cr.Classical
	if c == nil {
		return
	}
	x, err := a.classicalHolding(cr, c, later(now, v.mark))
	if err != nil {
		v.recErr = hint.Wrap(fmt.Errorf("%w: the classical activation kept in the state does not read: %v", ErrStateDamaged, err),
			"import the order license again with 'licetd import ORDER.license'")
		return
	}
	v.held = x
	if x.issued.After(v.mark) {
		v.mark = x.issued
	}
	snap, err := a.collect(productSalt(x.product))
	if err != nil {
		x.bindErr = err
		return
	}
	v.snap = snap
	x.bind(snap, a.cfg.InstanceID)
}

// classicalHolding rebuilds the license of a classical activation and
// checks it at t. Problems with signatures are left in verifyErr, as for a
// license file; the error is for a record that cannot be read at all.
func (a *Agent) classicalHolding(cr *confirmRecord, c *classical, t time.Time) (*holding, error) {
	birth, err := fingerprint.ParseRecord(c.Birth)
	if err != nil {
		return nil, err
	}
	var code confirm.Code
	if err := code.UnmarshalText([]byte(c.Code)); err != nil {
		return nil, err
	}
	f, order := heldOrder(cr.Orders, c.Order)
	if f == nil {
		return nil, fmt.Errorf("order %x of the classical activation is no longer held", c.Order)
	}
	device := deviceCode(c.Product, birth, c.Nonce)
	g := &confirm.Grant{Order: order, Device: device, Code: code}
	g.NotAfter, _ = confirm.NotAfter(order, code.Days)
	lic, err := g.License(codec.Timestamp(c.Confirmed))
	if err != nil {
		// The end was checked when the code was typed; a license that ends
		// before its issue is kept with the instant of its end, so that
		// Status reports it expired.
		lic, _ = g.License(g.NotAfter - 1)
	}
	if lic == nil {
		return nil, fmt.Errorf("the code grants nothing")
	}
	x := &holding{
		file: f, id: lic.ID, head: &lic.Header, product: lic.Product, name: lic.ProductName,
		features: lic.Features, binding: lic.Binding, order: order, grace: order.Grace.Duration(),
		issued: order.IssuedAt.Time(), birth: birth, imported: time.Unix(c.Confirmed, 0).UTC(),
		classical: true,
	}
	res, err := a.verifyOrder(f, order, t)
	if err != nil {
		x.verifyErr = err
		return x, nil
	}
	x.signer = res.Signer.ID()
	if _, err := confirm.Verify(order, device, code); err != nil {
		x.verifyErr = hint.Wrap(fmt.Errorf("%w: the confirmation code does not verify: %v", ErrInvalid, err),
			"type the confirmation code again with 'licetd confirm CODE'")
	}
	return x, nil
}

// dropClassical forgets the classical activation, if any.
func (a *Agent) dropClassical() error {
	cr, err := a.readConfirm()
	if err != nil || cr.Classical == nil {
		return err
	}
	cr.Classical = nil
	return a.writeConfirm(cr)
}

// releaseClassical gives up the classical activation, when the terminal
// holds no full license: it is forgotten and its license id remembered
// in rec (which the caller writes). ok is false when there is none.
func (a *Agent) releaseClassical(rec *record, now time.Time) (r *Released, ok bool, err error) {
	cr, err := a.readConfirm()
	if err != nil {
		return nil, true, err
	}
	c := cr.Classical
	if c == nil {
		return nil, false, nil
	}
	x, err := a.classicalHolding(cr, c, now)
	if err != nil {
		return nil, true, hint.Wrap(fmt.Errorf("%w: the classical activation kept in the state does not read: %v", ErrStateDamaged, err),
			"run 'licetd reset' to discard it")
	}
	var code confirm.Code
	if err := code.UnmarshalText([]byte(c.Code)); err != nil {
		return nil, true, err
	}
	act, err := release.FromConfirmation(code)
	if err != nil {
		return nil, true, err
	}
	r = &Released{LicenseID: x.id, Product: x.product, Order: x.order.ID, At: now.Truncate(time.Second), Classical: true}
	r.Digest = fmt.Sprintf("%x", []byte(x.binding.Digest))
	if err := r.setCode(act); err != nil {
		return nil, true, err
	}
	cr.Classical = nil
	if err := a.writeConfirm(cr); err != nil {
		return nil, true, err
	}
	rec.release(x.id, now)
	return r, true, nil
}

// setCode fills in the release code of a release on r.At.
func (r *Released) setCode(act release.Activation) error {
	day, err := release.DayOf(r.At)
	if err != nil {
		return err
	}
	r.Code = act.Code(day).String()
	return nil
}

// setFileCode fills in the release code of a license file (codec CBOR)
// given up on r.At.
func (r *Released) setFileCode(file []byte) error {
	act, err := release.FromFile(file)
	if err != nil {
		return err
	}
	return r.setCode(act)
}
