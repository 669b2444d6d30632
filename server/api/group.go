package api

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"licet.dev/licet/server/store"
)

// maxGroup bounds the issuances committed in one transaction.
const maxGroup = 64

// group commits the transactions of concurrent issuances together (group
// commit). The first request to arrive while no transaction is running
// leads: it runs its own work and everything queued meanwhile in one
// transaction, up to maxGroup, and keeps leading until the queue is empty;
// the others wait for their outcome. One commit then serves many
// issuances, which matters most on SQLite, whose single writer would
// otherwise write and sync each issuance's pages alone.
//
// A job that fails with an outcome the store reports before writing
// anything (no free seat, order revoked or outside its window) fails alone
// and the others commit. Any other failure rolls the transaction back and
// runs each job of it in a transaction of its own, so that one request's
// error is never another's.
type group struct {
	st      *store.Store
	mu      sync.Mutex
	queue   []*job
	running bool
}

type job struct {
	ctx  context.Context
	fn   func(q *store.Queries) error
	done chan error
}

// clean reports whether err leaves the transaction as it was before the
// job: the store returns these before its first write.
func clean(err error) bool {
	return errors.Is(err, store.ErrSeatsExhausted) || errors.Is(err, store.ErrOrderRevoked) ||
		errors.Is(err, store.ErrOutsideWindow)
}

// do runs fn in a transaction shared with other jobs and returns its
// outcome. fn must do all its database work through q, and may run twice
// (once in a group that fails for another job's reason, then alone); it
// must not keep state from a run that failed.
func (g *group) do(ctx context.Context, fn func(q *store.Queries) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, j)
	if g.running {
		g.mu.Unlock()
		return <-j.done
	}
	g.running = true
	// Let the requests that are about to queue do so, so that they share
	// this commit rather than wait for the next.
	g.mu.Unlock()
	runtime.Gosched()
	g.mu.Lock()
	for len(g.queue) > 0 {
		n := min(len(g.queue), maxGroup)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()
		g.run(batch)
		g.mu.Lock()
	}
	g.running = false
	g.queue = nil
	g.mu.Unlock()
	return <-j.done
}

// run commits a batch, or each of its jobs alone when the batch fails.
func (g *group) run(batch []*job) {
	live := batch[:0:0]
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		results := make([]error, len(live))
		// The transaction outlives any one request: a request that goes
		// away does not roll back the others.
		err := g.st.InTx(context.WithoutCancel(live[0].ctx), func(q *store.Queries) error {
			for i, j := range live {
				err := j.fn(q)
				if err != nil && !clean(err) {
					return err
				}
				results[i] = err
			}
			return nil
		})
		if err == nil {
			for i, j := range live {
				j.done <- results[i]
			}
			return
		}
	}
	for _, j := range live {
		j.done <- g.st.InTx(j.ctx, j.fn)
	}
}
