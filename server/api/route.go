package api

import (
	"net/http"

	"licet.dev/licet/server/auth"
)

// route is one operation of the API. The route table is the single source
// of the mux, the authentication rules and the OpenAPI document.
type route struct {
	method, path string
	op, tag      string // operationId and tag in the OpenAPI document
	summary      string
	desc         string
	public       bool            // no session or token needed
	perm         auth.Permission // what the principal's role must grant; "" for public routes
	in           any             // request body type (a zero value), nil for none
	out          any             // JSON response type (a zero value), nil for none
	produces     string          // content type of a non-JSON success response
	status       int             // success status, 200 when zero
	query        []param
	handle       func(w http.ResponseWriter, r *http.Request) error
}

// handler wraps a route's handler with package auth's middleware and the
// one error writer. A non-public route finds its principal (an API token
// or the session cookie), refuses anonymous requests (401), applies both
// CSRF defences to state-changing methods (403 csrf_failed) and checks the
// route's permission (403 forbidden), in that order. A public route that
// changes state (login, setup, the phone's posts) gets the origin check, so
// that no other site can post to it from a browser.
func (a *API) handler(rt *route) http.Handler {
	h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := auth.PrincipalFrom(r.Context()); ok {
			if ri := infoOf(r.Context()); ri != nil {
				ri.principal = p
			}
		}
		if err := rt.handle(w, r); err != nil {
			a.writeError(w, r, err)
		}
	}))
	if rt.public {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.auth.CheckOrigin(r); err != nil {
				a.writeError(w, r, authErr(err))
				return
			}
			h.ServeHTTP(w, r)
		})
	}
	h = a.auth.RequirePermission(rt.perm)(h)
	h = a.auth.CSRF(h)
	h = a.auth.RequireAuth(h)
	return a.auth.Identify(h)
}

// principalOf is the authenticated caller of r; nil on public routes.
func principalOf(r *http.Request) *auth.Principal {
	p, _ := auth.PrincipalFrom(r.Context())
	return p
}
