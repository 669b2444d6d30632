package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// TestGroupCommit: in one batch, a job that fails cleanly fails alone; a
// job that fails otherwise rolls the batch back, and the others are run
// again alone and commit.
func TestGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		g := &group{st: st}
		ctx := context.Background()
		boom := errors.New("boom")
		runs := map[string]int{}
		var mu sync.Mutex
		newJob := func(name string, fail error) *job {
			return &job{ctx: ctx, done: make(chan error, 1), fn: func(q *store.Queries) error {
				mu.Lock()
				runs[name]++
				mu.Unlock()
				if _, err := q.AppendAudit(ctx, store.AuditEntry{At: e.clock.now(), Actor: "test", Action: "test." + name}); err != nil {
					return err
				}
				return fail
			}}
		}
		count := func(name string) int {
			p, err := st.ListAudit(ctx, store.AuditFilter{Action: "test." + name})
			if err != nil {
				t.Fatal(err)
			}
			return len(p.Items)
		}

		// A clean failure: the others commit in the same transaction. (A
		// clean job writes nothing in real use; here its entry commits
		// with the batch, which shows that the batch was not rerun.)
		batch := []*job{newJob("a", nil), newJob("b", fmt.Errorf("activate: %w", store.ErrSeatsExhausted)), newJob("c", nil)}
		g.run(batch)
		if err := <-batch[1].done; !errors.Is(err, store.ErrSeatsExhausted) {
			t.Errorf("clean failure: %v", err)
		}
		for _, j := range []*job{batch[0], batch[2]} {
			if err := <-j.done; err != nil {
				t.Errorf("job next to a clean failure: %v", err)
			}
		}
		if runs["a"] != 1 || runs["c"] != 1 || count("a") != 1 || count("c") != 1 {
			t.Errorf("after a clean failure: runs %v, entries a %d c %d", runs, count("a"), count("c"))
		}

		// Another failure: rolled back (f never ran in it), then each alone.
		batch = []*job{newJob("d", nil), newJob("e", boom), newJob("f", nil)}
		g.run(batch)
		if err := <-batch[1].done; err != boom {
			t.Errorf("failing job: %v", err)
		}
		for _, j := range []*job{batch[0], batch[2]} {
			if err := <-j.done; err != nil {
				t.Errorf("job next to a failure: %v", err)
			}
		}
		if runs["d"] != 2 || runs["e"] != 2 || runs["f"] != 1 || count("d") != 1 || count("e") != 0 || count("f") != 1 {
			t.Errorf("after a failure: runs %v, entries d %d e %d f %d", runs, count("d"), count("e"), count("f"))
		}

		// A request that went away is not run.
		gone, cancel := context.WithCancel(ctx)
		cancel()
		j := newJob("g", nil)
		j.ctx = gone
		g.run([]*job{j, newJob("h", nil)})
		if err := <-j.done; !errors.Is(err, context.Canceled) || runs["g"] != 0 {
			t.Errorf("cancelled job: %v, runs %v", err, runs)
		}
	})
}

// TestConcurrentActivationsTakeExactSeats: many terminals at once on an
// order of 5 seats; group commits must not grant a sixth.
func TestConcurrentActivationsTakeExactSeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		var tc tokenCreated
		admin.must("POST", "/api/v1/tokens", map[string]any{"name": "load"}, 201, &tc)
		o, short := setupOrder(t, admin, map[string]any{"mode": "permanent", "seats": 5})
		script := &client{e: e, hc: http.DefaultClient, bearer: tc.Secret}
		const n = 24
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				r := script.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID,
					"device_code": devcode.New(short, [8]byte{byte(i), 1}, uint32(i)).String()})
				statuses[i] = r.status
			})
		}
		wg.Wait()
		got := map[int]int{}
		for _, s := range statuses {
			got[s]++
		}
		if got[201] != 5 || got[409] != n-5 {
			t.Errorf("statuses %v, want 5 × 201 and %d × 409", got, n-5)
		}
		if u, err := st.SeatUsage(t.Context(), o.ID, e.clock.now()); err != nil || u.Used != 5 {
			t.Errorf("seats used %+v %v", u, err)
		}
		var ls list[license]
		admin.must("GET", fmt.Sprintf("/api/v1/licenses?order=%d", o.ID), nil, 200, &ls)
		if len(ls.Items) != 5 {
			t.Errorf("%d licenses recorded, want 5", len(ls.Items))
		}
	})
}
