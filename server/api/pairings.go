package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/hub"
	"licet.dev/licet/server/store"
)

// Limits of the public pairing routes: per client address and per pairing,
// pairBurst posts at once, then one per pairRefill. A phone posts once when
// it opens its page and once per terminal it reads.
const (
	pairBurst  = 30
	pairRefill = 2 * time.Second
)

// pairingCreated is the answer to POST /api/v1/pairings.
type pairingCreated struct {
	ID        int64     `json:"id"`
	Token     string    `json:"token" doc:"the phone's only credential: 52 characters of Crockford base32; shown once"`
	PhoneURL  string    `json:"phone_url" doc:"PUBLIC_URL/P/TOKEN: show it as a QR code for the phone to open"`
	EventsURL string    `json:"events_url" doc:"path of the websocket that receives what the phone reads"`
	ExpiresAt time.Time `json:"expires_at"`
}

// pairingRequest is the body of POST /api/v1/pairings/{token}/requests.
type pairingRequest struct {
	RequestURL string `json:"request_url" doc:"the URL a terminal's QR code carries (HTTPS://PORTAL/R/...)"`
}

// pairingAccepted is the answer to the phone's posts.
type pairingAccepted struct {
	RequestURL string    `json:"request_url,omitempty" doc:"the request URL as handed to the desktop (upper case)"`
	Paired     bool      `json:"paired,omitempty" doc:"hello: the desktop was told that a phone joined"`
	ExpiresAt  time.Time `json:"expires_at"`
}

func (a *API) createPairing(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	var out store.Pairing
	var tok string
	err := a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		if out, tok, err = a.hub.Create(r.Context(), q, p.AccountID); err != nil {
			return err
		}
		return au.log(q, "pairing.create", fmt.Sprintf("pairing:%d", out.ID),
			map[string]any{"expires_at": out.ExpiresAt.UTC().Format(time.RFC3339)})
	})
	if err != nil {
		return storeErr(err, "pairing")
	}
	return writeJSON(w, http.StatusCreated, pairingCreated{ID: out.ID, Token: tok, PhoneURL: a.publicURL + "/P/" + tok,
		EventsURL: fmt.Sprintf("/api/v1/pairings/%d/events", out.ID), ExpiresAt: out.ExpiresAt})
}

// pairingErr maps the hub's outcomes to problems.
func pairingErr(err error) error {
	switch {
	case errors.Is(err, hub.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Public: "no such pairing; show a new pairing code on the desktop", Err: err}
	case errors.Is(err, hub.ErrExpired):
		return &Error{Status: http.StatusGone, Code: CodePairingExpired, Public: "the pairing has expired; show a new pairing code on the desktop", Err: err}
	case errors.Is(err, hub.ErrRequest):
		msg := strings.TrimPrefix(err.Error(), "hub: ")
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeInvalidRequest, Public: msg,
			Fields: []FieldError{{Field: "request_url", Message: msg}}, Err: err}
	case errors.Is(err, hub.ErrClosed):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Public: "the server is shutting down; reconnect", Err: err}
	}
	return err
}

// limitPairing throttles a public pairing route by client address, and by
// the token's pairing (a hash of it, so that no secret is kept as a key).
func (a *API) limitPairing(r *http.Request) error {
	if ok, wait := a.pairLimits.Allow("addr " + a.auth.ClientIP(r)); !ok {
		return authErr(&auth.RetryError{Err: auth.ErrRateLimited, RetryAfter: wait})
	}
	h := sha256.Sum256([]byte(r.PathValue("token")))
	if ok, wait := a.pairLimits.Allow("pairing " + hex.EncodeToString(h[:8])); !ok {
		return authErr(&auth.RetryError{Err: auth.ErrRateLimited, RetryAfter: wait})
	}
	return nil
}

func (a *API) pairingHello(w http.ResponseWriter, r *http.Request) error {
	if err := a.limitPairing(r); err != nil {
		return err
	}
	p, first, err := a.hub.Hello(r.Context(), r.PathValue("token"))
	if err != nil {
		return pairingErr(err)
	}
	if first {
		acc, err := a.store.Account(r.Context(), p.AccountID)
		if err != nil {
			return storeErr(err, "account")
		}
		// The phone acts for the account that made the pairing.
		phone := &auth.Principal{AccountID: acc.ID, Username: acc.Username + " (phone)", Role: acc.Role}
		pr := r.WithContext(auth.WithPrincipal(r.Context(), phone))
		err = a.inTx(pr, func(q *store.Queries, au *auditor) error {
			return au.log(q, "pairing.phone", fmt.Sprintf("pairing:%d", p.ID), nil)
		})
		if err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, pairingAccepted{Paired: true, ExpiresAt: p.ExpiresAt})
}

func (a *API) pairingPost(w http.ResponseWriter, r *http.Request) error {
	if err := a.limitPairing(r); err != nil {
		return err
	}
	var in pairingRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.RequestURL) == "" {
		return invalid{{Field: "request_url", Message: "is required"}}.err()
	}
	p, norm, err := a.hub.Request(r.Context(), r.PathValue("token"), in.RequestURL)
	if err != nil {
		return pairingErr(err)
	}
	return writeJSON(w, http.StatusAccepted, pairingAccepted{RequestURL: norm, ExpiresAt: p.ExpiresAt})
}

// sameOrigin reports whether the Origin header of r names this portal: its
// public URL's host, or the host the request was sent to.
func (a *API) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	if pu, err := url.Parse(a.publicURL); err == nil && pu.Host != "" && strings.EqualFold(u.Host, pu.Host) && u.Scheme == pu.Scheme {
		return true
	}
	return false
}

func (a *API) pairingEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "pairing")
	if err != nil {
		return err
	}
	if !a.sameOrigin(r) {
		return &Error{Status: http.StatusForbidden, Code: CodeOrigin,
			Public: "the websocket must be opened by a page of this portal (Origin header)"}
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		w.Header().Set("Upgrade", "websocket")
		return &Error{Status: http.StatusUpgradeRequired, Code: CodeUpgrade, Public: "this is a websocket: send Upgrade: websocket"}
	}
	var after int64
	if s := r.URL.Query().Get("after"); s != "" {
		if after, err = strconv.ParseInt(s, 10, 64); err != nil || after < 0 {
			return errBadRequest("after must be the id of an event already received", nil)
		}
	}
	p, err := a.hub.Pairing(r.Context(), id, principalOf(r).AccountID)
	if err != nil {
		return pairingErr(err)
	}
	if err := a.hub.Serve(w, r, p, after); err != nil {
		if errors.Is(err, hub.ErrClosed) {
			return pairingErr(err)
		}
		// The websocket library has answered the request already.
		a.log.Info("pairing websocket", "pairing", p.ID, "err", err)
	}
	return nil
}
