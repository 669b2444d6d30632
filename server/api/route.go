package api

import (
	"crypto/subtle"
	"net/http"
	"slices"
)

const (
	sessionCookie = "licet_session"
	csrfHeader    = "X-CSRF-Token"
)

// route is one operation of the API. The route table is the single source
// of the mux, the authentication rules and the OpenAPI document.
type route struct {
	method, path string
	op, tag      string // operationId and tag in the OpenAPI document
	summary      string
	desc         string
	public       bool     // no session or token needed
	roles        []string // roles allowed; nil means every role
	in           any      // request body type (a zero value), nil for none
	out          any      // JSON response type (a zero value), nil for none
	produces     string   // content type of a non-JSON success response
	status       int      // success status, 200 when zero
	query        []param
	handle       func(w http.ResponseWriter, r *http.Request) error
}

// principal is an authenticated caller.
type principal struct {
	AccountID int64
	Username  string
	Role      string
	// Via is "session" or "token".
	Via string
	// SessionID or TokenID identify what authenticated the caller.
	SessionID string
	TokenID   int64
	TokenName string
	// CSRF is the session's CSRF token (sessions only).
	CSRF string
}

// handler wraps a route's handler with authentication, CSRF and role checks
// and the one error writer.
func (a *API) handler(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !rt.public {
			p, err := a.authenticate(r)
			if err != nil {
				a.writeError(w, r, err)
				return
			}
			if p.Via == "session" && stateChanging(r.Method) {
				got := r.Header.Get(csrfHeader)
				if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRF)) != 1 {
					a.writeError(w, r, &Error{Status: http.StatusForbidden, Code: CodeCSRF,
						Public: "missing or wrong " + csrfHeader + " header"})
					return
				}
			}
			if rt.roles != nil && !slices.Contains(rt.roles, p.Role) {
				a.writeError(w, r, &Error{Status: http.StatusForbidden, Code: CodeForbidden,
					Public: "the " + p.Role + " role may not do this"})
				return
			}
			if ri := infoOf(r.Context()); ri != nil {
				ri.principal = p
			}
		}
		if err := rt.handle(w, r); err != nil {
			a.writeError(w, r, err)
		}
	})
}
