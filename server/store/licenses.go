package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// LicenseKind says what a license file grants.
type LicenseKind string

// License kinds.
const (
	KindOrder  LicenseKind = "order"  // an order license for a site server
	KindDevice LicenseKind = "device" // a device license bound to one terminal
)

// License is a signed file the vendor issued, kept so that it can be
// downloaded again, listed, revoked and replaced.
type License struct {
	// ID is the id inside the signed file, chosen by the issuer.
	ID      string      `json:"id"`
	Kind    LicenseKind `json:"kind"`
	OrderID int64       `json:"order_id"`
	// DeviceCode and Binding identify the terminal of a device license:
	// the code as typed (normalized by the caller) and the digest of the
	// terminal's birth record.
	DeviceCode string `json:"device_code,omitempty"`
	Binding    []byte `json:"binding,omitempty"`
	// File is the signed license. Lists leave it empty; License fills it.
	File []byte `json:"-"`
	// KID names the root key that signed the file.
	KID        []byte    `json:"kid"`
	IssuedBy   string    `json:"issued_by"`
	IssuedAt   time.Time `json:"issued_at"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	Replaces   string    `json:"replaces,omitempty"`
	ReplacedBy string    `json:"replaced_by,omitempty"`
	// Code is the confirmation code of an activation by code (canonical
	// text), kept because its release code is checked against it.
	Code string `json:"code,omitempty"`
	// ReleasedAt is when the license's seat was freed by Release.
	ReleasedAt time.Time `json:"released_at,omitzero"`

	seq int64
}

// MaxLicenseFile bounds a license file, in bytes.
const MaxLicenseFile = 1 << 20

func licenseCols(withFile bool) string {
	file := "NULL"
	if withFile {
		file = "file"
	}
	return `seq, id, kind, order_id, device_code, binding, ` + file + `, kid, issued_by, issued_at, expires_at,
		revoked_at, replaces, replaced_by, code, released_at`
}

func scanLicense(r scanner, l *License) error {
	var kind string
	err := r.Scan(&l.seq, &l.ID, &kind, &l.OrderID, &l.DeviceCode, &l.Binding, &l.File, &l.KID, &l.IssuedBy,
		tcol(&l.IssuedAt), tcol(&l.ExpiresAt), tcol(&l.RevokedAt), nullStr{&l.Replaces}, nullStr{&l.ReplacedBy}, &l.Code,
		tcol(&l.ReleasedAt))
	l.Kind = LicenseKind(kind)
	return err
}

func checkLicense(l License) error {
	switch {
	case l.ID == "" || len(l.ID) > MaxName || !utf8.ValidString(l.ID):
		return fmt.Errorf("license id must be 1 to %d bytes: %w", MaxName, ErrInvalid)
	case l.Kind != KindOrder && l.Kind != KindDevice:
		return fmt.Errorf("license kind %q: %w", l.Kind, ErrInvalid)
	case len(l.File) == 0 || len(l.File) > MaxLicenseFile:
		return fmt.Errorf("license file must be 1 to %d bytes: %w", MaxLicenseFile, ErrInvalid)
	case len(l.KID) == 0 || l.IssuedAt.IsZero():
		return fmt.Errorf("license kid and issue time are required: %w", ErrInvalid)
	case l.Kind == KindDevice && len(l.Binding) == 0:
		return fmt.Errorf("device license without a terminal binding: %w", ErrInvalid)
	case len(l.DeviceCode) > MaxName || len(l.Code) > MaxName:
		return fmt.Errorf("device code or confirmation code longer than %d bytes: %w", MaxName, ErrInvalid)
	}
	return nil
}

// RecordLicense stores an issued license. When l.Replaces names an earlier
// license of the same order, that one is marked replaced (and revoked at
// l.IssuedAt, unless it was revoked before) in the same transaction; a
// license that was replaced already is ErrConflict. RevokedAt, ReplacedBy
// and ReleasedAt are ignored.
func (q *Queries) RecordLicense(ctx context.Context, l License) (License, error) {
	if err := checkLicense(l); err != nil {
		return License{}, fmt.Errorf("store: record license: %w", err)
	}
	var out License
	err := q.inTx(ctx, func(q *Queries) error {
		if l.Replaces != "" {
			var order int64
			var replacedBy string
			err := q.row(ctx, false, `SELECT order_id, replaced_by FROM licenses WHERE id = $1`+q.forUpdate(), l.Replaces).
				Scan(&order, nullStr{&replacedBy})
			if err != nil {
				return fmt.Errorf("store: record license %q: replaced license %q: %w", l.ID, l.Replaces, q.s.classify(err, ErrNotFound))
			}
			if order != l.OrderID {
				return fmt.Errorf("store: record license %q: replaced license %q belongs to order %d: %w", l.ID, l.Replaces, order, ErrInvalid)
			}
			if replacedBy != "" {
				return fmt.Errorf("store: record license %q: license %q was replaced by %q already: %w", l.ID, l.Replaces, replacedBy, ErrConflict)
			}
		}
		err := scanLicense(q.row(ctx, true, `INSERT INTO licenses (id, kind, order_id, device_code, binding, file, kid,
			issued_by, issued_at, expires_at, replaces, code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING `+licenseCols(true), l.ID, string(l.Kind), l.OrderID, l.DeviceCode, bytesOrNil(l.Binding), l.File, l.KID,
			l.IssuedBy, q.t(l.IssuedAt), q.t(l.ExpiresAt), strOrNil(l.Replaces), l.Code), &out)
		if err != nil {
			return fmt.Errorf("store: record license %q: %w", l.ID, q.s.classify(err, ErrNotFound))
		}
		if l.Replaces != "" {
			if _, err := q.exec(ctx, `UPDATE licenses SET replaced_by = $2, revoked_at = COALESCE(revoked_at, $3) WHERE id = $1`,
				l.Replaces, l.ID, q.t(l.IssuedAt)); err != nil {
				return fmt.Errorf("store: record license %q: marking %q replaced: %w", l.ID, l.Replaces, err)
			}
		}
		return nil
	})
	return out, err
}

// LicensesByPrefix returns the licenses, files included, whose id starts
// with prefix (lower-case hexadecimal, at least 8 digits), oldest first:
// a release code names its license by the first 16 digits of its id.
func (q *Queries) LicensesByPrefix(ctx context.Context, prefix string) ([]License, error) {
	if len(prefix) < 8 || len(prefix) > 32 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("store: licenses by prefix %.40q: want 8 to 32 lower-case hex digits: %w", prefix, ErrInvalid)
	}
	// A range on the unique index of id: every id with the prefix sorts
	// between prefix and prefix followed by the highest character used.
	rows, err := q.rows(ctx, `SELECT `+licenseCols(true)+` FROM licenses WHERE id >= $1 AND id < $2 ORDER BY seq`,
		prefix, prefix+"g")
	if err != nil {
		return nil, fmt.Errorf("store: licenses by prefix %s: %w", prefix, err)
	}
	defer rows.Close()
	out := []License{}
	for rows.Next() {
		var l License
		if err := scanLicense(rows, &l); err != nil {
			return nil, fmt.Errorf("store: licenses by prefix %s: %w", prefix, err)
		}
		if strings.HasPrefix(l.ID, prefix) {
			out = append(out, l)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: licenses by prefix %s: %w", prefix, err)
	}
	return out, nil
}

// License returns the license with the given id, file included.
func (q *Queries) License(ctx context.Context, id string) (License, error) {
	var l License
	if err := scanLicense(q.row(ctx, false, `SELECT `+licenseCols(true)+` FROM licenses WHERE id = $1`, id), &l); err != nil {
		return License{}, fmt.Errorf("store: license %q: %w", id, q.s.classify(err, ErrNotFound))
	}
	return l, nil
}

// RevokeLicense marks a license revoked at time at; revoking twice is
// ErrConflict. A device license that holds a seat keeps holding it: free the
// seat with Release.
func (q *Queries) RevokeLicense(ctx context.Context, id string, at time.Time) (License, error) {
	var out License
	err := q.inTx(ctx, func(q *Queries) error {
		var revoked time.Time
		if err := q.row(ctx, false, `SELECT revoked_at FROM licenses WHERE id = $1`+q.forUpdate(), id).Scan(tcol(&revoked)); err != nil {
			return fmt.Errorf("store: revoke license %q: %w", id, q.s.classify(err, ErrNotFound))
		}
		if !revoked.IsZero() {
			return fmt.Errorf("store: revoke license %q: already revoked: %w", id, ErrConflict)
		}
		err := scanLicense(q.row(ctx, true, `UPDATE licenses SET revoked_at = $2 WHERE id = $1 RETURNING `+licenseCols(false),
			id, q.t(at)), &out)
		if err != nil {
			return fmt.Errorf("store: revoke license %q: %w", id, q.s.classify(err, ErrNotFound))
		}
		return nil
	})
	return out, err
}

// LicenseFilter selects licenses for ListLicenses. Zero fields do not
// filter.
type LicenseFilter struct {
	ListOptions
	OrderID int64
	Kind    LicenseKind
	// Revoked, when set, keeps only revoked (true) or unrevoked (false)
	// licenses.
	Revoked *bool
	// Query matches licenses whose id or device code contains it.
	Query string
}

// ListLicenses returns licenses without their files, newest first.
func (q *Queries) ListLicenses(ctx context.Context, f LicenseFilter) (Page[License], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[License]{}, fmt.Errorf("store: list licenses: %w", err)
	}
	var w where
	if after > 0 {
		w.add("seq < ?", after)
	}
	if f.OrderID != 0 {
		w.add("order_id = ?", f.OrderID)
	}
	if f.Kind != "" {
		w.add("kind = ?", string(f.Kind))
	}
	if f.Revoked != nil {
		if *f.Revoked {
			w.add("revoked_at IS NOT NULL")
		} else {
			w.add("revoked_at IS NULL")
		}
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(lower(id) LIKE ? ESCAPE '\' OR lower(device_code) LIKE ? ESCAPE '\')`, p, p)
	}
	rows, err := q.rows(ctx, `SELECT `+licenseCols(false)+` FROM licenses`+w.sql()+
		` ORDER BY seq DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[License]{}, fmt.Errorf("store: list licenses: %w", err)
	}
	defer rows.Close()
	var out []License
	for rows.Next() {
		var l License
		if err := scanLicense(rows, &l); err != nil {
			return Page[License]{}, fmt.Errorf("store: list licenses: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return Page[License]{}, fmt.Errorf("store: list licenses: %w", err)
	}
	return finishPage(out, limit, func(l License) int64 { return l.seq }), nil
}

// Activation is a terminal holding (or having held) a seat of an order.
type Activation struct {
	ID      int64 `json:"id"`
	OrderID int64 `json:"order_id"`
	// Binding is the digest of the terminal's birth record; a terminal holds
	// at most one unreleased activation per order.
	Binding    []byte `json:"binding"`
	DeviceCode string `json:"device_code,omitempty"`
	// LicenseID is the newest device license issued for this activation.
	LicenseID   string    `json:"license_id,omitempty"`
	ActivatedAt time.Time `json:"activated_at"`
	RenewedAt   time.Time `json:"renewed_at"`
	// ExpiresAt, when set, is when the seat frees itself (a lease not
	// renewed); zero holds the seat until released.
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	ReleasedAt time.Time `json:"released_at,omitzero"`
	// Reused is set by Activate when the terminal already held a seat of
	// the order, which it keeps without using another.
	Reused bool `json:"reused,omitempty"`
}

// HoldsSeat reports whether the activation counts against the order's seats
// at time t.
func (a Activation) HoldsSeat(t time.Time) bool {
	return a.ReleasedAt.IsZero() && (a.ExpiresAt.IsZero() || t.Before(a.ExpiresAt))
}

const activationCols = `id, order_id, binding, device_code, license_id, activated_at, renewed_at, expires_at, released_at`

func scanActivation(r scanner, a *Activation) error {
	return r.Scan(&a.ID, &a.OrderID, &a.Binding, &a.DeviceCode, nullStr{&a.LicenseID}, tcol(&a.ActivatedAt),
		tcol(&a.RenewedAt), tcol(&a.ExpiresAt), tcol(&a.ReleasedAt))
}

// ActivateParams asks for a seat of an order for one terminal.
type ActivateParams struct {
	OrderID    int64
	Binding    []byte
	DeviceCode string
	// At is the time of the request; seats are counted as of At.
	At time.Time
	// ExpiresAt, when set, lets the seat lapse then unless renewed (periodic
	// leases); zero holds it until released.
	ExpiresAt time.Time
	// License, when set, is the device license issued for this activation,
	// recorded in the same transaction (Kind, OrderID and Binding are filled
	// in from the request when empty).
	License *License
}

// Activate gives a terminal a seat of an order, exactly: the order row is
// locked while held seats are counted, so concurrent callers, in this
// process or in others sharing the database, never grant more seats than
// the order has.
//
// A terminal that already holds a seat keeps it (Reused is set) and has its
// expiry and license updated. Otherwise a new seat is taken if one is free
// at p.At; a full order is ErrSeatsExhausted. A revoked order is
// ErrOrderRevoked; p.At outside the order's window is ErrOutsideWindow.
func (q *Queries) Activate(ctx context.Context, p ActivateParams) (Activation, error) {
	switch {
	case len(p.Binding) == 0 || len(p.Binding) > 64:
		return Activation{}, fmt.Errorf("store: activate: binding must be 1 to 64 bytes: %w", ErrInvalid)
	case p.At.IsZero():
		return Activation{}, fmt.Errorf("store: activate: time is required: %w", ErrInvalid)
	case !p.ExpiresAt.IsZero() && !norm(p.ExpiresAt).After(norm(p.At)):
		return Activation{}, fmt.Errorf("store: activate: expiry is not after the request: %w", ErrInvalid)
	case len(p.DeviceCode) > MaxName:
		return Activation{}, fmt.Errorf("store: activate: device code longer than %d bytes: %w", MaxName, ErrInvalid)
	}
	var lic License
	if p.License != nil {
		lic = *p.License
		if lic.Kind == "" {
			lic.Kind = KindDevice
		}
		if lic.OrderID == 0 {
			lic.OrderID = p.OrderID
		}
		if len(lic.Binding) == 0 {
			lic.Binding = p.Binding
		}
		if lic.DeviceCode == "" {
			lic.DeviceCode = p.DeviceCode
		}
		if lic.OrderID != p.OrderID || !bytes.Equal(lic.Binding, p.Binding) || lic.Kind != KindDevice {
			return Activation{}, fmt.Errorf("store: activate: license is not a device license for this order and terminal: %w", ErrInvalid)
		}
		if err := checkLicense(lic); err != nil {
			return Activation{}, fmt.Errorf("store: activate: %w", err)
		}
	}
	var out Activation
	err := q.inTx(ctx, func(q *Queries) error {
		var mode, status string
		var seats int
		var notBefore, notAfter time.Time
		// The row lock that serializes every seat decision of this order.
		err := q.row(ctx, false, `SELECT mode, seats, status, not_before, not_after FROM orders WHERE id = $1`+q.forUpdate(),
			p.OrderID).Scan(&mode, &seats, &status, tcol(&notBefore), tcol(&notAfter))
		if err != nil {
			return fmt.Errorf("store: activate on order %d: %w", p.OrderID, q.s.classify(err, ErrNotFound))
		}
		o := Order{Mode: Mode(mode), Seats: seats, NotBefore: notBefore, NotAfter: notAfter}
		switch {
		case OrderStatus(status) == OrderRevoked:
			return fmt.Errorf("store: activate on order %d: %w", p.OrderID, ErrOrderRevoked)
		case !o.InWindow(norm(p.At)):
			return fmt.Errorf("store: activate on order %d: %w", p.OrderID, ErrOutsideWindow)
		}

		var cur Activation
		err = scanActivation(q.row(ctx, false, `SELECT `+activationCols+` FROM activations
			WHERE order_id = $1 AND binding = $2 AND released_at IS NULL`, p.OrderID, p.Binding), &cur)
		held := err == nil
		if err != nil && q.s.classify(err, ErrNotFound) != ErrNotFound {
			return fmt.Errorf("store: activate on order %d: %w", p.OrderID, err)
		}

		if !(held && cur.HoldsSeat(norm(p.At))) && o.Counted() {
			var used int
			if err := q.row(ctx, false, `SELECT count(*) FROM activations
				WHERE order_id = $1 AND released_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
				p.OrderID, q.t(p.At)).Scan(&used); err != nil {
				return fmt.Errorf("store: activate on order %d: counting seats: %w", p.OrderID, err)
			}
			if used >= seats {
				return fmt.Errorf("store: activate on order %d: %d of %d seats in use: %w", p.OrderID, used, seats, ErrSeatsExhausted)
			}
		}

		var licID any
		if p.License != nil {
			if _, err := q.RecordLicense(ctx, lic); err != nil {
				return err
			}
			licID = lic.ID
		}
		if held {
			// Same terminal again: renew in place. A seat that had lapsed
			// was just counted as a new one above.
			if licID == nil {
				licID = strOrNil(cur.LicenseID)
			}
			code := p.DeviceCode
			if code == "" {
				code = cur.DeviceCode
			}
			err = scanActivation(q.row(ctx, true, `UPDATE activations SET renewed_at = $2, expires_at = $3,
				license_id = $4, device_code = $5 WHERE id = $1 RETURNING `+activationCols,
				cur.ID, q.t(p.At), q.t(p.ExpiresAt), licID, code), &out)
			out.Reused = cur.HoldsSeat(norm(p.At))
		} else {
			err = scanActivation(q.row(ctx, true, `INSERT INTO activations (order_id, binding, device_code, license_id,
				activated_at, renewed_at, expires_at) VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING `+activationCols,
				p.OrderID, p.Binding, p.DeviceCode, licID, q.t(p.At), q.t(p.ExpiresAt)), &out)
		}
		if err != nil {
			return fmt.Errorf("store: activate on order %d: %w", p.OrderID, q.s.classify(err, ErrNotFound))
		}
		return nil
	})
	return out, err
}

// SeatUsage is an order's seat count at one moment.
type SeatUsage struct {
	// Seats is the order's limit; 0 means not limited.
	Seats int `json:"seats"`
	// Used is the number of seats held at the time asked.
	Used int `json:"used"`
}

// Free returns the seats left, or -1 when the order is not limited.
func (u SeatUsage) Free() int {
	if u.Seats == 0 {
		return -1
	}
	return max(0, u.Seats-u.Used)
}

// SeatUsage counts the seats of an order held at time at.
func (q *Queries) SeatUsage(ctx context.Context, orderID int64, at time.Time) (SeatUsage, error) {
	var u SeatUsage
	var mode string
	err := q.row(ctx, false, `SELECT o.mode, o.seats, (SELECT count(*) FROM activations a
		WHERE a.order_id = o.id AND a.released_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > $2))
		FROM orders o WHERE o.id = $1`, orderID, q.t(at)).Scan(&mode, &u.Seats, &u.Used)
	if err != nil {
		return SeatUsage{}, fmt.Errorf("store: seat usage of order %d: %w", orderID, q.s.classify(err, ErrNotFound))
	}
	if Mode(mode) == ModeUnlimited {
		u.Seats = 0
	}
	return u, nil
}

// Activation returns the activation with the given id.
func (q *Queries) Activation(ctx context.Context, id int64) (Activation, error) {
	var a Activation
	if err := scanActivation(q.row(ctx, false, `SELECT `+activationCols+` FROM activations WHERE id = $1`, id), &a); err != nil {
		return Activation{}, fmt.Errorf("store: activation %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// ActivationByBinding returns a terminal's unreleased activation of an
// order (lapsed or not).
func (q *Queries) ActivationByBinding(ctx context.Context, orderID int64, binding []byte) (Activation, error) {
	var a Activation
	err := scanActivation(q.row(ctx, false, `SELECT `+activationCols+` FROM activations
		WHERE order_id = $1 AND binding = $2 AND released_at IS NULL`, orderID, binding), &a)
	if err != nil {
		return Activation{}, fmt.Errorf("store: activation on order %d: %w", orderID, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// ActivationFilter selects activations for ListActivations.
type ActivationFilter struct {
	ListOptions
	OrderID int64
	// HeldAt, when set, keeps only activations holding a seat at that time.
	HeldAt time.Time
	// Query matches activations whose device code contains it.
	Query string
}

// ListActivations returns activations, newest first.
func (q *Queries) ListActivations(ctx context.Context, f ActivationFilter) (Page[Activation], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[Activation]{}, fmt.Errorf("store: list activations: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if f.OrderID != 0 {
		w.add("order_id = ?", f.OrderID)
	}
	if !f.HeldAt.IsZero() {
		w.add("released_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", q.t(f.HeldAt))
	}
	if f.Query != "" {
		w.add(`lower(device_code) LIKE ? ESCAPE '\'`, likePattern(f.Query))
	}
	rows, err := q.rows(ctx, `SELECT `+activationCols+` FROM activations`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Activation]{}, fmt.Errorf("store: list activations: %w", err)
	}
	defer rows.Close()
	var out []Activation
	for rows.Next() {
		var a Activation
		if err := scanActivation(rows, &a); err != nil {
			return Page[Activation]{}, fmt.Errorf("store: list activations: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return Page[Activation]{}, fmt.Errorf("store: list activations: %w", err)
	}
	return finishPage(out, limit, func(a Activation) int64 { return a.ID }), nil
}

// ReleaseMethod says how a seat was given back.
type ReleaseMethod string

// Release methods.
const (
	ReleaseCode    ReleaseMethod = "code"    // a release code typed from an offline terminal
	ReleaseReceipt ReleaseMethod = "receipt" // a signed release receipt uploaded
	ReleaseConsole ReleaseMethod = "console" // an operator freed it in the portal
	ReleaseForced  ReleaseMethod = "forced"  // reclaimed from a dead machine without proof
)

// Valid reports whether m is a known method.
func (m ReleaseMethod) Valid() bool {
	return m == ReleaseCode || m == ReleaseReceipt || m == ReleaseConsole || m == ReleaseForced
}

// Release records a seat given back.
type Release struct {
	ID           int64         `json:"id"`
	ActivationID int64         `json:"activation_id"`
	OrderID      int64         `json:"order_id"`
	Method       ReleaseMethod `json:"method"`
	// Proof is a digest of the release code or receipt; each is accepted
	// once.
	Proof      []byte    `json:"proof,omitempty"`
	By         string    `json:"by"`
	Note       string    `json:"note,omitempty"`
	ReleasedAt time.Time `json:"released_at"`
}

const releaseCols = `id, activation_id, order_id, method, proof, by_actor, note, released_at`

func scanRelease(r scanner, rel *Release) error {
	var m string
	err := r.Scan(&rel.ID, &rel.ActivationID, &rel.OrderID, &m, &rel.Proof, &rel.By, &rel.Note, tcol(&rel.ReleasedAt))
	rel.Method = ReleaseMethod(m)
	return err
}

// Release frees the seat held by an activation and records how, in one
// transaction; the activation's device license, if any, is revoked and
// marked released at the same time. Releasing twice, or presenting a proof that was used before,
// is ErrConflict. ID and OrderID are ignored.
func (q *Queries) Release(ctx context.Context, r Release) (Release, error) {
	switch {
	case !r.Method.Valid():
		return Release{}, fmt.Errorf("store: release: method %q: %w", r.Method, ErrInvalid)
	case r.ReleasedAt.IsZero():
		return Release{}, fmt.Errorf("store: release: time is required: %w", ErrInvalid)
	case (r.Method == ReleaseCode || r.Method == ReleaseReceipt) && len(r.Proof) == 0:
		return Release{}, fmt.Errorf("store: release: a %s release needs its proof: %w", r.Method, ErrInvalid)
	case len(r.Proof) > 64 || len(r.By) > maxAuditText:
		return Release{}, fmt.Errorf("store: release: proof or actor too long: %w", ErrInvalid)
	}
	if err := checkText("note", r.Note, 0, MaxDescription); err != nil {
		return Release{}, fmt.Errorf("store: release: %w", err)
	}
	var out Release
	err := q.inTx(ctx, func(q *Queries) error {
		var order int64
		var released time.Time
		var lic string
		err := q.row(ctx, false, `SELECT order_id, released_at, license_id FROM activations WHERE id = $1`+q.forUpdate(),
			r.ActivationID).Scan(&order, tcol(&released), nullStr{&lic})
		if err != nil {
			return fmt.Errorf("store: release activation %d: %w", r.ActivationID, q.s.classify(err, ErrNotFound))
		}
		if !released.IsZero() {
			return fmt.Errorf("store: release activation %d: released already: %w", r.ActivationID, ErrConflict)
		}
		if _, err := q.exec(ctx, `UPDATE activations SET released_at = $2 WHERE id = $1`,
			r.ActivationID, q.t(r.ReleasedAt)); err != nil {
			return fmt.Errorf("store: release activation %d: %w", r.ActivationID, err)
		}
		if lic != "" {
			if _, err := q.exec(ctx, `UPDATE licenses SET revoked_at = COALESCE(revoked_at, $2), released_at = $2 WHERE id = $1`,
				lic, q.t(r.ReleasedAt)); err != nil {
				return fmt.Errorf("store: release activation %d: revoking license: %w", r.ActivationID, err)
			}
		}
		err = scanRelease(q.row(ctx, true, `INSERT INTO releases (activation_id, order_id, method, proof, by_actor, note, released_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+releaseCols,
			r.ActivationID, order, string(r.Method), bytesOrNil(r.Proof), r.By, r.Note, q.t(r.ReleasedAt)), &out)
		if err != nil {
			return fmt.Errorf("store: release activation %d: %w", r.ActivationID, q.s.classify(err, ErrNotFound))
		}
		return nil
	})
	return out, err
}

// ListReleases returns the releases of an order (all orders when orderID is
// 0), newest first.
func (q *Queries) ListReleases(ctx context.Context, orderID int64, o ListOptions) (Page[Release], error) {
	limit, after, err := o.page()
	if err != nil {
		return Page[Release]{}, fmt.Errorf("store: list releases: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if orderID != 0 {
		w.add("order_id = ?", orderID)
	}
	rows, err := q.rows(ctx, `SELECT `+releaseCols+` FROM releases`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Release]{}, fmt.Errorf("store: list releases: %w", err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		var rel Release
		if err := scanRelease(rows, &rel); err != nil {
			return Page[Release]{}, fmt.Errorf("store: list releases: %w", err)
		}
		out = append(out, rel)
	}
	if err := rows.Err(); err != nil {
		return Page[Release]{}, fmt.Errorf("store: list releases: %w", err)
	}
	return finishPage(out, limit, func(r Release) int64 { return r.ID }), nil
}
