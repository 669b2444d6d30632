package agent

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"licet.dev/licet/agent/localapi"
)

// minSleep is the shortest time the daemon sleeps between checks.
const minSleep = time.Minute

// Run is the daemon: it serves the local API on Config.Socket, keeps
// Config.LicenseFile in step with the license held, and checks the machine,
// the state and the clock whenever something can change (the license
// starts, warnings begin, it expires, its grace ends, a lease is due for
// renewal), and at least every Config.CheckInterval; never more often than
// once a minute when nothing happens. A license imported or released by
// another process is noticed at the next query. Run returns when ctx is
// done, after the API has stopped and the clock is recorded.
func Run(ctx context.Context, cfg Config) error {
	a, err := Open(cfg)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}

// Run is the daemon on an open agent; see the package-level Run.
func (a *Agent) Run(ctx context.Context) error {
	log := a.cfg.Logger()
	gid, err := a.cfg.socketGID()
	if err != nil {
		return err
	}
	d := &daemon{a: a, log: log}
	d.refresh(true)
	ln, err := localapi.Listen(a.cfg.Socket, a.cfg.SocketMode, gid)
	if err != nil {
		return err
	}
	log.Info("listening", "socket", a.cfg.Socket, "state", a.cfg.State, "license_file", a.cfg.LicenseFile)
	if a.cfg.Ready != nil {
		a.cfg.Ready(a.cfg.Socket)
	}
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- localapi.Serve(sctx, ln, d) }()

	newTimer := a.newTimer
	if newTimer == nil {
		newTimer = realTimer
	}
	var serveErr error
loop:
	for {
		wake, cancel := newTimer(d.sleep())
		select {
		case <-ctx.Done():
			cancel()
			break loop
		case serveErr = <-served:
			cancel()
			break loop
		case <-wake:
			d.refresh(true)
		}
	}
	stop()
	if serveErr == nil {
		serveErr = <-served
	}
	d.mu.Lock()
	if d.v != nil {
		a.advance(d.v, a.cfg.Now())
	}
	d.mu.Unlock()
	log.Info("stopped")
	return serveErr
}

// realTimer returns a channel that receives after d, and a function that
// stops the timer.
func realTimer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// daemon holds the checked state between queries. Queries judge it at the
// instant they are made; the costly checks (state, signatures, machine) run
// again when the state file changes or the timer fires.
type daemon struct {
	a   *Agent
	log *slog.Logger

	mu     sync.Mutex
	v      *view
	mark   time.Time // trusted time, raised by every query; recorded at each check
	seen   os.FileInfo
	last   string // state of the previous check, for the log
	armour []byte // what /v1/license gives: the license as armoured text while it licenses
}

// refresh checks everything again when full or when the state file
// changed, records the clock, and updates the license file.
func (d *daemon) refresh(full bool) localapi.Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.refreshLocked(full)
}

func (d *daemon) refreshLocked(full bool) localapi.Status {
	a := d.a
	now := a.cfg.Now()
	fi, _ := os.Stat(filepath.Join(a.cfg.State, recordName))
	if !full && d.v != nil && sameFile(fi, d.seen) {
		d.mark = later(d.mark, now)
		return a.status(d.v, now, d.mark)
	}
	d.seen = fi
	d.v = a.load(now)
	d.mark = later(d.mark, a.advance(d.v, later(now, d.mark)))
	st := a.status(d.v, now, d.mark)
	d.armour = d.v.licenseFile(&st)
	if err := a.writeLicenseFile(d.armour); err != nil {
		d.log.Error("license file", "err", err)
	}
	if st.State != d.last {
		attrs := []any{"state", st.State, "licensed", st.Licensed}
		if st.Reason != "" {
			attrs = append(attrs, "reason", st.Reason)
		}
		if st.LicenseID != "" {
			attrs = append(attrs, "license", st.LicenseID, "product", st.Product)
		}
		if st.ExpiresAt != nil {
			attrs = append(attrs, "expires_at", stamp(*st.ExpiresAt))
		}
		d.log.Info("status", attrs...)
		d.last = st.State
	}
	for _, w := range st.Warnings {
		d.log.Warn(w)
	}
	return st
}

func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.ModTime().Equal(b.ModTime()) && a.Size() == b.Size()
}

// Status implements localapi.Source.
func (d *daemon) Status() localapi.Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	st := d.refreshLocked(false)
	if st.State != d.last {
		// Time alone changed the state (expiry, grace): check the
		// machine and state again so that the license file and the
		// log follow.
		st = d.refreshLocked(true)
	}
	return st
}

// License implements localapi.Source.
func (d *daemon) License() ([]byte, bool) {
	st := d.Status()
	d.mu.Lock()
	defer d.mu.Unlock()
	if !st.Licensed || d.armour == nil {
		return nil, false
	}
	return d.armour, true
}

// sleep returns how long to wait until the next check: until the next
// instant the status can change by time alone, at least a minute and at
// most CheckInterval.
func (d *daemon) sleep() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	a := d.a
	now := a.cfg.Now()
	eff := later(now, d.mark)
	next := a.cfg.CheckInterval
	consider := func(t time.Time) {
		if dt := t.Sub(eff); dt > 0 && dt < next {
			next = dt
		}
	}
	if v := d.v; v != nil && v.held != nil {
		x := v.held
		consider(x.start())
		if e := x.end(); !e.IsZero() {
			consider(e.Add(-a.cfg.WarnBefore + time.Second)) // warnings start when less is left
			consider(e)
			consider(e.Add(x.grace))
		}
		if x.lease != nil {
			consider(x.lease.RenewAfter.Time())
		}
	}
	if behind := d.mark.Sub(now) - a.cfg.ClockTolerance; behind > 0 && behind < next {
		// The clock is turned back: check again when it would be
		// within the tolerance.
		next = behind
	}
	return max(next, minSleep)
}
