package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server/store"
)

// license is an issued license as the API shows it (without its file).
type license struct {
	ID         string     `json:"id" doc:"32 hex digits"`
	Kind       string     `json:"kind" enum:"order|device"`
	Object     string     `json:"object" enum:"order|device|lease|confirmation" doc:"the signed object the file holds; confirmation: an activation by confirmation code, whose file is the full device license of the same grant"`
	OrderID    int64      `json:"order_id"`
	DeviceCode string     `json:"device_code,omitempty" doc:"canonical device code of a device license"`
	Binding    string     `json:"binding,omitempty" doc:"hex digest prefix of the terminal's birth record"`
	KeyID      string     `json:"key_id" doc:"id of the root key that signed it"`
	Status     string     `json:"status" enum:"active|revoked|replaced|expired|released"`
	IssuedBy   string     `json:"issued_by"`
	IssuedAt   time.Time  `json:"issued_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Replaces   string     `json:"replaces,omitempty"`
	ReplacedBy string     `json:"replaced_by,omitempty"`
	ReleasedAt *time.Time `json:"released_at,omitempty" doc:"when a release code (or an operator) freed the seat"`
	Code       string     `json:"code,omitempty" doc:"the confirmation code of an activation by code"`
	FileName   string     `json:"file_name" doc:"suggested name of the downloaded file"`
	FileURL    string     `json:"file_url" doc:"path of GET /api/v1/licenses/{id}/file"`
}

func (a *API) licenseOf(l store.License) license { return a.licenseView(l, "") }

// licenseView is licenseOf for a license whose object is known ("device",
// "lease"; "" reads it from the file).
func (a *API) licenseView(l store.License, object string) license {
	out := license{ID: l.ID, Kind: string(l.Kind), Object: string(l.Kind), OrderID: l.OrderID, DeviceCode: l.DeviceCode,
		KeyID: hex.EncodeToString(l.KID), IssuedBy: l.IssuedBy, IssuedAt: l.IssuedAt,
		ExpiresAt: optTime(l.ExpiresAt), RevokedAt: optTime(l.RevokedAt), Replaces: l.Replaces, ReplacedBy: l.ReplacedBy,
		ReleasedAt: optTime(l.ReleasedAt), Code: l.Code, FileURL: "/api/v1/licenses/" + l.ID + "/file"}
	if len(l.Binding) > 0 {
		out.Binding = hex.EncodeToString(l.Binding)
	}
	switch {
	case l.Code != "":
		out.Object = "confirmation"
	case object != "":
		out.Object = object
	case l.Kind == store.KindDevice && len(l.File) > 0:
		if f, err := codec.ParseFile(l.File); err == nil && codec.TypeOf(f.Leaf().Object) == codec.TypeLease {
			out.Object = "lease"
		}
	}
	switch {
	case !l.ReleasedAt.IsZero():
		out.Status = "released"
	case l.ReplacedBy != "":
		out.Status = "replaced"
	case !l.RevokedAt.IsZero():
		out.Status = "revoked"
	case !l.ExpiresAt.IsZero() && !a.now().Before(l.ExpiresAt):
		out.Status = "expired"
	default:
		out.Status = "active"
	}
	short := l.ID
	if len(short) > 8 {
		short = short[:8]
	}
	out.FileName = fmt.Sprintf("%s-%d-%s.license", l.Kind, l.OrderID, short)
	return out
}

// newID returns a fresh object id.
func (a *API) newID() (codec.ID, error) {
	var id codec.ID
	_, err := io.ReadFull(a.rand, id[:])
	return id, err
}

// sign signs o with the active root key and returns the file, in its
// binary form, and the key id. Records keep the binary form, about a
// quarter smaller than the armoured text, which fits a license in fewer
// database pages; the download armours it.
func (a *API) sign(o codec.Object) ([]byte, []byte, error) {
	key := a.keys.Active()
	raw, err := codec.Sign(a.rand, key, o)
	if err != nil {
		return nil, nil, err
	}
	f, err := codec.NewFile(raw)
	if err != nil {
		return nil, nil, err
	}
	kid := key.Public().ID()
	return f.Marshal(), kid[:], nil
}

// issueOrder signs the order license of order id and records it; replaces
// names the license it replaces, if any.
func (a *API) issueOrder(r *http.Request, id int64, replaces string) (store.License, error) {
	ctx := r.Context()
	o, err := a.store.Order(ctx, id)
	if err != nil {
		return store.License{}, storeErr(err, "order")
	}
	if o.Status != store.OrderActive {
		return store.License{}, &Error{Status: http.StatusConflict, Code: CodeOrderInactive, Public: "the order is revoked"}
	}
	p, err := a.store.Product(ctx, o.ProductID)
	if err != nil {
		return store.License{}, storeErr(err, "product")
	}
	now := a.now()
	ol, err := a.orderLicense(o, p.ShortID, now)
	if err != nil {
		return store.License{}, err
	}
	if ol.NotAfter != 0 && ol.NotAfter <= ol.IssuedAt {
		return store.License{}, &Error{Status: http.StatusConflict, Code: CodeOrderInactive, Public: "the order has expired"}
	}
	recID, err := a.newID()
	if err != nil {
		return store.License{}, err
	}
	file, kid, err := a.sign(ol)
	if err != nil {
		return store.License{}, err
	}
	var out store.License
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		out, err = q.RecordLicense(ctx, store.License{ID: recID.String(), Kind: store.KindOrder, OrderID: id, File: file,
			KID: kid, IssuedBy: actorName(r), IssuedAt: now, ExpiresAt: o.NotAfter, Replaces: replaces})
		if err != nil {
			return err
		}
		action := "license.issue"
		if replaces != "" {
			action = "license.reissue"
		}
		return au.log(q, action, "license:"+out.ID, map[string]any{"kind": "order", "order": id, "key": hex.EncodeToString(kid), "replaces": replaces})
	})
	if err != nil {
		return store.License{}, storeErr(err, "license")
	}
	a.metrics.IssuedOrder()
	return out, nil
}

func (a *API) issueOrderLicense(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "order")
	if err != nil {
		return err
	}
	l, err := a.issueOrder(r, id, "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, a.licenseOf(l))
}

// activationCreate is the body of POST /api/v1/activations: an order and
// either a typed device code or the request a terminal's QR code carries.
type activationCreate struct {
	OrderID    int64  `json:"order_id"`
	DeviceCode string `json:"device_code,omitempty" doc:"25 characters as typed; case, spaces and hyphens are ignored and one wrong character is corrected"`
	Request    string `json:"request,omitempty" doc:"the request URL a terminal's QR code opens, or its part after /R/"`
}

// correction tells the person what was fixed in the code they typed.
type correction struct {
	Input     string          `json:"input"`
	Corrected string          `json:"corrected" doc:"the canonical code after correction"`
	Changes   []correctedChar `json:"changes"`
}

type correctedChar struct {
	Position int    `json:"position" doc:"1-based among the code's characters (25 in a device code)"`
	Group    int    `json:"group" doc:"1-based group of five"`
	Was      string `json:"was"`
	Became   string `json:"became"`
}

// activationResult is the answer to an activation.
type activationResult struct {
	License    license     `json:"license"`
	Correction *correction `json:"correction,omitempty" doc:"present when the device code was corrected"`
	Reused     bool        `json:"reused" doc:"the terminal already held a seat of the order; no new seat was used"`
	SeatsUsed  *int        `json:"seats_used,omitempty" doc:"seats held now; absent for an order that does not count seats (mode unlimited): GET /api/v1/orders/{id} reports it"`
	Seats      int         `json:"seats" doc:"0: not limited"`
}

// readDeviceCode parses a device code typed by a person: 422
// invalid_device_code when it cannot be read, the correction when a
// character was fixed.
func readDeviceCode(s string) (devcode.Parsed, *correction, error) {
	p, err := devcode.Parse(s)
	if err != nil {
		return devcode.Parsed{}, nil, codeProblem(CodeInvalidCode, "device_code", err, devcode.ErrorKind(err))
	}
	return p, correctionOf(s, p.Canonical, p.Corrections), nil
}

// codeProblem is the 422 problem of a typed code that cannot be read, with
// the fault located for the form: the kind of error, and the position of a
// character outside the alphabet or the check block that failed.
func codeProblem(code, field string, err error, kind string) *Error {
	msg := err.Error()
	for _, p := range []string{"confirm: ", "release: ", "devcode: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	fe := FieldError{Field: field, Message: msg, Kind: kind}
	var se *devcode.SyntaxError
	if errors.As(err, &se) {
		fe.Position = se.Pos
	}
	var ce *devcode.CheckError
	if errors.As(err, &ce) {
		fe.First, fe.Last = ce.First, ce.Last
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: code, Public: msg, Fields: []FieldError{fe}, Err: err}
}

// correctionOf reports the characters fixed in a typed code; nil when none
// was.
func correctionOf(input, canonical string, cs []devcode.Correction) *correction {
	if len(cs) == 0 {
		return nil
	}
	c := &correction{Input: input, Corrected: canonical}
	for _, x := range cs {
		c.Changes = append(c.Changes, correctedChar{Position: x.Pos, Group: x.Group(), Was: string(x.Was), Became: string(x.Became)})
	}
	return c
}

// terminal is what an activation learned about the terminal.
type terminal struct {
	product    uint16
	digest     []byte // 8 bytes from a device code, 32 from a request
	nonce      uint32
	components []codec.Component
	instance   string
	code       string // canonical device code, when typed
	requested  codec.ID
}

var requestPayload = regexp.MustCompile(`^[0-9A-Za-z]+$`)

// readTerminal parses the device code or request of an activation.
func readTerminal(in activationCreate) (*terminal, *correction, error) {
	switch {
	case in.DeviceCode != "" && in.Request != "":
		return nil, nil, invalid{{Field: "device_code", Message: "give a device code or a request, not both"}}.err()
	case in.DeviceCode != "":
		p, c, err := readDeviceCode(in.DeviceCode)
		if err != nil {
			return nil, nil, err
		}
		return &terminal{product: p.Code.Product, digest: p.Code.Digest[:], nonce: p.Code.Nonce, code: p.Canonical}, c, nil
	case in.Request != "":
		s := strings.TrimSpace(in.Request)
		if requestPayload.MatchString(s) {
			s = "HTTPS://PORTAL/R/" + strings.ToUpper(s)
		}
		_, raw, err := airgap.ParseRequestURL(s)
		if err == nil {
			var rb *codec.RequestBundle
			rb, err = codec.DecodeRequestBundle(raw)
			if err == nil {
				return &terminal{product: rb.Product, digest: rb.Digest, nonce: rb.Nonce, components: rb.Components,
					instance: rb.Instance, requested: rb.Order}, nil, nil
			}
		}
		msg := "the request cannot be read: " + strings.TrimPrefix(strings.TrimPrefix(err.Error(), "airgap: "), "codec: ")
		return nil, nil, &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidRequest, Public: msg,
			Fields: []FieldError{{Field: "request", Message: msg}}, Err: err}
	}
	return nil, nil, invalid{{Field: "device_code", Message: "a device code or a request is required"}}.err()
}

// grant builds the signed object for terminal t on order o at now: a lease
// in modes periodic and concurrent, a device license otherwise. It returns
// the object, when the seat lapses unless renewed (zero: held until
// released), and when the license expires.
func (a *API) grant(it *issuing, t *terminal, now time.Time) (codec.Object, time.Time, time.Time, error) {
	o, short, terms, features := it.order, it.short, it.terms, it.features
	id, err := a.newID()
	if err != nil {
		return nil, time.Time{}, time.Time{}, err
	}
	b := codec.Binding{Digest: t.digest, Nonce: t.nonce, Policy: terms.Policy, Components: t.components, Instance: t.instance}
	h := codec.Header{Type: codec.TypeDevice, Version: codec.Version, ID: id, IssuedAt: codec.At(now)}
	if !o.NotAfter.IsZero() {
		h.NotAfter = codec.At(o.NotAfter)
	}
	if len(features) == 0 {
		features = nil
	}
	var seatEnd time.Time
	switch o.Mode {
	case store.ModePeriodic, store.ModeConcurrent:
		end := now.Add(o.LeasePeriod)
		if !o.NotAfter.IsZero() && end.After(o.NotAfter) {
			end = o.NotAfter
		}
		h.Type, h.NotAfter = codec.TypeLease, codec.At(end)
		renew := o.RenewInterval
		if renew == 0 {
			renew = o.LeasePeriod / 2
		}
		seatEnd = end.Add(o.Grace)
		l := &codec.Lease{Header: h, Product: short, ProductName: o.ProductName, Features: features,
			Order: terms.UID, Binding: b, RenewAfter: codec.At(now.Add(renew)), ServerTime: codec.At(now)}
		return l, seatEnd, end, nil
	case store.ModePreactivation:
		if terms.DeviceTerm != 0 {
			end := now.Add(terms.DeviceTerm.Duration())
			if o.NotAfter.IsZero() || end.Before(o.NotAfter) {
				h.NotAfter = codec.At(end)
			}
		}
	}
	d := &codec.DeviceLicense{Header: h, Product: short, ProductName: o.ProductName, Features: features,
		Order: terms.UID, Binding: b}
	var exp time.Time
	if h.NotAfter != 0 {
		exp = h.NotAfter.Time()
	}
	return d, seatEnd, exp, nil
}

// activated is the outcome of an activation.
type activated struct {
	license    store.License
	activation store.Activation
	order      store.Order
	object     string // "device" or "lease"
}

// activate issues a device license (or lease) for terminal t on order id,
// taking a seat; replaces names the license a reissue replaces.
//
// The license is signed before the transaction that takes the seat, so that
// the database's single writer (on SQLite) is held only for the few
// statements of the transaction; a license signed for a seat that turns out
// to be unavailable is dropped.
func (a *API) activate(r *http.Request, orderID int64, t *terminal, replaces string) (activated, error) {
	ctx := r.Context()
	it, err := a.orders.get(ctx, a.store, orderID)
	if err != nil {
		if replaces == "" {
			return activated{}, fieldNotFound("order_id", "order", err)
		}
		return activated{}, storeErr(err, "order")
	}
	o := it.order
	if t.product != it.short {
		msg := fmt.Sprintf("the terminal asks for product %d, order %d is for product %d (%s)", t.product, o.ID, it.short, o.ProductName)
		return activated{}, &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg,
			Fields: []FieldError{{Field: "order_id", Message: msg}}}
	}
	now := a.now()
	obj, seatEnd, exp, err := a.grant(it, t, now)
	if err != nil {
		return activated{}, err
	}
	file, kid, err := a.sign(obj)
	if err != nil {
		return activated{}, err
	}
	binding := t.digest[:8]
	lic := store.License{ID: codec.HeaderOf(obj).ID.String(), Kind: store.KindDevice, OrderID: o.ID, DeviceCode: t.code,
		Binding: binding, File: file, KID: kid, IssuedBy: actorName(r), IssuedAt: now, ExpiresAt: exp, Replaces: replaces}
	var act store.Activation
	au := &auditor{a: a, r: r}
	err = a.group.do(ctx, func(q *store.Queries) error {
		var err error
		act, err = q.Activate(ctx, store.ActivateParams{OrderID: o.ID, Binding: binding, DeviceCode: t.code,
			At: now, ExpiresAt: seatEnd, License: &lic})
		if err != nil {
			return err
		}
		action := "license.activate"
		if replaces != "" {
			action = "license.reissue"
		}
		detail := map[string]any{"kind": "device", "order": o.ID, "binding": hex.EncodeToString(binding),
			"key": hex.EncodeToString(kid), "reused": act.Reused}
		if t.code != "" {
			detail["device_code"] = t.code
		}
		if replaces != "" {
			detail["replaces"] = replaces
		}
		return au.log(q, action, "license:"+lic.ID, detail)
	})
	if err != nil {
		return activated{}, storeErr(err, "order")
	}
	object := "device"
	if codec.TypeOf(obj) == codec.TypeLease {
		object = "lease"
	}
	return activated{license: lic, activation: act, order: o, object: object}, nil
}

// seatCount returns the seats used and the seats of an order after an
// issuance, for the answer. Orders that do not count seats (mode
// unlimited) give nil: counting every activation of such an order on each
// issuance would make issuance slower as the order grows.
func (a *API) seatCount(r *http.Request, o store.Order) (*int, int, error) {
	if !o.Counted() {
		return nil, 0, nil
	}
	u, err := a.store.SeatUsage(r.Context(), o.ID, a.now())
	if err != nil {
		return nil, 0, storeErr(err, "order")
	}
	return &u.Used, u.Seats, nil
}

func (a *API) createActivation(w http.ResponseWriter, r *http.Request) error {
	var in activationCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.OrderID <= 0 {
		return invalid{{Field: "order_id", Message: "is required"}}.err()
	}
	t, corr, err := readTerminal(in)
	if err != nil {
		return err
	}
	res, err := a.activate(r, in.OrderID, t, "")
	if err != nil {
		return err
	}
	a.metrics.IssuedDevice(corr != nil)
	used, seats, err := a.seatCount(r, res.order)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, activationResult{License: a.licenseView(res.license, res.object), Correction: corr,
		Reused: res.activation.Reused, SeatsUsed: used, Seats: seats})
}

func (a *API) listLicenses(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	f := store.LicenseFilter{ListOptions: lo, Query: qv.Get("q"), Kind: store.LicenseKind(qv.Get("kind"))}
	if f.Kind != "" && f.Kind != store.KindOrder && f.Kind != store.KindDevice {
		return errBadRequest("kind must be order or device", nil)
	}
	switch qv.Get("status") {
	case "":
	case "revoked":
		f.Revoked = new(bool)
		*f.Revoked = true
	case "active":
		f.Revoked = new(bool)
	default:
		return errBadRequest("status must be active or revoked", nil)
	}
	if f.OrderID, err = queryInt(r, "order"); err != nil {
		return err
	}
	p, err := a.store.ListLicenses(r.Context(), f)
	if err != nil {
		return storeErr(err, "license")
	}
	return writeJSON(w, http.StatusOK, pageOf(p, a.licenseOf))
}

var licenseID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (a *API) loadLicense(ctx context.Context, r *http.Request) (store.License, error) {
	id := r.PathValue("id")
	if !licenseID.MatchString(id) {
		return store.License{}, errNotFound("license")
	}
	l, err := a.store.License(ctx, id)
	if err != nil {
		return store.License{}, storeErr(err, "license")
	}
	return l, nil
}

func (a *API) getLicense(w http.ResponseWriter, r *http.Request) error {
	l, err := a.loadLicense(r.Context(), r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.licenseOf(l))
}

func (a *API) licenseFile(w http.ResponseWriter, r *http.Request) error {
	l, err := a.loadLicense(r.Context(), r)
	if err != nil {
		return err
	}
	info := a.licenseOf(l)
	file := l.File
	if !codec.IsArmoured(file) {
		f, err := codec.ParseFile(file)
		if err != nil {
			return fmt.Errorf("reading license %s: %w", l.ID, err)
		}
		file = f.Armour()
	}
	h := w.Header()
	h.Set("Content-Type", licenseMediaType)
	h.Set("Content-Disposition", `attachment; filename="`+info.FileName+`"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(file)
	return nil
}

// licenseMediaType is the type of a downloaded license file: armoured text.
const licenseMediaType = "application/x-licet-license"

func (a *API) revokeLicense(w http.ResponseWriter, r *http.Request) error {
	l, err := a.loadLicense(r.Context(), r)
	if err != nil {
		return err
	}
	var out store.License
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		if out, err = q.RevokeLicense(r.Context(), l.ID, a.now()); err != nil {
			return err
		}
		return au.log(q, "license.revoke", "license:"+l.ID, map[string]any{"kind": string(l.Kind), "order": l.OrderID})
	})
	if err != nil {
		return storeErr(err, "license")
	}
	return writeJSON(w, http.StatusOK, a.licenseOf(out))
}

// reissueLicense signs a license again with the current root key and the
// order's current terms, for the same terminal, and marks the old one
// replaced.
func (a *API) reissueLicense(w http.ResponseWriter, r *http.Request) error {
	l, err := a.loadLicense(r.Context(), r)
	if err != nil {
		return err
	}
	if l.ReplacedBy != "" {
		return errConflict("the license was replaced already by "+l.ReplacedBy, nil)
	}
	if l.Kind == store.KindOrder {
		out, err := a.issueOrder(r, l.OrderID, l.ID)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, a.licenseOf(out))
	}
	f, err := codec.ParseFile(l.File)
	if err != nil {
		return fmt.Errorf("reading license %s: %w", l.ID, err)
	}
	var b codec.Binding
	var product uint16
	switch o := f.Leaf().Object.(type) {
	case *codec.DeviceLicense:
		b, product = o.Binding, o.Product
	case *codec.Lease:
		b, product = o.Binding, o.Product
	default:
		return errors.New("license " + l.ID + " holds no device license")
	}
	t := &terminal{product: product, digest: b.Digest, nonce: b.Nonce, components: b.Components,
		instance: b.Instance, code: l.DeviceCode}
	res, err := a.activate(r, l.OrderID, t, l.ID)
	if err != nil {
		return err
	}
	a.metrics.IssuedDevice(false)
	return writeJSON(w, http.StatusCreated, a.licenseView(res.license, res.object))
}
