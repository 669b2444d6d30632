package agent

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

var (
	vendorKey = cosetest.KeyFromSeed("agent test vendor")
	siteKey   = cosetest.KeyFromSeed("agent test site")
	otherKey  = cosetest.KeyFromSeed("agent test stranger")
	t0        = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
)

// fixture is a terminal on a fake machine with a clock the test moves.
type fixture struct {
	t   testing.TB
	dir string
	now time.Time
	cfg Config
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, dir: dir, now: t0}
	trust := filepath.Join(dir, "vendor.pub")
	writeKey(t, trust, vendorKey.Public())
	cfg := DefaultConfig()
	cfg.State = filepath.Join(dir, "state")
	cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(1))
	cfg.Trust = []string{trust}
	cfg.LicenseFile = filepath.Join(dir, "run", "license")
	cfg.Socket = filepath.Join(dir, "s.sock")
	cfg.Now = func() time.Time { return f.now }
	cfg.Log = io.Discard
	f.cfg = cfg
	return f
}

func writeKey(t testing.TB, path string, k *cose.PublicKey) {
	t.Helper()
	b, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) open() *Agent {
	f.t.Helper()
	a, err := Open(f.cfg)
	if err != nil {
		f.t.Fatalf("Open: %v", err)
	}
	return a
}

func (f *fixture) request(a *Agent, product uint16) *Request {
	f.t.Helper()
	r, err := a.Request(RequestOptions{Product: product})
	if err != nil {
		f.t.Fatalf("Request: %v", err)
	}
	return r
}

// device signs a device license for a request with key, valid for days
// from now (0: no end).
func (f *fixture) device(key *cose.PrivateKey, r *Request, product uint16, days int, features map[string]string) []byte {
	f.t.Helper()
	var id codec.ID
	rand.Read(id[:])
	at := codec.At(f.now)
	d := &codec.DeviceLicense{
		Header:   codec.Header{ID: id, IssuedAt: at, NotBefore: at},
		Product:  product,
		Features: features,
		Binding:  codec.Binding{Digest: codec.Bytes(r.Digest[:8]), Nonce: r.Nonce},
	}
	if days > 0 {
		d.NotAfter = at.Add(codec.Days(days))
	}
	return f.sign(key, d)
}

// lease signs an order (vendor key, mode periodic, the grace) and a lease
// (site key) for a request.
func (f *fixture) lease(r *Request, days, graceDays int) []byte {
	f.t.Helper()
	var oid, lid codec.ID
	rand.Read(oid[:])
	rand.Read(lid[:])
	at := codec.At(f.now)
	order := &codec.OrderLicense{
		Header:   codec.Header{ID: oid, IssuedAt: at, NotAfter: at.Add(codec.Days(365))},
		Customer: "Site", Product: r.Product, Mode: codec.ModePeriodic, Seats: 5,
		LeasePeriod: codec.Days(days), RenewInterval: codec.Days(1), Grace: codec.Days(graceDays),
		Features: map[string]string{"export": "yes"}, SiteKey: siteKey.Public().Bytes(),
	}
	lease := &codec.Lease{
		Header:  codec.Header{ID: lid, IssuedAt: at, NotAfter: at.Add(codec.Days(days))},
		Product: r.Product, Order: oid, Features: map[string]string{"export": "yes"},
		Binding:    codec.Binding{Digest: codec.Bytes(r.Digest[:]), Nonce: r.Nonce},
		RenewAfter: at.Add(codec.Days(1)), ServerTime: at,
	}
	so, err := codec.Sign(rand.Reader, vendorKey, order)
	if err != nil {
		f.t.Fatal(err)
	}
	sl, err := codec.Sign(rand.Reader, siteKey, lease)
	if err != nil {
		f.t.Fatal(err)
	}
	file, err := codec.NewFile(so, sl)
	if err != nil {
		f.t.Fatal(err)
	}
	return file.Armour()
}

func (f *fixture) sign(key *cose.PrivateKey, o codec.Object) []byte {
	f.t.Helper()
	s, err := codec.Sign(rand.Reader, key, o)
	if err != nil {
		f.t.Fatal(err)
	}
	file, err := codec.NewFile(s)
	if err != nil {
		f.t.Fatal(err)
	}
	return file.Armour()
}

// activate runs request, issue and import, and returns the agent.
func (f *fixture) activate(product uint16, days int) *Agent {
	f.t.Helper()
	a := f.open()
	r := f.request(a, product)
	if _, err := a.Import(f.device(vendorKey, r, product, days, map[string]string{"seats": "5"})); err != nil {
		f.t.Fatalf("Import: %v", err)
	}
	return a
}
