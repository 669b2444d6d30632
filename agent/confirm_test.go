package agent

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
)

var confirmKey = func() *confirm.PrivateKey {
	k, err := confirm.NewKeyFromSeed(bytes.Repeat([]byte{0xc0}, confirm.SeedSize))
	if err != nil {
		panic(err)
	}
	return k
}()

// confirmOrder returns a permanent order for product, signed by key, that
// names confirmKey, valid for days from now (0: no end), and the order.
func (f *fixture) confirmOrder(key *cose.PrivateKey, product uint16, days int) ([]byte, *codec.OrderLicense) {
	f.t.Helper()
	var id codec.ID
	rand.Read(id[:])
	at := codec.At(f.now)
	o := &codec.OrderLicense{
		Header:   codec.Header{ID: id, IssuedAt: at, NotBefore: at},
		Customer: "Example Site", Product: product, Mode: codec.ModePermanent, Seats: 3,
		Features:   map[string]string{"export": "yes"},
		Grace:      codec.Days(2),
		ConfirmKey: confirmKey.Public().ConfirmKey(),
	}
	if days > 0 {
		o.NotAfter = at.Add(codec.Days(days))
	}
	return f.sign(key, o), o
}

func (f *fixture) code(o *codec.OrderLicense, r *Request, days uint16) confirm.Code {
	f.t.Helper()
	c, err := confirm.New(confirmKey, o, r.DeviceCode, days)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// activateByCode imports an order of product without end, makes a
// request and activates the terminal with a confirmation code for it
// without end. It returns the order's file, the order and the request.
func (f *fixture) activateByCode(a *Agent, product uint16) ([]byte, *codec.OrderLicense, *Request) {
	f.t.Helper()
	file, order := f.confirmOrder(vendorKey, product, 0)
	if _, err := a.ImportOrder(file); err != nil {
		f.t.Fatal(err)
	}
	r := f.request(a, product)
	if _, err := a.Confirm(f.code(order, r, 0).String()); err != nil {
		f.t.Fatal(err)
	}
	return file, order, r
}

// typo replaces character i (0-based, hyphens not counted) of a code.
func typo(code string, i int) string {
	b := []byte(strings.ReplaceAll(code, "-", ""))
	if b[i] == 'Z' {
		b[i] = 'Y'
	} else {
		b[i] = 'Z'
	}
	return string(b)
}

func TestConfirmFlow(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	file, order := f.confirmOrder(vendorKey, 4660, 365)
	imp, err := a.ImportOrder(file)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Order != order.ID || imp.Product != 4660 || imp.Already || imp.Orders != 1 {
		t.Fatalf("imported %+v", imp)
	}
	if again, err := a.ImportOrder(file); err != nil || !again.Already {
		t.Fatalf("again: %+v %v", again, err)
	}
	r := f.request(a, 4660)
	c := f.code(order, r, 30)

	f.now = f.now.Add(time.Hour)
	res, err := a.Confirm(typo(c.String(), 40))
	if err != nil {
		t.Fatal(err)
	}
	st := res.Status
	if !st.Licensed || st.State != localapi.StateLicensed || !st.Classical || st.LicenseID != c.LicenseID().String() ||
		st.Features["export"] != "yes" || st.ExpiresAt == nil || !st.ExpiresAt.Equal(t0.AddDate(0, 0, 30)) ||
		len(res.Corrections) != 1 || res.DeviceCode != r.DeviceCode.String() || st.Order != order.ID.String() {
		t.Fatalf("confirmed %+v\nstatus %+v", res, st)
	}
	if len(st.Pending) != 1 || st.Binding == nil || !st.Binding.Match {
		t.Fatalf("pending %v binding %+v", st.Pending, st.Binding)
	}
	// Typing the code again, or a newer code, replaces the classical
	// activation.
	if again, err := a.Confirm(c.String()); err != nil || again.LicenseID != res.LicenseID || !again.Status.Classical {
		t.Fatalf("again: %+v %v", again, err)
	}

	// Expired by the grant's end, then out of the order's grace.
	f.now = t0.AddDate(0, 0, 31)
	if st := a.Status(); st.State != localapi.StateGrace || !st.Classical {
		t.Fatalf("after the end: %s", st.State)
	}
	f.now = t0.AddDate(0, 0, 33)
	if st := a.Status(); st.Licensed || st.State != localapi.StateExpired {
		t.Fatalf("after the grace: %s", st.State)
	}

	// Release: the code derives from the confirmation code.
	rel, err := a.Release()
	if err != nil {
		t.Fatal(err)
	}
	act, _ := release.FromConfirmation(c)
	p, err := release.Parse(rel.Code)
	if err != nil || !rel.Classical || rel.LicenseID != c.LicenseID() || act.Check(p.Code) != nil {
		t.Fatalf("release %+v: %v", rel, err)
	}
	if p.Code.Date() != t0.AddDate(0, 0, 33) {
		t.Fatalf("release day %s", p.Code.Date())
	}
	if st := a.Status(); st.Licensed || st.State != localapi.StateUnlicensed {
		t.Fatalf("after release: %s", st.State)
	}
	if _, err := a.Release(); !errors.Is(err, ErrNoLicense) {
		t.Fatalf("second release: %v", err)
	}
	f.now = t0.AddDate(0, 0, 1)
	if _, err := a.Confirm(c.String()); !errors.Is(err, ErrReleased) {
		t.Fatalf("released code again: %v", err)
	}
}

func TestConfirmThenFullLicense(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	_, _, r := f.activateByCode(a, 4660)
	if st := a.Status(); !st.Classical || st.ExpiresAt != nil {
		t.Fatalf("classical without end: %+v", st)
	}
	if _, err := a.Import(f.device(vendorKey, r, 4660, 365, nil)); err != nil {
		t.Fatal(err)
	}
	st := a.Status()
	if !st.Licensed || st.Classical || len(st.Pending) != 0 {
		t.Fatalf("after the full license: %+v", st)
	}
	cr, err := a.readConfirm()
	if err != nil || cr.Classical != nil || len(cr.Orders) != 1 {
		t.Fatalf("confirm state %+v %v", cr, err)
	}
	// Releasing the full license does not bring the classical one back.
	rel, err := a.Release()
	if err != nil || rel.Classical || rel.Code == "" {
		t.Fatalf("release %+v %v", rel, err)
	}
	if st := a.Status(); st.Licensed {
		t.Fatalf("after release: %+v", st)
	}
}

func TestConfirmReplacesExpiredLicense(t *testing.T) {
	f := newFixture(t)
	a := f.activate(4660, 10)
	f.now = t0.AddDate(0, 0, 20)
	// The order is issued after the old license expired.
	file, order := f.confirmOrder(vendorKey, 4660, 0)
	if _, err := a.ImportOrder(file); err != nil {
		t.Fatal(err)
	}
	r := f.request(a, 4660)
	res, err := a.Confirm(f.code(order, r, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced == "" || !res.Status.Licensed || !res.Status.Classical {
		t.Fatalf("%+v", res)
	}
}

func TestConfirmRefusals(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	file, order := f.confirmOrder(vendorKey, 4660, 365)
	f.request(a, 4661)
	// No order yet.
	code := f.code(order, &Request{DeviceCode: devcode.New(4660, [8]byte{1}, 1)}, 0)
	if _, err := a.Confirm(code.String()); !errors.Is(err, ErrNoOrder) || Hint(err) == "" {
		t.Fatalf("no order: %v", err)
	}
	if _, err := a.ImportOrder(file); err != nil {
		t.Fatal(err)
	}
	// A pending request of another product only.
	if _, err := a.Confirm(code.String()); !errors.Is(err, ErrNoOrder) {
		t.Fatalf("other product: %v", err)
	}
	r := f.request(a, 4660)
	for _, tc := range []struct {
		name string
		code string
		want error
	}{
		{"another device code", code.String(), ErrBadCode},
		{"garbage", "hello", ErrBadCode},
		{"two typos in a block", typo(typo(f.code(order, r, 0).String(), 3), 7), ErrBadCode},
		{"after the order's end", mustText(t, confirm.Code{Version: 1, Days: 400, Challenge: code.Challenge, Response: code.Response}), ErrBadCode},
	} {
		if _, err := a.Confirm(tc.code); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}

	// Orders that cannot serve.
	untrusted, _ := f.confirmOrder(otherKey, 4660, 0)
	if _, err := a.ImportOrder(untrusted); !errors.Is(err, ErrUntrusted) {
		t.Errorf("untrusted order: %v", err)
	}
	var id codec.ID
	rand.Read(id[:])
	plain := f.sign(vendorKey, &codec.OrderLicense{Header: codec.Header{ID: id, IssuedAt: codec.At(f.now)}, Customer: "X", Product: 4660, Mode: codec.ModePermanent, Seats: 1})
	if _, err := a.ImportOrder(plain); !errors.Is(err, ErrNoOrder) {
		t.Errorf("order without a key: %v", err)
	}
	if _, err := a.ImportOrder(f.device(vendorKey, r, 4660, 1, nil)); !errors.Is(err, ErrInvalid) {
		t.Errorf("device license as an order: %v", err)
	}
	f.now = t0.AddDate(2, 0, 0)
	if _, err := a.ImportOrder(file); !errors.Is(err, ErrExpired) {
		t.Errorf("expired order: %v", err)
	}
	// A code verifies, but under an order that ended.
	if _, err := a.Confirm(f.code(order, r, 0).String()); !errors.Is(err, ErrExpired) {
		t.Errorf("code under an ended order: %v", err)
	}
	if !IsOrderFile(plain) || IsOrderFile(f.device(vendorKey, r, 4660, 1, nil)) {
		t.Error("IsOrderFile")
	}
}

func mustText(t *testing.T, c confirm.Code) string {
	b, err := c.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestConfirmStateTampered(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	file, _, _ := f.activateByCode(a, 4660)
	// A record that decodes but names another code: reported, never used.
	cr, _ := a.readConfirm()
	cr.Classical.Nonce ^= 1
	if err := a.writeConfirm(cr); err != nil {
		t.Fatal(err)
	}
	st := a.Status()
	if st.Licensed || st.State != localapi.StateInvalid {
		t.Fatalf("code for another nonce: %+v", st)
	}
	// Removing the order the activation rests on is damage.
	cr.Orders = nil
	b, _ := recEnc.Marshal(cr)
	if err := a.dir.Put(confirmName, b); err != nil {
		t.Fatal(err)
	}
	if st := a.Status(); st.Licensed || st.State != localapi.StateDamaged {
		t.Fatalf("order gone: %+v", st)
	}
	if st := a.Status(); !strings.Contains(st.Hint, "import the order license again") {
		t.Fatalf("hint %q", st.Hint)
	}
	// Importing the order again repairs it (the nonce is still wrong).
	if _, err := a.ImportOrder(file); err != nil {
		t.Fatal(err)
	}
	if st := a.Status(); st.State != localapi.StateInvalid {
		t.Fatalf("order back: %+v", st)
	}
}

// Importing many orders never drops the one the classical activation
// rests on.
func TestConfirmKeepsItsOrder(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	_, order, _ := f.activateByCode(a, 4660)
	for range maxOrders + 2 {
		more, _ := f.confirmOrder(vendorKey, 4661, 0)
		if _, err := a.ImportOrder(more); err != nil {
			t.Fatal(err)
		}
	}
	held, err := a.Orders()
	if err != nil || len(held) != maxOrders || held[0].Order != order.ID {
		t.Fatalf("%d orders, first %v: %v", len(held), held[0].Order, err)
	}
	if st := a.Status(); !st.Licensed || !st.Classical {
		t.Fatalf("%+v", st)
	}
}

// FuzzDecodeConfirm: no panic; on error no record; what decodes encodes
// back to the same bytes.
func FuzzDecodeConfirm(f *testing.F) {
	fx := newFixture(f)
	file, order := fx.confirmOrder(vendorKey, 4660, 0)
	of, _ := codec.ParseFile(file)
	c, _ := confirm.New(confirmKey, order, devcode.New(4660, [8]byte{1}, 2), 0)
	birth := fixtureBirth(f, fx)
	for _, r := range []*confirmRecord{
		{Version: 1, Orders: [][]byte{of.Marshal()}},
		{Version: 1, Orders: [][]byte{of.Marshal()}, Classical: &classical{Order: order.ID[:], Code: c.String(), Product: 4660, Nonce: 2, Birth: birth, Confirmed: 1}},
	} {
		b, err := encodeConfirm(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeConfirm(b)
		if err != nil {
			if r != nil {
				t.Fatal("record with error")
			}
			return
		}
		again, err := encodeConfirm(r)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("re-encoding: %v", err)
		}
	})
}

// fixtureBirth returns the encoded birth record of the fixture's machine.
func fixtureBirth(t testing.TB, f *fixture) []byte {
	a, err := Open(f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := a.collect(productSalt(4660))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := snap.Record()
	if err != nil {
		t.Fatal(err)
	}
	b, err := rec.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
