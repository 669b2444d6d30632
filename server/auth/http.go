package auth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/server/store"
)

// CSRFHeader is the request header that carries the session's CSRF token.
const CSRFHeader = "X-CSRF-Token"

// Session cookie names: the __Host- prefix makes browsers insist on Secure,
// Path=/ and no Domain, so no sibling host can plant or read it.
const (
	CookieName         = "__Host-licet_session"
	InsecureCookieName = "licet_session"
)

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// PrincipalFrom returns the principal Identify put in ctx.
func PrincipalFrom(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(*Principal)
	return p, ok && p != nil
}

// ErrorWriter writes the response for a refused request.
type ErrorWriter func(w http.ResponseWriter, r *http.Request, err error)

// Problem codes WriteError sends; they match the API's stable codes.
const (
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeCSRF            = "csrf_failed"
	CodeRateLimited     = "rate_limited"
	CodeLockedOut       = "locked_out"
	CodeInternal        = "internal"
)

// Status returns the HTTP status and problem code for an error of this
// package (500 and "internal" for anything else).
func Status(err error) (int, string) {
	switch {
	case errors.Is(err, ErrUnauthenticated), errors.Is(err, ErrInvalidCredentials):
		return http.StatusUnauthorized, CodeUnauthenticated
	case errors.Is(err, ErrCSRF):
		return http.StatusForbidden, CodeCSRF
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, CodeForbidden
	case errors.Is(err, ErrRateLimited):
		return http.StatusTooManyRequests, CodeRateLimited
	case errors.Is(err, ErrLocked):
		return http.StatusTooManyRequests, CodeLockedOut
	}
	return http.StatusInternalServerError, CodeInternal
}

// WriteError is the default ErrorWriter: an RFC 9457 problem with the code
// from Status, a Retry-After header for a RetryError, and the
// WWW-Authenticate challenge on 401. Its text never includes the cause.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := Status(err)
	if d := RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="licet"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{
		"type":   "about:blank",
		"title":  http.StatusText(status),
		"status": status,
		"code":   code,
		"detail": publicText(code),
	})
}

func publicText(code string) string {
	switch code {
	case CodeUnauthenticated:
		return "sign in or send a valid API token"
	case CodeForbidden:
		return "your role does not allow this"
	case CodeCSRF:
		return "the request lacks a valid " + CSRFHeader + " header or comes from another site"
	case CodeRateLimited:
		return "too many requests; retry later"
	case CodeLockedOut:
		return "the account is locked after failed logins; retry later"
	}
	return "internal error"
}

// Identify finds the principal of each request and puts it in the
// request's context: an API token in "Authorization: Bearer licet_..."
// (a bad token is refused with 401 at once), else the session cookie (a bad
// or ended cookie is cleared and the request goes on anonymous).
func (a *Auth) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				a.cfg.OnError(w, r, ErrUnauthenticated)
				return
			}
			p, err := a.Token(r.Context(), strings.TrimSpace(tok))
			if err != nil {
				a.cfg.OnError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
			return
		}
		if c, err := r.Cookie(a.CookieName()); err == nil {
			p, err := a.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
				return
			case errors.Is(err, ErrUnauthenticated):
				a.ClearSessionCookie(w)
			default:
				a.cfg.OnError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// RequireAuth refuses requests without a principal (401).
func (a *Auth) RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := PrincipalFrom(r.Context()); !ok {
			a.cfg.OnError(w, r, ErrUnauthenticated)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireSession refuses requests without a browser session: anonymous ones
// with 401, API tokens with 403 (for pages and for actions a token must not
// take, such as creating tokens).
func (a *Auth) RequireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		switch {
		case !ok:
			a.cfg.OnError(w, r, ErrUnauthenticated)
		case p.ViaToken():
			a.cfg.OnError(w, r, ErrForbidden)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// RequireRole refuses requests whose principal has none of roles: 401
// without a principal, 403 with the wrong role.
func (a *Auth) RequireRole(roles ...store.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			if !ok {
				a.cfg.OnError(w, r, ErrUnauthenticated)
				return
			}
			for _, role := range roles {
				if p.Role == role {
					next.ServeHTTP(w, r)
					return
				}
			}
			a.cfg.OnError(w, r, ErrForbidden)
		})
	}
}

// RequirePermission refuses requests whose principal's role lacks perm: 401
// without a principal, 403 otherwise.
func (a *Auth) RequirePermission(perm Permission) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, ok := PrincipalFrom(r.Context())
			switch {
			case !ok:
				a.cfg.OnError(w, r, ErrUnauthenticated)
			case !p.Can(perm):
				a.cfg.OnError(w, r, ErrForbidden)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// safeMethod reports whether m changes nothing, by HTTP's definition.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}

// CheckOrigin refuses a state-changing request that a browser marks as
// cross-site: Sec-Fetch-Site other than same-origin or none, or else an
// Origin header whose host is not the request's own (nor a trusted origin).
// Requests without either header (scripts, old browsers) pass; for sessions
// the CSRF token covers them.
func (a *Auth) CheckOrigin(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	if err := a.xo.Check(r); err != nil {
		return ErrCSRF
	}
	return nil
}

// CheckCSRF applies both CSRF defences to a state-changing request: the
// origin check, and for a browser session, the X-CSRF-Token header
// compared in constant time with the session's token. API tokens need no
// CSRF token: browsers never attach them on their own.
func (a *Auth) CheckCSRF(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	if err := a.CheckOrigin(r); err != nil {
		return err
	}
	p, ok := PrincipalFrom(r.Context())
	if !ok || p.ViaToken() {
		return nil
	}
	got, err := base64.RawURLEncoding.DecodeString(r.Header.Get(CSRFHeader))
	if err != nil || len(p.csrf) == 0 || subtle.ConstantTimeCompare(got, p.csrf) != 1 {
		return ErrCSRF
	}
	return nil
}

// CSRF is middleware applying CheckCSRF; place it after Identify.
func (a *Auth) CSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := a.CheckCSRF(r); err != nil {
			a.cfg.OnError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RateLimit is middleware spending one request of l per request, keyed by
// key(r) (the client address when key is nil); an empty bucket answers 429
// with Retry-After.
func (a *Auth) RateLimit(l *Limiter, key func(*http.Request) string) func(http.Handler) http.Handler {
	if key == nil {
		key = a.ClientIP
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if ok, wait := l.Allow(key(r)); !ok {
				a.cfg.OnError(w, r, &RetryError{Err: ErrRateLimited, RetryAfter: wait})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// CookieName is the session cookie's name under this configuration.
func (a *Auth) CookieName() string {
	if a.cfg.InsecureCookies {
		return InsecureCookieName
	}
	return CookieName
}

// SetSessionCookie sends the session cookie of a login: HttpOnly, Secure,
// SameSite=Strict, Path=/, expiring with the session's lifetime.
func (a *Auth) SetSessionCookie(w http.ResponseWriter, l *LoginResult) {
	http.SetCookie(w, &http.Cookie{
		Name: a.CookieName(), Value: l.Token.Reveal(), Path: "/",
		Expires: l.Session.ExpiresAt, MaxAge: int(l.Session.ExpiresAt.Sub(a.cfg.Now()) / time.Second),
		HttpOnly: true, Secure: !a.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

// ClearSessionCookie tells the browser to drop the session cookie.
func (a *Auth) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: a.CookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: !a.cfg.InsecureCookies, SameSite: http.SameSiteStrictMode,
	})
}

// ClientIP is the address a request came from: the peer, or when the peer
// is a trusted proxy, the right-most address of X-Forwarded-For that is not
// a trusted proxy.
func (a *Auth) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if !a.trusted(peer) {
		return peer.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		ip = ip.Unmap()
		if !a.trusted(ip) {
			return ip.String()
		}
		peer = ip
	}
	return peer.String()
}

func (a *Auth) trusted(ip netip.Addr) bool {
	for _, p := range a.cfg.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Meta returns where r came from.
func (a *Auth) Meta(r *http.Request) Meta {
	return Meta{IP: a.ClientIP(r), UserAgent: r.UserAgent()}
}

// Entry builds the audit entry of an action taken by r: the actor is r's
// principal ("anonymous" without one), the time the clock's, the address
// and user agent r's. Detail is marshalled to JSON and must hold no secret.
func (a *Auth) Entry(r *http.Request, action, target string, detail any) (store.AuditEntry, error) {
	var id int64
	actor := "anonymous"
	if p, ok := PrincipalFrom(r.Context()); ok {
		id, actor = p.AccountID, p.Actor()
	}
	return a.entry(id, actor, a.Meta(r), action, target, detail)
}

// Record appends Entry(r, ...) through q: a transaction's Queries, so the
// entry commits with the change it records, or nil for the store.
func (a *Auth) Record(ctx context.Context, q *store.Queries, r *http.Request, action, target string, detail any) error {
	e, err := a.Entry(r, action, target, detail)
	if err != nil {
		return err
	}
	if q == nil {
		q = a.st.Queries
	}
	if _, err := q.AppendAudit(ctx, e); err != nil {
		return err
	}
	return nil
}
