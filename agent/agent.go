package agent

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"licet.dev/licet/agent/state"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/fingerprint"
	"licet.dev/licet/internal/atomicfile"
	"licet.dev/licet/internal/hint"
)

// stateSalt is the product id the state binding is computed under: the
// state directory belongs to the machine, whatever product it licenses.
const stateSalt = "licet-state"

// productSalt is the fingerprint product id of a product: its short id in
// decimal.
func productSalt(p uint16) string { return strconv.Itoa(int(p)) }

// Agent is an open terminal: the machine as seen through Config.Sysroot and
// the state directory bound to it. Its methods are the terminal's commands;
// Run is the daemon. An Agent is safe for use by one goroutine at a time;
// the state directory itself may be shared with other processes.
type Agent struct {
	cfg   Config
	dir   *state.Dir
	roots []*cose.PublicKey
	rand  io.Reader
	self  *fingerprint.Snapshot // the machine under stateSalt

	// newTimer makes the daemon's timers; tests replace it.
	newTimer func(time.Duration) (<-chan time.Time, func())
}

// Open reads the trusted roots and the machine, and opens the state
// directory bound to the machine (state.Options.Binding is the anchor
// digest of the machine: machine-id and DMI, or the instance id).
func Open(cfg Config) (*Agent, error) {
	cfg = cfg.withDefaults()
	a := &Agent{cfg: cfg, rand: cfg.Rand}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	roots, err := LoadTrust(cfg.Trust)
	if err != nil {
		return nil, err
	}
	a.roots = roots
	snap, err := a.collect(stateSalt)
	if err != nil {
		return nil, err
	}
	rec, err := snap.Record()
	if err != nil {
		if errors.Is(err, fingerprint.ErrEmptyRecord) {
			return nil, hint.Wrap(fmt.Errorf("agent: the machine under %s shows nothing to identify it by", cfg.Sysroot),
				"in a container or cloud desktop, give the terminal an identity with --instance-id ID")
		}
		return nil, err
	}
	a.self = snap
	binding := rec.AnchorDigest()
	dir, err := state.Open(cfg.State, state.Options{Binding: binding[:], Rand: cfg.Rand})
	if err != nil {
		return nil, a.stateErr(err)
	}
	a.dir = dir
	return a, nil
}

// Config returns the configuration the agent runs with, defaults filled in.
func (a *Agent) Config() Config { return a.cfg }

func (a *Agent) collect(salt string) (*fingerprint.Snapshot, error) {
	snap, err := fingerprint.Collect(fingerprint.Options{Sysroot: a.cfg.Sysroot, Product: salt, InstanceID: a.cfg.InstanceID})
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("agent: reading the machine: %w", err),
			"check --sysroot; in a container, use --instance-id ID")
	}
	return snap, nil
}

// stateErr turns an error of the state directory into one for people.
func (a *Agent) stateErr(err error) error {
	var fe *state.FileError
	switch {
	case errors.Is(err, fs.ErrPermission):
		return hint.Wrap(fmt.Errorf("agent: state directory %s: %w", a.cfg.State, err),
			"the state directory is readable by root only; run licetd as root, or pass --state DIR")
	case errors.Is(err, state.ErrWrongMachine):
		return hint.Wrap(&multiError{
			msg:  fmt.Sprintf("agent: wrong machine: the state directory %s was sealed on another machine, or its install key was replaced", a.cfg.State),
			errs: []error{ErrStateDamaged, ErrWrongMachine, err},
		}, "run 'licetd reset' to start afresh on this machine, then request a license with 'licetd request'")
	case errors.As(err, &fe) && fe.Name == state.KeyFile:
		return hint.Wrap(fmt.Errorf("%w: %v", ErrStateDamaged, err),
			"the install key of "+a.cfg.State+" is damaged or missing; move the directory aside and request a license again")
	case errors.As(err, &fe):
		return hint.Wrap(fmt.Errorf("%w: %v", ErrStateDamaged, err),
			"run 'licetd reset' to discard the damaged files; a license held must then be imported again")
	}
	return err
}

// readRecord returns the terminal's record; an empty one when none was
// stored yet.
func (a *Agent) readRecord() (*record, error) {
	b, err := a.dir.Get(recordName)
	if errors.Is(err, fs.ErrNotExist) {
		return &record{Version: recordVersion}, nil
	}
	if err != nil {
		return nil, a.stateErr(err)
	}
	r, err := decodeRecord(b)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: %s/%s: %v", ErrStateDamaged, a.cfg.State, recordName, err),
			"run 'licetd reset' to discard the damaged files; a license held must then be imported again")
	}
	return r, nil
}

func (a *Agent) writeRecord(r *record) error {
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	if err := a.dir.Put(recordName, b); err != nil {
		return a.stateErr(err)
	}
	return nil
}

// holding is the license held, parsed and checked against the roots and
// the machine.
type holding struct {
	file     *codec.File
	id       codec.ID
	head     *codec.Header
	product  uint16
	name     string
	features map[string]string
	binding  codec.Binding
	order    *codec.OrderLicense // the chain's order; nil when the vendor signed directly
	lease    *codec.Lease        // set for a lease
	grace    time.Duration       // the order's grace after the end
	issued   time.Time           // latest issue time in the chain
	birth    *fingerprint.Record // the birth record the license was bound to
	imported time.Time
	// classical is set for an activation by confirmation code (confirm.go):
	// a classical signature under the order, until a full license replaces it.
	classical bool

	signer    cose.KeyID
	verifyErr error               // why the signatures or the chain fail
	match     *fingerprint.Result // the machine against the birth record
	bindErr   error               // why the machine is not the one bound
}

// parseHeld parses a held license without verifying it.
func parseHeld(h *held) (*holding, error) {
	f, err := codec.ParseFile(h.File)
	if err != nil {
		return nil, err
	}
	birth, err := fingerprint.ParseRecord(h.Birth)
	if err != nil {
		return nil, err
	}
	x, err := holdingOf(f)
	if err != nil {
		return nil, err
	}
	x.birth = birth
	x.imported = time.Unix(h.Imported, 0).UTC()
	return x, nil
}

// holdingOf reads what a terminal needs from a license file.
func holdingOf(f *codec.File) (*holding, error) {
	x := &holding{file: f}
	switch o := f.Leaf().Object.(type) {
	case *codec.DeviceLicense:
		x.product, x.name, x.features, x.binding = o.Product, o.ProductName, o.Features, o.Binding
	case *codec.Lease:
		x.product, x.name, x.features, x.binding, x.lease = o.Product, o.ProductName, o.Features, o.Binding, o
	case *codec.OrderLicense:
		return nil, hint.Wrap(fmt.Errorf("%w: the file is order license %s, which a site server imports, not a terminal", ErrInvalid, o.ID),
			"ask the vendor or the site administrator for a device license for this terminal's device code")
	default:
		return nil, hint.Wrap(fmt.Errorf("%w: the file holds a %s, not a device license or lease", ErrInvalid, codec.TypeOf(o).Name()),
			"import the device license or lease made for this terminal")
	}
	x.head = codec.HeaderOf(f.Leaf().Object)
	x.id = x.head.ID
	for _, l := range f.Links {
		h := codec.HeaderOf(l.Object)
		if t := h.IssuedAt.Time(); t.After(x.issued) {
			x.issued = t
		}
		if o, ok := l.Object.(*codec.OrderLicense); ok {
			x.order = o
			x.grace = o.Grace.Duration()
		}
	}
	return x, nil
}

// start returns when the license starts: not_before, else issued_at.
func (x *holding) start() time.Time {
	if x.head.NotBefore != 0 {
		return x.head.NotBefore.Time()
	}
	return x.head.IssuedAt.Time()
}

// end returns the license's end, zero when it has none.
func (x *holding) end() time.Time {
	if x.head.NotAfter == 0 {
		return time.Time{}
	}
	return x.head.NotAfter.Time()
}

func (x *holding) kind() string {
	if x.lease != nil {
		return "lease"
	}
	return "device-license"
}

func (x *holding) mode() string {
	if x.order == nil {
		return "standalone"
	}
	return x.order.Mode.String()
}

// verify checks the signatures and the chain. Validity windows are judged
// by the caller at each instant, so the chain is verified at an instant
// inside the license's window: the one nearest to t.
func (x *holding) verify(roots []*cose.PublicKey, t time.Time) {
	if len(roots) == 0 {
		x.verifyErr = errNoRoots
		return
	}
	if s := x.start(); t.Before(s) {
		t = s
	}
	if e := x.end(); !e.IsZero() && !t.Before(e) {
		t = e.Add(-time.Second)
	}
	v := codec.Verifier{Roots: roots, Now: t}
	res, err := v.Verify(x.file)
	if err != nil {
		x.verifyErr = verifyErr(err)
		return
	}
	x.signer = res.Signer.ID()
}

// usable reports whether the license verifies and has not ended, grace
// included, at t.
func (x *holding) usable(roots []*cose.PublicKey, t time.Time) bool {
	x.verify(roots, t)
	e := x.end()
	return x.verifyErr == nil && !t.Before(x.start()) && (e.IsZero() || t.Before(e.Add(x.grace)))
}

// verifyErr maps a codec verification error to this package's outcomes.
func verifyErr(err error) error {
	switch {
	case errors.Is(err, codec.ErrUntrustedKey):
		return hint.Wrap(fmt.Errorf("%w: %v", ErrUntrusted, err),
			"the license is signed by a key this terminal does not trust; check that --trust names the vendor's public key")
	case errors.Is(err, codec.ErrBadSignature):
		return hint.Wrap(fmt.Errorf("%w: a signature does not verify, the file was changed or damaged: %v", ErrInvalid, err),
			"get the license file again from the vendor")
	case errors.Is(err, codec.ErrWrongProduct):
		return hint.Wrap(fmt.Errorf("%w: %w: %v", ErrInvalid, ErrWrongProduct, err), "ask the vendor for a license of the right product")
	case errors.Is(err, codec.ErrExpired):
		return hint.Wrap(fmt.Errorf("%w: %v", ErrExpired, err), "ask the vendor or the site administrator for a new license")
	case errors.Is(err, codec.ErrNotYetValid):
		return hint.Wrap(fmt.Errorf("%w: %v", ErrNotYetValid, err), "check the system clock")
	}
	return hint.Wrap(fmt.Errorf("%w: %v", ErrInvalid, err), "ask the vendor for a new license file")
}

// bind checks that the machine seen in snap is the one the license is
// bound to.
func (x *holding) bind(snap *fingerprint.Snapshot, instance string) {
	b := &x.binding
	if b.Instance != "" && b.Instance != instance {
		if instance == "" {
			x.bindErr = fmt.Errorf("%w: the license is bound to instance %q, this terminal has no instance id", ErrWrongMachine, b.Instance)
		} else {
			x.bindErr = fmt.Errorf("%w: the license is bound to instance %q, this terminal is %q", ErrWrongMachine, b.Instance, instance)
		}
		return
	}
	if d := x.birth.Digest(); len(b.Digest) > 0 && !bytes.HasPrefix(d[:], b.Digest) {
		x.bindErr = fmt.Errorf("%w: the license is bound to device digest %x, not to the birth record kept (%x)", ErrWrongMachine, []byte(b.Digest), d[:len(b.Digest)])
		return
	}
	policy, err := fingerprint.ParsePolicy(b.Policy.String())
	if err != nil {
		x.bindErr = fmt.Errorf("%w: %v", ErrInvalid, err)
		return
	}
	x.match = snap.Match(x.birth, policy)
	if !x.match.OK {
		x.bindErr = fmt.Errorf("%w: %s", ErrWrongMachine, x.match.Summary)
	}
}

// view is what the state holds, checked: the costly part of a status
// (reading the state and the machine, verifying signatures), which the
// daemon keeps between queries.
type view struct {
	rec      *record
	recErr   error
	held     *holding
	snap     *fingerprint.Snapshot
	mark     time.Time // trusted time: the clock record, raised by the license's issue times
	clockErr error
}

// load reads and checks the state at now.
func (a *Agent) load(now time.Time) *view {
	v := &view{snap: a.self}
	v.mark, v.clockErr = a.dir.Clock()
	v.rec, v.recErr = a.readRecord()
	if v.recErr == nil && v.rec.License == nil {
		a.loadClassical(v, now)
	}
	if v.recErr != nil || v.rec.License == nil {
		return v
	}
	x, err := parseHeld(v.rec.License)
	if err != nil {
		v.recErr = hint.Wrap(fmt.Errorf("%w: the license kept in the state does not read: %v", ErrStateDamaged, err),
			"run 'licetd reset', then import the license again")
		return v
	}
	v.held = x
	if x.issued.After(v.mark) {
		v.mark = x.issued
	}
	x.verify(a.roots, later(now, v.mark))
	snap, err := a.collect(productSalt(x.product))
	if err != nil {
		x.bindErr = err
		return v
	}
	v.snap = snap
	x.bind(snap, a.cfg.InstanceID)
	return v
}

// errNoRoots is the outcome of verifying anything without a trusted root.
var errNoRoots = hint.Wrap(fmt.Errorf("%w: no trusted vendor root is configured", ErrUntrusted),
	"give the vendor's public key with --trust FILE, or trust = FILE in the configuration")

// times returns the clock's time and the effective time that judges
// validity: the later of the clock and the trusted time mark.
func (a *Agent) times() (now, eff time.Time, err error) {
	mark, err := a.dir.Clock()
	if err != nil {
		return time.Time{}, time.Time{}, a.stateErr(err)
	}
	now = a.cfg.Now()
	return now, later(now, mark), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// advance records now (and the license's issue times) in the clock record
// and returns the trusted time after it.
func (a *Agent) advance(v *view, now time.Time) time.Time {
	if v.clockErr != nil {
		return v.mark
	}
	t := later(now, v.mark)
	m, err := a.dir.AdvanceClock(t)
	if err != nil {
		v.clockErr = err
		return v.mark
	}
	return m
}

// writeLicenseFile writes the license held to Config.LicenseFile when the
// terminal is licensed, and removes the file otherwise.
func (a *Agent) writeLicenseFile(b []byte) error {
	p := a.cfg.LicenseFile
	if p == "" {
		return nil
	}
	if b == nil {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("agent: license file: %w", err)
		}
		return nil
	}
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, b) {
		return nil
	}
	err := os.MkdirAll(filepath.Dir(p), 0o755)
	if err == nil {
		err = atomicfile.Write(p, b, 0o644)
	}
	if err != nil {
		return fmt.Errorf("agent: license file: %w", err)
	}
	return nil
}
