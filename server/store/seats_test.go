package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func TestActivate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePermanent, 2)
		act := func(name string, at time.Time) (store.Activation, error) {
			return s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(name), DeviceCode: "code-" + name, At: at})
		}
		a1, err := act("t1", t0)
		if err != nil {
			t.Fatal(err)
		}
		if a1.Reused || a1.DeviceCode != "code-t1" || !a1.HoldsSeat(t0.Add(1000*time.Hour)) || a1.ActivatedAt != t0.Truncate(time.Microsecond) {
			t.Fatalf("first activation %+v", a1)
		}
		// Re-activating the same terminal (a reinstall) uses no new seat.
		again, err := act("t1", t0.Add(time.Hour))
		if err != nil || !again.Reused || again.ID != a1.ID || again.ActivatedAt != a1.ActivatedAt ||
			again.RenewedAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("reactivation %+v, %v", again, err)
		}
		must(act("t2", t0))
		_, err = act("t3", t0)
		wantErr(t, err, store.ErrSeatsExhausted)
		if u := must(s.SeatUsage(ctx, o.ID, t0)); u.Seats != 2 || u.Used != 2 || u.Free() != 0 {
			t.Fatalf("usage %+v", u)
		}
		// Full, but the terminals that hold seats still renew.
		if a, err := act("t2", t0.Add(time.Minute)); err != nil || !a.Reused {
			t.Fatalf("renewal on a full order: %+v, %v", a, err)
		}

		// Releasing frees the seat for another terminal.
		rel := must(s.Release(ctx, store.Release{ActivationID: a1.ID, Method: store.ReleaseConsole, By: "alice", ReleasedAt: t0.Add(2 * time.Hour)}))
		if rel.OrderID != o.ID || rel.Method != store.ReleaseConsole {
			t.Fatalf("release %+v", rel)
		}
		_, err = s.Release(ctx, store.Release{ActivationID: a1.ID, Method: store.ReleaseConsole, ReleasedAt: t0})
		wantErr(t, err, store.ErrConflict)
		a3 := must(act("t3", t0.Add(3*time.Hour)))
		// The released terminal comes back as a new activation, if a seat is free.
		_, err = act("t1", t0.Add(3*time.Hour))
		wantErr(t, err, store.ErrSeatsExhausted)
		if a := must(s.Activation(ctx, a1.ID)); a.HoldsSeat(t0.Add(3 * time.Hour)) {
			t.Fatalf("released activation holds a seat: %+v", a)
		}
		held := must(s.ListActivations(ctx, store.ActivationFilter{OrderID: o.ID, HeldAt: t0.Add(3 * time.Hour)}))
		if len(held.Items) != 2 || held.Items[0].ID != a3.ID {
			t.Fatalf("held: %+v", held.Items)
		}
		all := must(s.ListActivations(ctx, store.ActivationFilter{OrderID: o.ID}))
		if len(all.Items) != 3 {
			t.Fatalf("all: %+v", all.Items)
		}
		if q := must(s.ListActivations(ctx, store.ActivationFilter{Query: "CODE-T3"})); len(q.Items) != 1 || q.Items[0].ID != a3.ID {
			t.Fatalf("by code: %+v", q.Items)
		}
		if got := must(s.ActivationByBinding(ctx, o.ID, digest("t3"))); got.ID != a3.ID {
			t.Fatalf("by binding: %+v", got)
		}
		_, err = s.ActivationByBinding(ctx, o.ID, digest("t1"))
		wantErr(t, err, store.ErrNotFound)

		for name, p := range map[string]store.ActivateParams{
			"no binding":  {OrderID: o.ID, At: t0},
			"long":        {OrderID: o.ID, Binding: make([]byte, 65), At: t0},
			"no time":     {OrderID: o.ID, Binding: digest("x")},
			"past expiry": {OrderID: o.ID, Binding: digest("x"), At: t0, ExpiresAt: t0},
		} {
			_, err := s.Activate(ctx, p)
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		_, err = s.Activate(ctx, store.ActivateParams{OrderID: 999, Binding: digest("x"), At: t0})
		wantErr(t, err, store.ErrNotFound)
		_, err = act("t9", o.NotBefore.Add(-time.Second))
		wantErr(t, err, store.ErrOutsideWindow)
		_, err = act("t9", o.NotAfter)
		wantErr(t, err, store.ErrOutsideWindow)
		must(s.RevokeOrder(ctx, o.ID, t0.Add(4*time.Hour)))
		_, err = act("t3", t0.Add(5*time.Hour))
		wantErr(t, err, store.ErrOrderRevoked)
	})
}

func TestActivateLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePeriodic, 1)
		week := 7 * 24 * time.Hour
		lease := func(name string, at time.Time) (store.Activation, error) {
			return s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(name), At: at, ExpiresAt: at.Add(week)})
		}
		a := must(lease("t1", t0))
		if a.ExpiresAt != t0.Add(week).Truncate(time.Microsecond) {
			t.Fatalf("lease %+v", a)
		}
		_, err := lease("t2", t0.Add(week-time.Second))
		wantErr(t, err, store.ErrSeatsExhausted)
		// Renewing moves the expiry.
		r := must(lease("t1", t0.Add(week-time.Second)))
		if !r.Reused || r.ExpiresAt != t0.Add(2*week-time.Second).Truncate(time.Microsecond) {
			t.Fatalf("renewal %+v", r)
		}
		// A lease not renewed frees its seat when it expires.
		late := t0.Add(2 * week)
		if u := must(s.SeatUsage(ctx, o.ID, late)); u.Used != 0 {
			t.Fatalf("used after expiry: %+v", u)
		}
		b := must(lease("t2", late))
		if b.Reused {
			t.Fatal("new terminal marked reused")
		}
		// The lapsed terminal finds the order full and does not steal the seat.
		_, err = lease("t1", late)
		wantErr(t, err, store.ErrSeatsExhausted)
		if got := must(s.Activation(ctx, a.ID)); got.HoldsSeat(late) {
			t.Fatalf("lapsed activation renewed on a full order: %+v", got)
		}
		// Once t2 lapses too, t1 comes back on its old row, not as a reuse.
		later := late.Add(week)
		back := must(lease("t1", later))
		if back.ID != a.ID || back.Reused {
			t.Fatalf("lapsed terminal back: %+v", back)
		}
	})
}

func TestActivateUnlimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		for _, o := range []store.Order{f.order(t, s, store.ModeUnlimited, 2), f.order(t, s, store.ModePermanent, 0)} {
			for i := range 5 {
				if _, err := s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(fmt.Sprint(i)), At: t0}); err != nil {
					t.Fatalf("%s order, terminal %d: %v", o.Mode, i, err)
				}
			}
			// Every device is still recorded.
			if u := must(s.SeatUsage(ctx, o.ID, t0)); u.Seats != 0 || u.Used != 5 || u.Free() != -1 {
				t.Fatalf("%s usage %+v", o.Mode, u)
			}
		}
	})
}

func TestActivateWithLicense(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePermanent, 1)
		l := f.license(o, store.KindDevice, nil)
		a, err := s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t1"), DeviceCode: "C1", At: t0, License: &l})
		if err != nil {
			t.Fatal(err)
		}
		got := must(s.License(ctx, l.ID))
		if a.LicenseID != l.ID || got.Kind != store.KindDevice || !bytes.Equal(got.Binding, digest("t1")) || got.DeviceCode != "C1" {
			t.Fatalf("activation %+v, license %+v", a, got)
		}

		// A full order records no license: the seat check and the insert
		// commit together or not at all.
		l2 := f.license(o, store.KindDevice, nil)
		_, err = s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t2"), At: t0, License: &l2})
		wantErr(t, err, store.ErrSeatsExhausted)
		_, err = s.License(ctx, l2.ID)
		wantErr(t, err, store.ErrNotFound)

		// A license that cannot be recorded takes no seat.
		must(s.Release(ctx, store.Release{ActivationID: a.ID, Method: store.ReleaseForced, ReleasedAt: t0}))
		dup := l // same id as a recorded license
		_, err = s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t3"), At: t0, License: &dup})
		wantErr(t, err, store.ErrConflict)
		if u := must(s.SeatUsage(ctx, o.ID, t0)); u.Used != 0 {
			t.Fatalf("seat taken by a failed activation: %+v", u)
		}

		// The release revoked the device license.
		if got := must(s.License(ctx, l.ID)); got.RevokedAt != t0.Truncate(time.Microsecond) {
			t.Fatalf("license after release: %+v", got)
		}

		wrong := f.license(o, store.KindDevice, digest("someone else"))
		_, err = s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t4"), At: t0, License: &wrong})
		wantErr(t, err, store.ErrInvalid)

		// Reactivation with a new license points the activation at it.
		l5 := f.license(o, store.KindDevice, nil)
		b := must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t5"), At: t0, License: &l5}))
		l6 := f.license(o, store.KindDevice, nil)
		l6.Replaces = l5.ID
		b2 := must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t5"), At: t0.Add(time.Hour), License: &l6}))
		if b2.ID != b.ID || b2.LicenseID != l6.ID || !b2.Reused {
			t.Fatalf("reactivation with license: %+v", b2)
		}
	})
}

func TestReleaseProof(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePermanent, 3)
		a := must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t1"), At: t0}))
		b := must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest("t2"), At: t0}))
		_, err := s.Release(ctx, store.Release{ActivationID: a.ID, Method: store.ReleaseCode, ReleasedAt: t0})
		wantErr(t, err, store.ErrInvalid) // a code release needs the code's digest
		_, err = s.Release(ctx, store.Release{ActivationID: a.ID, Method: "magic", ReleasedAt: t0})
		wantErr(t, err, store.ErrInvalid)
		_, err = s.Release(ctx, store.Release{ActivationID: 999, Method: store.ReleaseForced, ReleasedAt: t0})
		wantErr(t, err, store.ErrNotFound)

		r := must(s.Release(ctx, store.Release{ActivationID: a.ID, Method: store.ReleaseCode, Proof: digest("code 1"), By: "alice", ReleasedAt: t0}))
		if !bytes.Equal(r.Proof, digest("code 1")) || r.By != "alice" {
			t.Fatalf("release %+v", r)
		}
		// The same code cannot free a second seat.
		_, err = s.Release(ctx, store.Release{ActivationID: b.ID, Method: store.ReleaseCode, Proof: digest("code 1"), ReleasedAt: t0})
		wantErr(t, err, store.ErrConflict)
		if got := must(s.Activation(ctx, b.ID)); !got.HoldsSeat(t0) {
			t.Fatal("a refused release freed the seat")
		}
		must(s.Release(ctx, store.Release{ActivationID: b.ID, Method: store.ReleaseReceipt, Proof: digest("receipt 2"), ReleasedAt: t0}))
		p := must(s.ListReleases(ctx, o.ID, store.ListOptions{}))
		if len(p.Items) != 2 || p.Items[0].ActivationID != b.ID {
			t.Fatalf("releases %+v", p.Items)
		}
		if p := must(s.ListReleases(ctx, 0, store.ListOptions{Limit: 1})); len(p.Items) != 1 || p.Next == "" {
			t.Fatalf("first page %+v", p)
		}
	})
}

// TestSeatRace has many terminals race for the last seats of an order, over
// several connections at once. Exactly the free seats must be granted, on
// both databases, and the same terminal racing with itself must end with a
// single seat.
func TestSeatRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		const seats, racers, rounds = 5, 24, 4
		for round := range rounds {
			o := f.order(t, s, store.ModePermanent, seats)
			// Fill all but two seats first, so the race is for the last ones.
			for i := range seats - 2 {
				must(s.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: digest(fmt.Sprintf("pre %d", i)), At: t0}))
			}
			var mu sync.Mutex
			var ok, full int
			var errs []error
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := s.Activate(ctx, store.ActivateParams{OrderID: o.ID,
						Binding: digest(fmt.Sprintf("round %d terminal %d", round, i)), At: t0})
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err == nil:
						ok++
					case errors.Is(err, store.ErrSeatsExhausted):
						full++
					default:
						errs = append(errs, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("round %d: unexpected errors: %v", round, errs)
			}
			if ok != 2 || full != racers-2 {
				t.Fatalf("round %d: %d granted, %d refused; want 2 and %d", round, ok, full, racers-2)
			}
			if u := must(s.SeatUsage(ctx, o.ID, t0)); u.Used != seats {
				t.Fatalf("round %d: %d seats used of %d", round, u.Used, seats)
			}

			// One terminal racing with itself holds one seat.
			o2 := f.order(t, s, store.ModePermanent, seats)
			var reused int
			for range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					a, err := s.Activate(ctx, store.ActivateParams{OrderID: o2.ID, Binding: digest("same"), At: t0})
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
					} else if a.Reused {
						reused++
					}
				}()
			}
			wg.Wait()
			if len(errs) > 0 {
				t.Fatalf("round %d: same terminal: %v", round, errs)
			}
			if u := must(s.SeatUsage(ctx, o2.ID, t0)); u.Used != 1 || reused != racers-1 {
				t.Fatalf("round %d: same terminal holds %d seats, %d reuses", round, u.Used, reused)
			}
		}
	})
}
