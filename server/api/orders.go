package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/server/store"
)

const day = 24 * time.Hour

// order is an order as the API shows it and takes it. Durations are whole
// days, as people set them.
type order struct {
	ID             int64              `json:"id"`
	UID            string             `json:"uid" doc:"the order's id inside its licenses (32 hex digits)"`
	ProductID      int64              `json:"product_id"`
	ProductName    string             `json:"product_name"`
	CustomerID     int64              `json:"customer_id"`
	CustomerName   string             `json:"customer_name"`
	Mode           string             `json:"mode" enum:"permanent|periodic|concurrent|unlimited|preactivation"`
	Seats          int                `json:"seats" doc:"0 in mode unlimited"`
	SeatsUsed      int                `json:"seats_used" doc:"seats held now, counted in the database"`
	NotBefore      time.Time          `json:"not_before"`
	NotAfter       *time.Time         `json:"not_after,omitempty" doc:"absent: no end"`
	LeaseDays      int                `json:"lease_days,omitempty"`
	RenewDays      int                `json:"renew_days,omitempty"`
	GraceDays      int                `json:"grace_days,omitempty"`
	MaxBorrowDays  int                `json:"max_borrow_days,omitempty" doc:"concurrent only: longest offline checkout"`
	DeviceTermDays int                `json:"device_term_days,omitempty" doc:"preactivation only: validity from each device's activation"`
	Features       map[string]string  `json:"features"`
	Constraints    codec.Constraints  `json:"constraints"`
	Versions       codec.VersionRange `json:"versions"`
	AutoActivation bool               `json:"auto_activation" doc:"false: only registered or approved terminals activate"`
	ReclaimReview  bool               `json:"reclaim_review"`
	MatchPolicy    string             `json:"match_policy" enum:"fuzzy|exact|loose"`
	Reference      string             `json:"reference,omitempty" doc:"the vendor's own order number"`
	SiteKey        string             `json:"site_key,omitempty" doc:"licet-pub1:... of the site server the order delegates to"`
	ConfirmCodes   bool               `json:"confirm_codes" doc:"the order license names a confirmation key: terminals can be activated with typed confirmation codes"`
	ConfirmKey     string             `json:"confirm_key,omitempty" doc:"the confirmation key's public key (hex, SEC 1 compressed P-224)"`
	Notes          string             `json:"notes"`
	Status         string             `json:"status" enum:"active|revoked"`
	CreatedBy      string             `json:"created_by"`
	CreatedAt      time.Time          `json:"created_at"`
	RevokedAt      *time.Time         `json:"revoked_at,omitempty"`
}

// orderCreate is the body of POST /api/v1/orders.
type orderCreate struct {
	ProductID      int64              `json:"product_id"`
	CustomerID     int64              `json:"customer_id"`
	Mode           string             `json:"mode" enum:"permanent|periodic|concurrent|unlimited|preactivation"`
	Seats          int                `json:"seats,omitempty" doc:"required except in mode unlimited"`
	NotBefore      *time.Time         `json:"not_before,omitempty" doc:"default: now"`
	NotAfter       *time.Time         `json:"not_after,omitempty" doc:"default: no end"`
	LeaseDays      int                `json:"lease_days,omitempty" doc:"required in modes periodic and concurrent"`
	RenewDays      int                `json:"renew_days,omitempty"`
	GraceDays      int                `json:"grace_days,omitempty"`
	MaxBorrowDays  int                `json:"max_borrow_days,omitempty"`
	DeviceTermDays int                `json:"device_term_days,omitempty"`
	Features       map[string]string  `json:"features,omitempty"`
	Constraints    codec.Constraints  `json:"constraints,omitzero"`
	Versions       codec.VersionRange `json:"versions,omitzero"`
	AutoActivation *bool              `json:"auto_activation,omitempty" doc:"default true"`
	ReclaimReview  bool               `json:"reclaim_review,omitempty"`
	MatchPolicy    string             `json:"match_policy,omitempty" enum:"fuzzy|exact|loose"`
	Reference      string             `json:"reference,omitempty"`
	SiteKey        string             `json:"site_key,omitempty"`
	ConfirmCodes   bool               `json:"confirm_codes,omitempty" doc:"name the vendor's confirmation key in the order license, for typed confirmation codes (modes permanent, unlimited, preactivation)"`
	Notes          string             `json:"notes,omitempty"`
}

// orderTerms are the terms of an order that the store keeps as one JSON
// document (its constraints column): everything the order license carries
// beyond the store's own columns.
type orderTerms struct {
	UID           codec.ID           `json:"uid"`
	Constraints   codec.Constraints  `json:"constraints,omitzero"`
	Versions      codec.VersionRange `json:"versions,omitzero"`
	Manual        bool               `json:"manual,omitempty"`
	ReclaimReview bool               `json:"reclaim_review,omitempty"`
	MaxBorrow     codec.Seconds      `json:"max_borrow,omitempty"`
	DeviceTerm    codec.Seconds      `json:"device_term,omitempty"`
	Policy        codec.MatchPolicy  `json:"policy,omitempty"`
	Reference     string             `json:"reference,omitempty"`
	// ConfirmKey is the public confirmation key the order license names
	// (codec/confirm), if any.
	ConfirmKey codec.Bytes `json:"confirm_key,omitempty"`
}

func termsOf(o store.Order) (orderTerms, map[string]string, error) {
	var t orderTerms
	if len(o.Constraints) == 0 {
		o.Constraints = json.RawMessage("{}")
	}
	if len(o.Features) == 0 {
		o.Features = json.RawMessage("{}")
	}
	if err := json.Unmarshal(o.Constraints, &t); err != nil {
		return t, nil, fmt.Errorf("order %d: reading terms: %w", o.ID, err)
	}
	var f map[string]string
	if err := json.Unmarshal(o.Features, &f); err != nil {
		return t, nil, fmt.Errorf("order %d: reading features: %w", o.ID, err)
	}
	if f == nil {
		f = map[string]string{}
	}
	return t, f, nil
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (a *API) orderOf(o store.Order, used int) (order, error) {
	t, f, err := termsOf(o)
	if err != nil {
		return order{}, err
	}
	out := order{
		ID: o.ID, UID: t.UID.String(), ProductID: o.ProductID, ProductName: o.ProductName,
		CustomerID: o.CustomerID, CustomerName: o.CustomerName, Mode: string(o.Mode), Seats: o.Seats,
		SeatsUsed: used, NotBefore: o.NotBefore, NotAfter: optTime(o.NotAfter),
		LeaseDays: int(o.LeasePeriod / day), RenewDays: int(o.RenewInterval / day), GraceDays: int(o.Grace / day),
		MaxBorrowDays: int(t.MaxBorrow.Duration() / day), DeviceTermDays: int(t.DeviceTerm.Duration() / day),
		Features: f, Constraints: t.Constraints, Versions: t.Versions, AutoActivation: !t.Manual,
		ReclaimReview: t.ReclaimReview, MatchPolicy: t.Policy.String(), Reference: t.Reference,
		Notes: o.Notes, Status: string(o.Status), CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt,
		RevokedAt: optTime(o.RevokedAt), ConfirmCodes: len(t.ConfirmKey) > 0,
	}
	if len(t.ConfirmKey) > 0 {
		out.ConfirmKey = hex.EncodeToString(t.ConfirmKey)
	}
	if len(o.SiteKey) > 0 {
		k, err := cose.ParsePublicKey(o.SiteKey)
		if err != nil {
			return order{}, fmt.Errorf("order %d: site key: %w", o.ID, err)
		}
		out.SiteKey = k.String()
	}
	return out, nil
}

// orderLicense builds the order license of o at time now (not signed).
func (a *API) orderLicense(o store.Order, short uint16, now time.Time) (*codec.OrderLicense, error) {
	t, f, err := termsOf(o)
	if err != nil {
		return nil, err
	}
	ol := &codec.OrderLicense{
		Header: codec.Header{Type: codec.TypeOrder, Version: codec.Version, ID: t.UID,
			IssuedAt: codec.At(now), NotBefore: codec.At(o.NotBefore)},
		Vendor: a.vendor, Customer: o.CustomerName, Reference: t.Reference,
		Product: short, ProductName: o.ProductName, Versions: t.Versions,
		Seats:       uint32(o.Seats),
		LeasePeriod: codec.Seconds(o.LeasePeriod / time.Second), RenewInterval: codec.Seconds(o.RenewInterval / time.Second),
		Grace: codec.Seconds(o.Grace / time.Second), Constraints: t.Constraints, SiteKey: o.SiteKey,
		Manual: t.Manual, ReclaimReview: t.ReclaimReview, MaxBorrow: t.MaxBorrow, DeviceTerm: t.DeviceTerm,
	}
	if len(f) > 0 {
		ol.Features = f
	}
	if len(t.ConfirmKey) > 0 {
		pub, err := confirm.ParsePublicKey(t.ConfirmKey)
		if err != nil {
			return nil, fmt.Errorf("order %d: confirmation key: %w", o.ID, err)
		}
		ol.ConfirmKey = pub.ConfirmKey()
	}
	if !o.NotAfter.IsZero() {
		ol.NotAfter = codec.At(o.NotAfter)
	}
	if err := ol.Mode.UnmarshalText([]byte(o.Mode)); err != nil {
		return nil, err
	}
	return ol, nil
}

func days(field string, n int, v *invalid) codec.Seconds {
	if n < 0 || n > 36500 {
		v.add(field, "must be 0 to 36500 days")
		return 0
	}
	return codec.Days(n)
}

func (a *API) createOrder(w http.ResponseWriter, r *http.Request) error {
	var in orderCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	now := a.now()
	var v invalid
	if in.ProductID <= 0 {
		v.add("product_id", "is required")
	}
	if in.CustomerID <= 0 {
		v.add("customer_id", "is required")
	}
	var mode codec.Mode
	if err := mode.UnmarshalText([]byte(in.Mode)); err != nil {
		v.add("mode", "must be permanent, periodic, concurrent, unlimited or preactivation")
	}
	if in.Seats < 0 || in.Seats > 1<<31-1 {
		v.add("seats", "must be a positive number")
	}
	if mode != codec.ModeUnlimited && mode != 0 && in.Seats == 0 {
		v.add("seats", "is required in mode %s", mode)
	}
	if mode == codec.ModeUnlimited && in.Seats != 0 {
		v.add("seats", "must be absent in mode unlimited")
	}
	var policy codec.MatchPolicy
	if in.MatchPolicy != "" {
		if err := policy.UnmarshalText([]byte(in.MatchPolicy)); err != nil {
			v.add("match_policy", "must be fuzzy, exact or loose")
		}
	}
	t := orderTerms{Constraints: in.Constraints, Versions: in.Versions, ReclaimReview: in.ReclaimReview,
		Policy: policy, Reference: in.Reference,
		MaxBorrow: days("max_borrow_days", in.MaxBorrowDays, &v), DeviceTerm: days("device_term_days", in.DeviceTermDays, &v)}
	t.Manual = in.AutoActivation != nil && !*in.AutoActivation
	if _, err := io.ReadFull(a.rand, t.UID[:]); err != nil {
		return err
	}
	so := store.Order{
		ProductID: in.ProductID, CustomerID: in.CustomerID, Mode: store.Mode(in.Mode), Seats: in.Seats,
		NotBefore: now, LeasePeriod: days("lease_days", in.LeaseDays, &v).Duration(),
		RenewInterval: days("renew_days", in.RenewDays, &v).Duration(), Grace: days("grace_days", in.GraceDays, &v).Duration(),
		Notes: in.Notes, CreatedBy: actorName(r), CreatedAt: now,
	}
	if in.NotBefore != nil {
		so.NotBefore = *in.NotBefore
	}
	if in.NotAfter != nil {
		so.NotAfter = *in.NotAfter
		if !so.NotAfter.After(so.NotBefore) {
			v.add("not_after", "must be after not_before")
		}
	}
	if in.SiteKey != "" {
		var k cose.PublicKey
		if err := k.UnmarshalText([]byte(strings.TrimSpace(in.SiteKey))); err != nil {
			v.add("site_key", "is not a licet-pub1: public key: %v", err)
		} else {
			so.SiteKey = k.Bytes()
		}
	}
	if in.ConfirmCodes && (mode == codec.ModePeriodic || mode == codec.ModeConcurrent) {
		v.add("confirm_codes", "mode %s grants leases from a site server; confirmation codes activate terminals of permanent, unlimited and preactivation orders", mode)
	}
	if err := v.err(); err != nil {
		return err
	}
	if in.ConfirmCodes {
		pub, err := a.keys.CurrentConfirmKey(r.Context(), a.rand, now)
		if err != nil {
			return fmt.Errorf("the confirmation key: %w", err)
		}
		t.ConfirmKey = pub.Bytes()
	}
	tj, _ := json.Marshal(t)
	so.Constraints = tj
	if in.Features != nil {
		fj, _ := json.Marshal(in.Features)
		so.Features = fj
	}

	var out store.Order
	err := a.inTx(r, func(q *store.Queries, au *auditor) error {
		p, err := q.Product(r.Context(), in.ProductID)
		if err != nil {
			return fieldNotFound("product_id", "product", err)
		}
		c, err := q.Customer(r.Context(), in.CustomerID)
		if err != nil {
			return fieldNotFound("customer_id", "customer", err)
		}
		// The order must make a valid order license: check it now rather
		// than when it is issued.
		so.ProductName, so.CustomerName, so.ID = p.Name, c.Name, 0
		ol, err := a.orderLicense(so, p.ShortID, now)
		if err == nil {
			_, err = codec.Marshal(ol)
		}
		if err != nil {
			msg := strings.TrimPrefix(err.Error(), "codec: order: ")
			return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg, Err: err}
		}
		if out, err = q.CreateOrder(r.Context(), so); err != nil {
			return err
		}
		return au.log(q, "order.create", fmt.Sprintf("order:%d", out.ID), map[string]any{
			"product": p.Name, "customer": c.Name, "mode": in.Mode, "seats": in.Seats, "confirm_codes": in.ConfirmCodes})
	})
	if err != nil {
		return storeErr(err, "order")
	}
	res, err := a.orderOf(out, 0)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, res)
}

// fieldNotFound turns a missing referenced row into a validation error on
// the field that named it.
func fieldNotFound(field, what string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: field + ": no such " + what,
			Fields: []FieldError{{Field: field, Message: "no such " + what}}, Err: err}
	}
	return err
}

// actorName names the caller of r as licenses and audit entries show it.
func actorName(r *http.Request) string {
	if p := principalOf(r); p != nil {
		return p.Actor()
	}
	return "anonymous"
}

func (a *API) listOrders(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	f := store.OrderFilter{ListOptions: lo, Query: qv.Get("q"), Status: store.OrderStatus(qv.Get("status")), Mode: store.Mode(qv.Get("mode"))}
	if f.Status != "" && f.Status != store.OrderActive && f.Status != store.OrderRevoked {
		return errBadRequest("status must be active or revoked", nil)
	}
	if f.Mode != "" && !f.Mode.Valid() {
		return errBadRequest("mode must be permanent, periodic, concurrent, unlimited or preactivation", nil)
	}
	if f.ProductID, err = queryInt(r, "product"); err != nil {
		return err
	}
	if f.CustomerID, err = queryInt(r, "customer"); err != nil {
		return err
	}
	p, err := a.store.ListOrders(r.Context(), f)
	if err != nil {
		return storeErr(err, "order")
	}
	out := list[order]{Items: make([]order, 0, len(p.Items)), NextCursor: p.Next}
	for _, o := range p.Items {
		used, err := a.seatsUsed(r, o.ID)
		if err != nil {
			return err
		}
		oo, err := a.orderOf(o, used)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, oo)
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) getOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "order")
	if err != nil {
		return err
	}
	o, err := a.store.Order(r.Context(), id)
	if err != nil {
		return storeErr(err, "order")
	}
	used, err := a.seatsUsed(r, o.ID)
	if err != nil {
		return err
	}
	out, err := a.orderOf(o, used)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) revokeOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "order")
	if err != nil {
		return err
	}
	var out store.Order
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		if out, err = q.RevokeOrder(r.Context(), id, a.now()); err != nil {
			return err
		}
		return au.log(q, "order.revoke", fmt.Sprintf("order:%d", id), nil)
	})
	if err != nil {
		return storeErr(err, "order")
	}
	a.orders.forget()
	used, err := a.seatsUsed(r, out.ID)
	if err != nil {
		return err
	}
	res, err := a.orderOf(out, used)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}

// seatsUsed counts the seats of an order held now.
func (a *API) seatsUsed(r *http.Request, id int64) (int, error) {
	u, err := a.store.SeatUsage(r.Context(), id, a.now())
	if err != nil {
		return 0, storeErr(err, "order")
	}
	return u.Used, nil
}
