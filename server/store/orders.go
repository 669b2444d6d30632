package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Mode is how an order counts seats (DESIGN section 6).
type Mode string

// The five activation modes.
const (
	ModePermanent     Mode = "permanent"     // activated terminals hold seats until reclaimed
	ModePeriodic      Mode = "periodic"      // terminals holding an unexpired lease
	ModeConcurrent    Mode = "concurrent"    // live sessions
	ModeUnlimited     Mode = "unlimited"     // not limited during the window
	ModePreactivation Mode = "preactivation" // per device, validity from first activation
)

// Valid reports whether m is one of the five modes.
func (m Mode) Valid() bool {
	switch m {
	case ModePermanent, ModePeriodic, ModeConcurrent, ModeUnlimited, ModePreactivation:
		return true
	}
	return false
}

// OrderStatus is an order's life-cycle state.
type OrderStatus string

// Order states.
const (
	OrderActive  OrderStatus = "active"
	OrderRevoked OrderStatus = "revoked"
)

// Order is what a customer bought: seats of one product under one mode.
type Order struct {
	ID         int64 `json:"id"`
	ProductID  int64 `json:"product_id"`
	CustomerID int64 `json:"customer_id"`
	Mode       Mode  `json:"mode"`
	// Seats is the number of terminals the order grants; 0 means no limit.
	// ModeUnlimited orders are never limited, whatever Seats says.
	Seats int `json:"seats"`
	// NotBefore and NotAfter bound the order's validity; a zero NotAfter
	// has no end.
	NotBefore time.Time `json:"not_before"`
	NotAfter  time.Time `json:"not_after,omitzero"`
	// LeasePeriod, RenewInterval and Grace are kept to the second.
	LeasePeriod   time.Duration `json:"lease_period"`
	RenewInterval time.Duration `json:"renew_interval"`
	Grace         time.Duration `json:"grace"`
	// Features and Constraints are JSON documents the store keeps as given
	// ("{}" when empty).
	Features    json.RawMessage `json:"features"`
	Constraints json.RawMessage `json:"constraints"`
	// SiteKey is the public key of the site server the order delegates to;
	// empty for orders the vendor serves itself.
	SiteKey   []byte      `json:"site_key,omitempty"`
	Status    OrderStatus `json:"status"`
	Notes     string      `json:"notes"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	RevokedAt time.Time   `json:"revoked_at,omitzero"`

	// ProductName and CustomerName are read from the rows the order refers
	// to, for lists; CreateOrder ignores them.
	ProductName  string `json:"product_name"`
	CustomerName string `json:"customer_name"`
}

// Counted reports whether the order limits the number of seats.
func (o Order) Counted() bool { return o.Mode != ModeUnlimited && o.Seats > 0 }

// InWindow reports whether t lies within [NotBefore, NotAfter).
func (o Order) InWindow(t time.Time) bool {
	return !t.Before(o.NotBefore) && (o.NotAfter.IsZero() || t.Before(o.NotAfter))
}

const orderCols = `o.id, o.product_id, o.customer_id, o.mode, o.seats, o.not_before, o.not_after, o.lease_period_s,
	o.renew_interval_s, o.grace_s, o.features, o.constraints, o.site_key, o.status, o.notes, o.created_by,
	o.created_at, o.revoked_at, p.name, c.name`

const orderFrom = ` FROM orders o JOIN products p ON p.id = o.product_id JOIN customers c ON c.id = o.customer_id`

func scanOrder(r scanner, o *Order) error {
	var mode, status, features, constraints string
	var lease, renew, grace int64
	err := r.Scan(&o.ID, &o.ProductID, &o.CustomerID, &mode, &o.Seats, tcol(&o.NotBefore), tcol(&o.NotAfter),
		&lease, &renew, &grace, &features, &constraints, &o.SiteKey, &status, &o.Notes, &o.CreatedBy,
		tcol(&o.CreatedAt), tcol(&o.RevokedAt), &o.ProductName, &o.CustomerName)
	o.Mode, o.Status = Mode(mode), OrderStatus(status)
	o.LeasePeriod, o.RenewInterval, o.Grace = time.Duration(lease)*time.Second, time.Duration(renew)*time.Second, time.Duration(grace)*time.Second
	o.Features, o.Constraints = json.RawMessage(features), json.RawMessage(constraints)
	return err
}

// MaxJSON bounds the features and constraints documents, in bytes.
const MaxJSON = 64 << 10

// CreateOrder adds an active order; ID, Status, RevokedAt and the names are
// ignored. A missing product or customer is ErrNotFound.
func (q *Queries) CreateOrder(ctx context.Context, o Order) (Order, error) {
	switch {
	case !o.Mode.Valid():
		return Order{}, fmt.Errorf("store: create order: mode %q: %w", o.Mode, ErrInvalid)
	case o.Seats < 0:
		return Order{}, fmt.Errorf("store: create order: seats %d: %w", o.Seats, ErrInvalid)
	case o.LeasePeriod < 0 || o.RenewInterval < 0 || o.Grace < 0:
		return Order{}, fmt.Errorf("store: create order: negative lease period, renew interval or grace: %w", ErrInvalid)
	case o.NotBefore.IsZero() || o.CreatedAt.IsZero():
		return Order{}, fmt.Errorf("store: create order: start of validity and creation time are required: %w", ErrInvalid)
	case !o.NotAfter.IsZero() && !norm(o.NotAfter).After(norm(o.NotBefore)):
		return Order{}, fmt.Errorf("store: create order: validity ends before it starts: %w", ErrInvalid)
	case len(o.Features) > MaxJSON || len(o.Constraints) > MaxJSON:
		return Order{}, fmt.Errorf("store: create order: features or constraints longer than %d bytes: %w", MaxJSON, ErrInvalid)
	}
	if err := checkText("notes", o.Notes, 0, MaxDescription); err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	features, err := jsonText("features", o.Features, "{}")
	if err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	constraints, err := jsonText("constraints", o.Constraints, "{}")
	if err != nil {
		return Order{}, fmt.Errorf("store: create order: %w", err)
	}
	var out Order
	err = q.inTx(ctx, func(q *Queries) error {
		var id int64
		err := q.row(ctx, true, `INSERT INTO orders (product_id, customer_id, mode, seats, not_before, not_after,
			lease_period_s, renew_interval_s, grace_s, features, constraints, site_key, notes, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			o.ProductID, o.CustomerID, string(o.Mode), o.Seats, q.t(o.NotBefore), q.t(o.NotAfter),
			seconds(o.LeasePeriod), seconds(o.RenewInterval), seconds(o.Grace), features, constraints,
			bytesOrNil(o.SiteKey), o.Notes, o.CreatedBy, q.t(o.CreatedAt)).Scan(&id)
		if err != nil {
			return fmt.Errorf("store: create order for product %d, customer %d: %w", o.ProductID, o.CustomerID, q.s.classify(err, ErrNotFound))
		}
		out, err = q.Order(ctx, id)
		return err
	})
	return out, err
}

// Order returns the order with the given id.
func (q *Queries) Order(ctx context.Context, id int64) (Order, error) {
	var o Order
	if err := scanOrder(q.row(ctx, false, `SELECT `+orderCols+orderFrom+` WHERE o.id = $1`, id), &o); err != nil {
		return Order{}, fmt.Errorf("store: order %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return o, nil
}

// RevokeOrder marks an order revoked at time at, and every license issued
// under it that is not revoked yet, in one transaction. Revoking twice is
// ErrConflict.
func (q *Queries) RevokeOrder(ctx context.Context, id int64, at time.Time) (Order, error) {
	var out Order
	err := q.inTx(ctx, func(q *Queries) error {
		var status string
		err := q.row(ctx, false, `SELECT status FROM orders WHERE id = $1`+q.forUpdate(), id).Scan(&status)
		if err != nil {
			return fmt.Errorf("store: revoke order %d: %w", id, q.s.classify(err, ErrNotFound))
		}
		if OrderStatus(status) == OrderRevoked {
			return fmt.Errorf("store: revoke order %d: already revoked: %w", id, ErrConflict)
		}
		if _, err := q.exec(ctx, `UPDATE orders SET status = 'revoked', revoked_at = $2 WHERE id = $1`, id, q.t(at)); err != nil {
			return fmt.Errorf("store: revoke order %d: %w", id, err)
		}
		if _, err := q.exec(ctx, `UPDATE licenses SET revoked_at = $2 WHERE order_id = $1 AND revoked_at IS NULL`, id, q.t(at)); err != nil {
			return fmt.Errorf("store: revoke order %d: revoking its licenses: %w", id, err)
		}
		out, err = q.Order(ctx, id)
		return err
	})
	return out, err
}

// OrderFilter selects orders for ListOrders. Zero fields do not filter.
type OrderFilter struct {
	ListOptions
	// Query matches orders whose product name, customer name or notes
	// contain it.
	Query      string
	Status     OrderStatus
	Mode       Mode
	ProductID  int64
	CustomerID int64
}

// ListOrders returns orders, newest first.
func (q *Queries) ListOrders(ctx context.Context, f OrderFilter) (Page[Order], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[Order]{}, fmt.Errorf("store: list orders: %w", err)
	}
	var w where
	if after > 0 {
		w.add("o.id < ?", after)
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(lower(p.name) LIKE ? ESCAPE '\' OR lower(c.name) LIKE ? ESCAPE '\' OR lower(o.notes) LIKE ? ESCAPE '\')`, p, p, p)
	}
	if f.Status != "" {
		w.add("o.status = ?", string(f.Status))
	}
	if f.Mode != "" {
		w.add("o.mode = ?", string(f.Mode))
	}
	if f.ProductID != 0 {
		w.add("o.product_id = ?", f.ProductID)
	}
	if f.CustomerID != 0 {
		w.add("o.customer_id = ?", f.CustomerID)
	}
	rows, err := q.rows(ctx, `SELECT `+orderCols+orderFrom+w.sql()+
		` ORDER BY o.id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Order]{}, fmt.Errorf("store: list orders: %w", err)
	}
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := scanOrder(rows, &o); err != nil {
			return Page[Order]{}, fmt.Errorf("store: list orders: %w", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return Page[Order]{}, fmt.Errorf("store: list orders: %w", err)
	}
	return finishPage(out, limit, func(o Order) int64 { return o.ID }), nil
}
