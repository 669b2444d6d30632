package store_test

import (
	"fmt"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// eachBench runs a benchmark once per database.
func eachBench(b *testing.B, fn func(b *testing.B, s *store.Store)) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			s, _ := storetest.Open(b, d)
			fn(b, s)
		})
	}
}

func BenchmarkAppendAudit(b *testing.B) {
	eachBench(b, func(b *testing.B, s *store.Store) {
		e := store.AuditEntry{At: t0, ActorID: 1, Actor: "alice", Action: "order.create", Target: "order:1",
			Detail: []byte(`{"seats":5}`), IP: "192.0.2.1", UserAgent: "bench"}
		for b.Loop() {
			if _, err := s.AppendAudit(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkActivateWithLicense is the store's share of issuing one device
// license: count seats under the order lock, record the activation and the
// license file.
func BenchmarkActivateWithLicense(b *testing.B) {
	eachBench(b, func(b *testing.B, s *store.Store) {
		f := newFixture(b, s)
		o := f.order(b, s, store.ModePermanent, 0)
		file := make([]byte, 5000)
		i := 0
		for b.Loop() {
			i++
			l := store.License{ID: fmt.Sprintf("bench-%d", i), File: file, KID: f.kid, IssuedAt: t0}
			if _, err := s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(fmt.Sprint(i)), At: t0, License: &l}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListOrders(b *testing.B) {
	eachBench(b, func(b *testing.B, s *store.Store) {
		f := newFixture(b, s)
		for range 1000 {
			f.order(b, s, store.ModePermanent, 5)
		}
		for b.Loop() {
			p, err := s.ListOrders(ctx, store.OrderFilter{Query: "acme", ListOptions: store.ListOptions{Limit: 50}})
			if err != nil || len(p.Items) != 50 {
				b.Fatal(len(p.Items), err)
			}
		}
	})
}

// BenchmarkSeatUsage counts the held seats of an order with 2000
// activations, as a portal page or an issuance response does.
func BenchmarkSeatUsage(b *testing.B) {
	eachBench(b, func(b *testing.B, s *store.Store) {
		f := newFixture(b, s)
		o := f.order(b, s, store.ModePeriodic, 0)
		for i := range 2000 {
			must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(fmt.Sprint(i)), At: t0, ExpiresAt: t0.Add(time.Hour)}))
		}
		for b.Loop() {
			if u, err := s.SeatUsage(ctx, o.ID, t0); err != nil || u.Used != 2000 {
				b.Fatal(u, err)
			}
		}
	})
}
