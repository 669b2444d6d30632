package agent

import (
	"context"
	"errors"
	"os"
	"sort"
	"testing"
	"time"

	"licet.dev/licet/agent/localapi"
)

type fakeTimer struct {
	d time.Duration
	c chan time.Time
}

// runDaemon starts a.Run with timers the test fires, and returns the
// timers as they are made and a function that stops the daemon and
// returns Run's error.
func runDaemon(t *testing.T, a *Agent) (<-chan fakeTimer, func() error) {
	t.Helper()
	timers := make(chan fakeTimer, 16)
	a.newTimer = func(d time.Duration) (<-chan time.Time, func()) {
		c := make(chan time.Time, 1)
		timers <- fakeTimer{d, c}
		return c, func() {}
	}
	ready := make(chan struct{})
	a.cfg.Ready = func(string) { close(ready) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	var stopped bool
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return timers, stop
}

func TestRunSleepsUntilEvents(t *testing.T) {
	f := newFixture(t)
	f.cfg.CheckInterval = 1000 * time.Hour
	a := f.activate(10, 30)
	timers, stop := runDaemon(t, a)
	c := localapi.NewClient(f.cfg.Socket)
	defer c.Close()
	ctx := context.Background()

	day := 24 * time.Hour
	tm := <-timers
	if tm.d != 25*day+time.Second { // warnings start when less than 5 days are left
		t.Fatalf("first sleep %v, want 25 days and a second", tm.d)
	}
	st, err := c.Status(ctx)
	if err != nil || !st.Licensed || len(st.Warnings) != 0 {
		t.Fatalf("status: %+v, %v", st, err)
	}
	f.now = t0.Add(25*day + time.Second)
	tm.c <- f.now
	if tm = <-timers; tm.d != 5*day-time.Second {
		t.Fatalf("second sleep %v, want 5 days (until the end)", tm.d)
	}
	if st, _ := c.Status(ctx); !st.Licensed || len(st.Warnings) != 1 {
		t.Fatalf("status near the end: %+v", st)
	}
	if _, err := c.License(ctx); err != nil {
		t.Fatalf("license: %v", err)
	}
	// Between checks, a query already sees the end.
	f.now = t0.Add(30*day + time.Second)
	st, err = c.Status(ctx)
	if err != nil || st.Licensed || st.State != localapi.StateExpired {
		t.Fatalf("status after the end: %+v, %v", st, err)
	}
	var p *localapi.Problem
	if _, err := c.License(ctx); !errors.As(err, &p) || p.Code != "no-license" {
		t.Fatalf("license after the end: %v", err)
	}
	if _, err := os.Stat(f.cfg.LicenseFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("license file after the end: %v", err)
	}
	tm.c <- f.now
	if tm = <-timers; tm.d != 1000*time.Hour {
		t.Fatalf("sleep after the end %v, want the check interval", tm.d)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := os.Stat(f.cfg.Socket); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left after stop: %v", err)
	}
	// The clock was recorded at the stop.
	if m, err := a.dir.Clock(); err != nil || !m.Equal(f.now) {
		t.Fatalf("clock mark %v, %v", m, err)
	}
}

func TestRunNoticesImportAndRelease(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	r := f.request(a, 5)
	_, stop := runDaemon(t, a)
	c := localapi.NewClient(f.cfg.Socket)
	defer c.Close()
	ctx := context.Background()
	if st, err := c.Status(ctx); err != nil || st.Licensed || len(st.Pending) != 1 {
		t.Fatalf("before import: %+v, %v", st, err)
	}
	other := f.open() // another process: licetd import
	if _, err := other.Import(f.device(vendorKey, r, 5, 0, map[string]string{"pro": "1"})); err != nil {
		t.Fatal(err)
	}
	feat, err := c.Feature(ctx, "pro")
	if err != nil || !feat.Granted || feat.Value != "1" || !feat.Licensed {
		t.Fatalf("feature after import: %+v, %v", feat, err)
	}
	if feat, _ := c.Feature(ctx, "basic"); feat.Granted {
		t.Fatalf("feature not in the license: %+v", feat)
	}
	if _, err := other.Release(); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Status(ctx); err != nil || st.Licensed || st.State != localapi.StateUnlicensed {
		t.Fatalf("after release: %+v, %v", st, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// An activation by confirmation code has no license file for
// applications: neither the file nor GET /v1/license gives one.
func TestRunClassicalHasNoLicenseFile(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	f.activateByCode(a, 4660)
	_, stop := runDaemon(t, a)
	c := localapi.NewClient(f.cfg.Socket)
	defer c.Close()
	ctx := context.Background()
	if st, err := c.Status(ctx); err != nil || !st.Licensed || !st.Classical {
		t.Fatalf("status: %+v, %v", st, err)
	}
	var p *localapi.Problem
	if b, err := c.License(ctx); !errors.As(err, &p) || p.Code != "no-license" {
		t.Fatalf("license of a classical activation: %.40q, %v", b, err)
	}
	if _, err := os.Stat(f.cfg.LicenseFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("license file of a classical activation: %v", err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestRunSleepBounds(t *testing.T) {
	f := newFixture(t)
	a := f.activate(10, 30)
	d := &daemon{a: a, log: a.cfg.Logger()}
	d.refresh(true)
	a.cfg.CheckInterval = time.Hour
	if s := d.sleep(); s != time.Hour {
		t.Fatalf("sleep %v, want the 1h cap", s)
	}
	f.now = t0.Add(30*24*time.Hour - 10*time.Second)
	if s := d.sleep(); s != minSleep {
		t.Fatalf("sleep %v, want the 1m floor", s)
	}
	// A clock turned back: check again when it would be within the
	// tolerance.
	a.cfg.CheckInterval = 1000 * time.Hour
	d.mark = t0.Add(10 * 24 * time.Hour)
	f.now = t0.Add(5 * 24 * time.Hour)
	if s := d.sleep(); s != 4*24*time.Hour {
		t.Fatalf("sleep with the clock back %v, want 4 days", s)
	}
}

func TestRunRefusesSecondDaemon(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	runDaemon(t, a)
	if err := f.open().Run(context.Background()); err == nil {
		t.Fatal("a second daemon on the same socket started")
	}
}

// BenchmarkStatusOverSocket measures GET /v1/status through the client
// against a running daemon holding a license; it reports the median and
// 99th percentile latency.
func BenchmarkStatusOverSocket(b *testing.B) {
	f := newFixture(b)
	a := f.activate(10, 30)
	a.newTimer = realTimer
	ready := make(chan struct{})
	a.cfg.Ready = func(string) { close(ready) }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	<-ready
	c := localapi.NewClient(f.cfg.Socket)
	defer c.Close()
	if st, err := c.Status(ctx); err != nil || !st.Licensed {
		b.Fatalf("status: %+v, %v", st, err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := c.Status(ctx); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "p99-µs")
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
