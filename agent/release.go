package agent

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"licet.dev/licet/agent/state"
	"licet.dev/licet/codec"
	"licet.dev/licet/internal/hint"
)

// Released is the outcome of Release: what the vendor or the site needs to
// free the seat.
type Released struct {
	LicenseID codec.ID
	Product   uint16
	Order     codec.ID // zero when the vendor signed the license directly
	// Digest is the device digest the license was bound to (hex).
	Digest   string
	Instance string
	At       time.Time
	// Code is the release code (docs/formats.md, "Release codes") that the
	// vendor portal or the site console takes to free the seat.
	Code string
	// Classical is set when the activation given up was by confirmation
	// code.
	Classical bool
}

// Release gives up the license held: it is removed from the state and from
// Config.LicenseFile, and its id is remembered so that the same file cannot
// be imported again. It fails with ErrNoLicense when none is held.
func (a *Agent) Release() (*Released, error) {
	rec, err := a.readRecord()
	if err != nil {
		return nil, err
	}
	now := a.cfg.Now().UTC()
	if rec.License == nil {
		r, ok, err := a.releaseClassical(rec, now)
		if !ok {
			return nil, hint.Wrap(ErrNoLicense, "there is nothing to release; 'licetd status' shows what the terminal holds")
		}
		if err == nil {
			err = a.writeRecord(rec)
		}
		if err != nil {
			return nil, err
		}
		return r, nil
	}
	x, err := parseHeld(rec.License)
	if err != nil {
		return nil, hint.Wrap(fmt.Errorf("%w: the license kept in the state does not read: %v", ErrStateDamaged, err),
			"run 'licetd reset' to discard it")
	}
	r := &Released{LicenseID: x.id, Product: x.product, Instance: x.binding.Instance, At: now.Truncate(time.Second)}
	r.Order = x.leafOrder()
	if len(x.binding.Digest) > 0 {
		r.Digest = fmt.Sprintf("%x", []byte(x.binding.Digest))
	}
	if err := r.setFileCode(rec.License.File); err != nil {
		return nil, err
	}
	if err := a.dropClassical(); err != nil {
		return nil, err
	}
	rec.License = nil
	rec.release(x.id, now)
	if err := a.writeRecord(rec); err != nil {
		return nil, err
	}
	if err := a.writeLicenseFile(nil); err != nil {
		return nil, err
	}
	return r, nil
}

// leafOrder returns the order a license draws on, as the license names it.
func (x *holding) leafOrder() codec.ID {
	switch o := x.file.Leaf().Object.(type) {
	case *codec.DeviceLicense:
		return o.Order
	case *codec.Lease:
		return o.Order
	}
	return codec.ID{}
}

// Reset removes the files of the state directory that fail their check
// (damaged, edited, or sealed on another machine) and returns their names.
// Files that check out are kept.
func (a *Agent) Reset() ([]string, error) {
	names, err := a.dir.Names()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range names {
		var err error
		if n == state.ClockName {
			_, err = a.dir.Clock()
		} else {
			var b []byte
			b, err = a.dir.Get(n)
			if err == nil && n == recordName {
				_, err = decodeRecord(b)
			}
		}
		var fe *state.FileError
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if !errors.As(err, &fe) && n != recordName {
			return removed, err
		}
		if err := a.dir.Delete(n); err != nil {
			return removed, err
		}
		removed = append(removed, n)
	}
	if len(removed) > 0 {
		if err := a.writeLicenseFile(nil); err != nil {
			return removed, err
		}
	}
	return removed, nil
}
