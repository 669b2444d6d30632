package store_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"licet.dev/licet/server/store"
)

// t0 is the fixed "now" of the tests; nothing here reads the clock.
var t0 = time.Date(2031, 3, 14, 15, 9, 26, 535897000, time.UTC)

var ctx = context.Background()

// must returns v, or panics on a setup step that cannot fail unless the
// store is broken (the panic fails the test binary with the error).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func wantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

func digest(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// fixture is a product, a customer and a root key to hang orders on.
type fixture struct {
	product  store.Product
	customer store.Customer
	kid      []byte
}

func newFixture(t testing.TB, s *store.Store) fixture {
	t.Helper()
	f := fixture{kid: digest("kid")[:16]}
	f.product = must(s.CreateProduct(ctx, store.Product{ShortID: 7, Name: "Widget", Description: "A widget", CreatedAt: t0}))
	f.customer = must(s.CreateCustomer(ctx, store.Customer{Name: "ACME", Email: "ops@acme.example", CreatedAt: t0}))
	if err := s.AddRootKey(ctx, store.RootKey{KID: f.kid, PublicKey: []byte("pub"), SealedPrivateKey: []byte("sealed"),
		CreatedAt: t0, Active: true}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) order(t testing.TB, s *store.Store, mode store.Mode, seats int) store.Order {
	t.Helper()
	return must(s.CreateOrder(ctx, store.Order{
		ProductID: f.product.ID, CustomerID: f.customer.ID, Mode: mode, Seats: seats,
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(365 * 24 * time.Hour),
		LeasePeriod: 7 * 24 * time.Hour, RenewInterval: 24 * time.Hour, Grace: 3 * 24 * time.Hour,
		Features: []byte(`{"pro":true}`), CreatedBy: "alice", CreatedAt: t0,
	}))
}

var licenseSeq int

func (f fixture) license(o store.Order, kind store.LicenseKind, binding []byte) store.License {
	licenseSeq++
	return store.License{
		ID: fmt.Sprintf("lic-%04d", licenseSeq), Kind: kind, OrderID: o.ID, Binding: binding,
		File: []byte(fmt.Sprintf("signed bytes %d", licenseSeq)), KID: f.kid, IssuedBy: "alice", IssuedAt: t0,
		ExpiresAt: t0.Add(30 * 24 * time.Hour),
	}
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
