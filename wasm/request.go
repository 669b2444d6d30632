package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint"
)

// requestInput is what a host page hands over to make a terminal's
// request: the daemon's birth record and request nonce (GET /api/birth of
// the terminal page), the product and the vendor portal.
type requestInput struct {
	Product  int64     // short product id, 1 to 65535
	Birth    []byte    // fingerprint.Record, canonical encoding
	Nonce    int64     // request nonce, 1 to devcode.MaxNonce
	Portal   string    // the vendor portal's base URL; "" for no request URL
	IssuedAt time.Time // when the request was made
	Instance string    // instance id in container identity mode, if any
}

// makeRequest is licet.makeRequest: the device code and the request URL of
// a terminal, made the way licetd makes them (agent.Request), so that the
// page shows what the daemon would.
//
//	{ok: true, device_code, digest, product, nonce, bundle (Uint8Array),
//	 with_components, components, request_url?, url_error?}
//
// The bundle carries the birth record's component hashes when the URL has
// room for them, else it leaves them out (with_components false). Without
// a portal, or when even the short bundle does not fit, request_url is
// absent and url_error says why.
func makeRequest(in requestInput) map[string]any {
	if in.Product < 1 || in.Product > 65535 {
		return failure("product", fmt.Errorf("request: product %d, want 1 to 65535", in.Product))
	}
	if in.Nonce < 1 || in.Nonce > devcode.MaxNonce {
		return failure("nonce", fmt.Errorf("request: nonce %d, want 1 to %d", in.Nonce, devcode.MaxNonce))
	}
	if in.IssuedAt.Unix() <= 0 {
		return failure("issued_at", errors.New("request: issued_at must be after 1970"))
	}
	rec, err := fingerprint.ParseRecord(in.Birth)
	if err != nil {
		return failure("birth_record", err)
	}
	digest := rec.Digest()
	nonce := uint32(in.Nonce)
	product := uint16(in.Product)
	code := devcode.New(product, [8]byte(digest[:8]), nonce)

	// The bundle's id derives from the request, as the daemon does it, so
	// that the same request gives the same bundle.
	var seed [36]byte
	copy(seed[:], digest[:])
	binary.BigEndian.PutUint32(seed[32:], nonce)
	idSum := sha256.Sum256(append([]byte("licet-request-id\x00"), seed[:]...))
	rb := &codec.RequestBundle{
		Header:   codec.Header{Type: codec.TypeRequest, Version: codec.Version, ID: codec.ID(idSum[:codec.IDSize]), IssuedAt: codec.At(in.IssuedAt)},
		Product:  product,
		Digest:   codec.Bytes(digest[:]),
		Nonce:    nonce,
		Instance: in.Instance,
	}
	for _, c := range rec.Components {
		rb.Components = append(rb.Components, codec.Component{Kind: c.Kind.String(), Hash: codec.Bytes(c.Hash[:])})
	}
	full, err := codec.Marshal(rb)
	if err != nil {
		return failure("bundle", fmt.Errorf("request bundle: %w", err))
	}
	rb.Components = nil
	short, err := codec.Marshal(rb)
	if err != nil {
		return failure("bundle", fmt.Errorf("request bundle: %w", err))
	}
	out := map[string]any{
		"ok":              true,
		"result":          "valid",
		"device_code":     code.String(),
		"digest":          hex.EncodeToString(digest[:]),
		"product":         int(product),
		"nonce":           int(nonce),
		"components":      len(rec.Components),
		"bundle":          full,
		"with_components": true,
	}
	if in.Portal == "" {
		out["url_error"] = map[string]any{"kind": "no-portal", "message": "request: no vendor portal is configured"}
		return out
	}
	u, err := airgap.RequestURL(in.Portal, full)
	if errors.Is(err, airgap.ErrTooLong) {
		out["bundle"], out["with_components"] = short, false
		u, err = airgap.RequestURL(in.Portal, short)
	}
	if err != nil {
		kind := "portal"
		if errors.Is(err, airgap.ErrTooLong) {
			kind = "too-long"
		}
		out["url_error"] = map[string]any{"kind": kind, "message": err.Error()}
		return out
	}
	out["request_url"] = u
	return out
}

// requestURL is licet.requestURL: PORTAL/R/<bundle in base32>.
//
//	{ok: true, url} | {ok: false, error: {kind: "portal"|"too-long", message}}
func requestURL(portal string, bundle []byte) map[string]any {
	u, err := airgap.RequestURL(portal, bundle)
	if err != nil {
		kind := "portal"
		if errors.Is(err, airgap.ErrTooLong) {
			kind = "too-long"
		}
		return failure(kind, err)
	}
	return map[string]any{"ok": true, "result": "valid", "url": u}
}

// parseRequestURL is licet.parseRequestURL: a scanned or pasted request
// URL split into its portal and request, and the request bundle read.
//
//	{ok: true, portal, url (upper case), request (base32), bundle (Uint8Array),
//	 fields?, device_code?, bundle_error?}
//
// ok means the URL is well formed; a request that is not a valid bundle
// still answers ok with bundle_error, since the portal decides.
func parseRequestURL(s string) map[string]any {
	s = strings.TrimSpace(s)
	portal, req, err := airgap.ParseRequestURL(s)
	if err != nil {
		kind := "syntax"
		if errors.Is(err, airgap.ErrTooLong) {
			kind = "too-long"
		}
		return failure(kind, err)
	}
	u, err := airgap.RequestURL(portal, req)
	if err != nil {
		return failure("syntax", err)
	}
	out := map[string]any{
		"ok":      true,
		"result":  "valid",
		"portal":  portal,
		"url":     u,
		"request": u[len(portal)+len(airgap.RequestPath):],
		"bundle":  req,
	}
	for k, v := range bundleFields(req) {
		out[k] = v
	}
	return out
}

// parseRequestBundle is licet.parseRequestBundle: the fields of a request
// bundle and the device code of the same request.
//
//	{ok: true, fields, device_code} | {ok: false, error}
func parseRequestBundle(b []byte) map[string]any {
	f := bundleFields(b)
	if e, bad := f["bundle_error"]; bad {
		return map[string]any{"ok": false, "result": "invalid", "error": e}
	}
	f["ok"], f["result"] = true, "valid"
	return f
}

// bundleFields decodes a request bundle into {fields, device_code}, or
// {bundle_error}.
func bundleFields(b []byte) map[string]any {
	rb, err := codec.DecodeRequestBundle(b)
	if err != nil {
		return map[string]any{"bundle_error": map[string]any{"kind": objectErrorKind(err), "message": err.Error()}}
	}
	fields, err := plainFields(rb)
	if err != nil {
		return map[string]any{"bundle_error": map[string]any{"kind": "internal", "message": err.Error()}}
	}
	out := map[string]any{"fields": fields}
	if len(rb.Digest) >= 8 && rb.Nonce <= devcode.MaxNonce {
		out["device_code"] = devcode.New(rb.Product, [8]byte(rb.Digest[:8]), rb.Nonce).String()
	}
	return out
}
