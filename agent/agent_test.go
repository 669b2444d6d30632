package agent

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/agent/state"
	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

func TestActivate(t *testing.T) {
	f := newFixture(t)
	f.cfg.Portal = "https://portal.example"
	a := f.open()
	if st := a.Status(); st.Licensed || st.State != localapi.StateUnlicensed || st.Hint == "" {
		t.Fatalf("before activation: %+v", st)
	}
	r := f.request(a, 4660)
	if r.Reused || r.Weak || r.URL == "" || !strings.HasPrefix(r.URL, "HTTPS://PORTAL.EXAMPLE/R/") {
		t.Fatalf("request: %+v", r)
	}
	// The device code carries the product, the digest and the nonce.
	p, err := devcode.Parse(r.DeviceCode.String())
	if err != nil || p.Code.Product != 4660 || p.Code.Nonce != r.Nonce || !bytes.Equal(p.Code.Digest[:], r.Digest[:8]) {
		t.Fatalf("device code %v: %+v, %v", r.DeviceCode, p, err)
	}
	// The request URL carries the request bundle.
	_, raw, err := airgap.ParseRequestURL(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := codec.DecodeRequestBundle(raw)
	if err != nil || rb.Product != 4660 || rb.Nonce != r.Nonce || !bytes.Equal(rb.Digest, r.Digest[:]) {
		t.Fatalf("bundle: %+v, %v", rb, err)
	}
	// Asked again, the same request.
	again := f.request(a, 4660)
	if !again.Reused || again.DeviceCode != r.DeviceCode || again.URL != r.URL {
		t.Fatalf("second request differs: %+v", again)
	}
	if fresh, err := a.Request(RequestOptions{Product: 4660, New: true}); err != nil || fresh.Nonce == r.Nonce {
		t.Fatalf("--new: %+v, %v", fresh, err)
	}

	lic := f.device(vendorKey, r, 4660, 30, map[string]string{"seats": "5"})
	res, err := a.Import(lic)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	st := res.Status
	if !st.Licensed || st.State != localapi.StateLicensed || st.Product != 4660 || st.Features["seats"] != "5" ||
		st.ExpiresAt == nil || !st.ExpiresAt.Equal(t0.AddDate(0, 0, 30)) || *st.DaysLeft != 30 || len(st.Warnings) != 0 ||
		st.Binding == nil || !st.Binding.Match || st.Mode != "standalone" || st.Kind != "device-license" {
		t.Fatalf("status after import: %+v", st)
	}
	b, err := os.ReadFile(f.cfg.LicenseFile)
	if err != nil || !bytes.Contains(b, []byte("BEGIN LICET LICENSE")) {
		t.Fatalf("license file: %q, %v", b, err)
	}
	// The nonce of the used request is gone; the --new one is pending.
	if len(st.Pending) != 1 {
		t.Fatalf("pending after import: %+v", st.Pending)
	}
	if res, err := a.Import(lic); err != nil || !res.Already {
		t.Fatalf("import again: %+v, %v", res, err)
	}
}

func TestImportRefusals(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	r := f.request(a, 10)

	other := newFixture(t)
	other.cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(2))
	b := other.open()
	rOther := other.request(b, 10)

	expired := *r
	tests := []struct {
		name string
		lic  func() []byte
		want error
	}{
		{"untrusted", func() []byte { return f.device(otherKey, r, 10, 30, nil) }, ErrUntrusted},
		{"wrong product", func() []byte { return f.device(vendorKey, r, 11, 30, nil) }, ErrWrongProduct},
		{"other machine", func() []byte { return f.device(vendorKey, rOther, 10, 30, nil) }, ErrWrongMachine},
		{"other nonce", func() []byte {
			q := *r
			q.Nonce ^= 1
			return f.device(vendorKey, &q, 10, 30, nil)
		}, ErrNoRequest},
		{"expired", func() []byte {
			f.now = t0.AddDate(0, 0, -40)
			defer func() { f.now = t0 }()
			return f.device(vendorKey, &expired, 10, 30, nil)
		}, ErrExpired},
		{"not yet valid", func() []byte {
			f.now = t0.AddDate(0, 0, 3)
			defer func() { f.now = t0 }()
			return f.device(vendorKey, r, 10, 30, nil)
		}, ErrNotYetValid},
		{"garbage", func() []byte { return []byte("-----BEGIN LICET LICENSE-----\nAAAA\n-----END LICET LICENSE-----\n") }, ErrInvalid},
		{"order", func() []byte {
			return f.sign(vendorKey, &codec.OrderLicense{Header: codec.Header{ID: codec.ID{1}, IssuedAt: codec.At(t0)},
				Customer: "x", Product: 10, Mode: codec.ModePermanent, Seats: 1})
		}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Import(tt.lic())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Import: %v, want %v", err, tt.want)
			}
			if Hint(err) == "" {
				t.Errorf("no hint for %v", err)
			}
		})
	}
	if st := a.Status(); st.Licensed {
		t.Fatalf("licensed after refusals: %+v", st)
	}
}

func TestRelease(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	r := f.request(a, 10)
	lic := f.device(vendorKey, r, 10, 0, nil)
	if _, err := a.Import(lic); err != nil {
		t.Fatal(err)
	}
	rel, err := a.Release()
	if err != nil {
		t.Fatal(err)
	}
	if rel.Product != 10 || rel.Digest != hex.EncodeToString(r.Digest[:8]) || !rel.At.Equal(t0) {
		t.Fatalf("release: %+v", rel)
	}
	if _, err := os.Stat(f.cfg.LicenseFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("license file after release: %v", err)
	}
	if _, err := a.Import(lic); !errors.Is(err, ErrReleased) {
		t.Fatalf("import after release: %v", err)
	}
	if _, err := a.Release(); !errors.Is(err, ErrNoLicense) {
		t.Fatalf("second release: %v", err)
	}
}

func TestStatusOverTime(t *testing.T) {
	f := newFixture(t)
	a := f.activate(10, 30)
	day := 24 * time.Hour
	tests := []struct {
		at       time.Time
		policy   ClockPolicy
		state    string
		warnings int
	}{
		{t0.Add(time.Hour), ClockDeny, localapi.StateLicensed, 0},
		{t0.Add(25*day + time.Hour), ClockDeny, localapi.StateLicensed, 1}, // under 5 days left
		{t0.Add(10 * day), ClockDeny, localapi.StateClockBack, 0},          // 15 days back
		{t0.Add(10 * day), ClockWarn, localapi.StateLicensed, 2},           // expiry judged by trusted time: 4 days left
		{t0.Add(25*day - time.Hour), ClockDeny, localapi.StateLicensed, 1}, // an hour back: tolerated
		{t0.Add(30 * day), ClockDeny, localapi.StateExpired, 0},
		{t0.Add(20 * day), ClockWarn, localapi.StateExpired, 1}, // back again: still expired
	}
	for _, tt := range tests {
		f.now = tt.at
		a.cfg.ClockPolicy = tt.policy
		st := a.Status()
		if st.State != tt.state || len(st.Warnings) != tt.warnings {
			t.Fatalf("at %v (%v): state %s, warnings %q; want %s, %d warnings (reason %q)",
				tt.at, tt.policy, st.State, st.Warnings, tt.state, tt.warnings, st.Reason)
		}
		if st.Licensed != (tt.state == localapi.StateLicensed) {
			t.Fatalf("at %v: licensed %v in state %s", tt.at, st.Licensed, st.State)
		}
	}
	// The clock record never went back.
	m, err := a.dir.Clock()
	if err != nil || !m.Equal(t0.Add(30*day)) {
		t.Fatalf("clock mark %v, %v", m, err)
	}
}

func TestLeaseGrace(t *testing.T) {
	f := newFixture(t)
	a := f.open()
	r := f.request(a, 20)
	if _, err := a.Import(f.lease(r, 7, 3)); err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, tt := range []struct {
		at    time.Duration
		state string
	}{
		{0, localapi.StateLicensed},
		{2 * day, localapi.StateLicensed}, // renewal due: a warning
		{7 * day, localapi.StateGrace},
		{10*day - time.Second, localapi.StateGrace},
		{10 * day, localapi.StateExpired},
	} {
		f.now = t0.Add(tt.at)
		st := a.Status()
		if st.State != tt.state {
			t.Fatalf("at +%v: %s (%s), want %s", tt.at, st.State, st.Reason, tt.state)
		}
		if st.Mode != "periodic" || st.Kind != "lease" || st.GraceEndsAt == nil || st.RenewAfter == nil {
			t.Fatalf("at +%v: %+v", tt.at, st)
		}
		if tt.at == 2*day && (len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "renewal")) {
			t.Fatalf("renewal warning: %q", st.Warnings)
		}
		if st.State == localapi.StateGrace && st.Features["export"] != "yes" {
			t.Fatalf("features in grace: %v", st.Features)
		}
	}
}

func TestMachineChanges(t *testing.T) {
	f := newFixture(t)
	f.activate(10, 0)
	m := fingerprinttest.Workstation(1)
	m.NICs[2].MAC = fingerprinttest.MAC(1, "new")
	f.cfg.Sysroot = fingerprinttest.Build(t, m)
	if st := f.open().Status(); !st.Licensed || !st.Binding.Match {
		t.Fatalf("one NIC replaced: %+v", st)
	}
	m.Disks[0].Serial = fingerprinttest.Serial(1, "new")
	m.Disks[1].WWID = "new"
	f.cfg.Sysroot = fingerprinttest.Build(t, m)
	if st := f.open().Status(); st.Licensed || st.State != localapi.StateWrongMachine || st.Binding.Match {
		t.Fatalf("NIC and disks replaced: %+v", st)
	}
	// The whole state on another machine.
	f.cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Workstation(2))
	a := f.open()
	st := a.Status()
	if st.Licensed || st.State != localapi.StateWrongMachine || st.Hint == "" {
		t.Fatalf("other machine: %+v", st)
	}
	if _, err := a.Request(RequestOptions{Product: 10}); !errors.Is(err, ErrWrongMachine) {
		t.Fatalf("request on other machine: %v", err)
	}
	removed, err := a.Reset()
	if err != nil || len(removed) != 2 {
		t.Fatalf("reset: %v, %v", removed, err)
	}
	if st := a.Status(); st.State != localapi.StateUnlicensed {
		t.Fatalf("after reset: %+v", st)
	}
}

func TestTampered(t *testing.T) {
	f := newFixture(t)
	a := f.activate(10, 30)
	p := filepath.Join(f.cfg.State, recordName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { c := bytes.Clone(b); c[len(c)/2] ^= 0x40; return c },
		func(b []byte) []byte { return b[:len(b)-7] },
		func(b []byte) []byte { return append(bytes.Clone(b), 0) },
		func(b []byte) []byte { return []byte("hello") },
	} {
		if err := os.WriteFile(p, damage(b), 0o600); err != nil {
			t.Fatal(err)
		}
		st := a.Status()
		if st.Licensed || st.State != localapi.StateDamaged || !strings.Contains(st.Reason, "terminal") {
			t.Fatalf("damaged state: %+v", st)
		}
		if _, err := a.Request(RequestOptions{Product: 10}); !errors.Is(err, ErrStateDamaged) {
			t.Fatalf("request on damaged state: %v", err)
		}
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if st := a.Status(); !st.Licensed {
		t.Fatalf("restored: %+v", st)
	}
	// A well-sealed record that does not decode is damaged too.
	if err := a.dir.Put(recordName, []byte{0xa0}); err != nil {
		t.Fatal(err)
	}
	if st := a.Status(); st.State != localapi.StateDamaged {
		t.Fatalf("undecodable record: %+v", st)
	}
	if removed, err := a.Reset(); err != nil || len(removed) != 1 || removed[0] != recordName {
		t.Fatalf("reset: %v %v", removed, err)
	}
}

func TestIdentityMode(t *testing.T) {
	f := newFixture(t)
	f.cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.Container(1))
	f.cfg.InstanceID = "desk-0042"
	a := f.open()
	r := f.request(a, 10)
	if r.Instance != "desk-0042" || r.Weak {
		t.Fatalf("request: %+v", r)
	}
	if _, err := a.Import(f.device(vendorKey, r, 10, 30, nil)); err != nil {
		t.Fatal(err)
	}
	f.cfg.InstanceID = "desk-0043"
	if st := f.open().Status(); st.Licensed {
		t.Fatalf("another instance id: %+v", st)
	}
}

func TestWeakIdentity(t *testing.T) {
	f := newFixture(t)
	f.cfg.Sysroot = fingerprinttest.Build(t, fingerprinttest.CIRunner(1))
	a := f.open()
	r := f.request(a, 10)
	if !r.Weak || len(r.Missing) == 0 {
		t.Fatalf("CI runner not weak: %+v", r)
	}
	st := a.Status()
	if !st.Identity.Weak || len(st.Warnings) == 0 || !strings.Contains(st.Warnings[0], "weak identity") {
		t.Fatalf("status: %+v", st)
	}
}

func TestOpenErrors(t *testing.T) {
	f := newFixture(t)
	f.cfg.Trust = []string{filepath.Join(f.dir, "missing.pub")}
	if _, err := Open(f.cfg); err == nil || Hint(err) == "" {
		t.Fatalf("missing trust file: %v", err)
	}
	f = newFixture(t)
	empty := filepath.Join(f.dir, "empty")
	os.MkdirAll(empty, 0o755)
	f.cfg.Sysroot = empty
	if _, err := Open(f.cfg); err == nil || !strings.Contains(Hint(err), "instance-id") {
		t.Fatalf("machine without identity: %v", err)
	}
	// A damaged install key.
	f = newFixture(t)
	f.activate(1, 0)
	key := filepath.Join(f.cfg.State, state.KeyFile)
	os.WriteFile(key, []byte("nope"), 0o600)
	if _, err := Open(f.cfg); !errors.Is(err, ErrStateDamaged) || Hint(err) == "" {
		t.Fatalf("damaged install key: %v", err)
	}
}

func TestNoRoots(t *testing.T) {
	f := newFixture(t)
	f.activate(3, 0)
	f.cfg.Trust = nil
	st := f.open().Status()
	if st.Licensed || st.State != localapi.StateUntrusted {
		t.Fatalf("no roots: %+v", st)
	}
}
