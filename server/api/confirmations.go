package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/server/store"
)

// confirmationCreate is the body of POST /api/v1/orders/{id}/confirmations.
type confirmationCreate struct {
	DeviceCode string `json:"device_code" doc:"the terminal's device code as read out; one wrong character is corrected"`
	Days       int    `json:"days,omitempty" doc:"validity from now in days, rounded up to whole days from the order's start; 0 or absent: the device term of a preactivation order, else the order's end"`
}

// confirmationResult is the answer to a confirmation.
type confirmationResult struct {
	Code       string      `json:"code" doc:"80 characters in 16 groups of five, typed at the terminal ('licetd confirm CODE')"`
	License    license     `json:"license" doc:"the activation's record; object confirmation, its file the full device license that replaces the classical activation"`
	NotAfter   *time.Time  `json:"not_after,omitempty" doc:"end of the grant; absent: none"`
	Correction *correction `json:"correction,omitempty" doc:"present when the device code was corrected"`
	Reused     bool        `json:"reused" doc:"the terminal already held a seat of the order (or this very code was issued before); no new seat was used"`
	SeatsUsed  *int        `json:"seats_used,omitempty" doc:"seats held now; absent for an order that does not count seats (mode unlimited)"`
	Seats      int         `json:"seats" doc:"0: not limited"`
}

// confirmErr maps the outcomes of codec/confirm to problems.
func confirmErr(err error) error {
	msg := strings.TrimPrefix(err.Error(), "confirm: ")
	switch {
	case errors.Is(err, confirm.ErrNoKey):
		return &Error{Status: http.StatusConflict, Code: CodeNoConfirmKey, Public: "the order names no confirmation key; create the order with confirm_codes", Err: err}
	case errors.Is(err, confirm.ErrWrongProduct):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg,
			Fields: []FieldError{{Field: "device_code", Message: msg}}, Err: err}
	case errors.Is(err, confirm.ErrTerms):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg,
			Fields: []FieldError{{Field: "days", Message: msg}}, Err: err}
	}
	return err
}

// createConfirmation issues the confirmation code that activates the
// terminal of a device code under an order whose license names a
// confirmation key (docs/formats.md, "Confirmation codes"). It takes a seat
// as an activation does and records the activation under the code's license
// id, with the code (a release code is checked against it) and, as its
// file, the full hybrid-signed device license of the same grant, which can
// reach the terminal later and replace the classical activation.
//
// Codes are deterministic: the same device code and days give the same
// code, and asking again re-shows it without taking a second seat.
func (a *API) createConfirmation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "order")
	if err != nil {
		return err
	}
	var in confirmationCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.DeviceCode) == "" {
		return invalid{{Field: "device_code", Message: "is required"}}.err()
	}
	if in.Days < 0 || in.Days > confirm.MaxDays {
		return invalid{{Field: "days", Message: fmt.Sprintf("must be 0 to %d", confirm.MaxDays)}}.err()
	}
	p, corr, err := readDeviceCode(in.DeviceCode)
	if err != nil {
		return err
	}
	ctx := r.Context()
	it, err := a.orders.get(ctx, a.store, id)
	if err != nil {
		return storeErr(err, "order")
	}
	o, terms := it.order, it.terms
	now := a.now()
	ol, err := a.orderLicense(o, it.short, now)
	if err != nil {
		return err
	}
	if len(terms.ConfirmKey) == 0 {
		return confirmErr(confirm.ErrNoKey)
	}
	key, err := a.keys.ConfirmKey(ctx, terms.ConfirmKey)
	if err != nil {
		return fmt.Errorf("order %d: %w", o.ID, err)
	}
	var days uint16
	var end time.Time
	switch {
	case in.Days > 0:
		end = now.Add(time.Duration(in.Days) * day)
	case terms.DeviceTerm != 0:
		end = now.Add(terms.DeviceTerm.Duration())
	}
	if !end.IsZero() {
		if days, err = confirm.DaysUntil(ol, codec.At(end)); err != nil {
			return confirmErr(err)
		}
	}
	c, err := confirm.New(key, ol, p.Code, days)
	if err != nil {
		return confirmErr(err)
	}
	g, err := confirm.Verify(ol, p.Code, c)
	if err != nil {
		return fmt.Errorf("order %d: the confirmation code just made does not verify: %w", o.ID, err)
	}
	licID := c.LicenseID().String()

	// The same code again: show it, take nothing more.
	if prev, err := a.store.License(ctx, licID); err == nil {
		if !prev.ReleasedAt.IsZero() {
			return errConflict("the terminal released this activation; it shows a new device code for a new one", nil)
		}
		return a.writeConfirmation(w, r, c, g, prev, o, corr, true)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if g.NotAfter != 0 && !now.Before(g.NotAfter.Time()) {
		return confirmErr(fmt.Errorf("%w: the grant ended at %s", confirm.ErrTerms, g.NotAfter))
	}
	dl, err := g.License(codec.At(now))
	if err != nil {
		return confirmErr(err)
	}
	file, kid, err := a.sign(dl)
	if err != nil {
		return err
	}
	binding := p.Code.Digest[:]
	lic := store.License{ID: licID, Kind: store.KindDevice, OrderID: o.ID, DeviceCode: p.Canonical, Binding: binding,
		File: file, KID: kid, IssuedBy: actorName(r), IssuedAt: now, Code: c.String()}
	if g.NotAfter != 0 {
		lic.ExpiresAt = g.NotAfter.Time()
	}
	var act store.Activation
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		act, err = q.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: binding, DeviceCode: p.Canonical, At: now, License: &lic})
		if err != nil {
			return err
		}
		return au.log(q, "license.confirm", "license:"+lic.ID, map[string]any{"kind": "device", "object": "confirmation",
			"order": o.ID, "device_code": p.Canonical, "days": days, "reused": act.Reused})
	})
	if err != nil {
		return storeErr(err, "order")
	}
	a.metrics.IssuedDevice(corr != nil)
	return a.writeConfirmation(w, r, c, g, lic, o, corr, act.Reused)
}

func (a *API) writeConfirmation(w http.ResponseWriter, r *http.Request, c confirm.Code, g *confirm.Grant, l store.License,
	o store.Order, corr *correction, reused bool) error {
	used, seats, err := a.seatCount(r, o)
	if err != nil {
		return err
	}
	out := confirmationResult{Code: c.String(), License: a.licenseOf(l), Correction: corr, Reused: reused,
		SeatsUsed: used, Seats: seats}
	if g.NotAfter != 0 {
		t := g.NotAfter.Time()
		out.NotAfter = &t
	}
	return writeJSON(w, http.StatusCreated, out)
}
