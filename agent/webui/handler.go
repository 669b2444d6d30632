package webui

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"licet.dev/licet/agent"
	"licet.dev/licet/site"
)

// Handler returns the server's HTTP handler. Every request passes, in this
// order: the Host check, the Origin check, the method, the token (for the
// page and the API), then the endpoint.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	site.SecurityHeaders(h)
	h.Set("Cross-Origin-Resource-Policy", "same-origin")

	if !s.hostOK(r.Host) {
		s.fail(w, r, &httpError{Status: http.StatusForbidden, Code: "bad-host",
			Public: "the activation page answers only as 127.0.0.1:" + s.port + " (or localhost, [::1])"})
		return
	}
	if o := r.Header.Values("Origin"); len(o) > 0 && (len(o) > 1 || o[0] != "http://"+r.Host) {
		s.fail(w, r, &httpError{Status: http.StatusForbidden, Code: "bad-origin",
			Public: "requests from another origin are refused"})
		return
	}
	p := r.URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		s.serveAPI(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		s.fail(w, r, &httpError{Status: http.StatusMethodNotAllowed, Code: "method-not-allowed",
			Public: r.Method + " is not allowed on " + p})
		return
	}
	s.serveFile(w, r)
}

// hostOK reports whether a Host header names this server: a loopback
// address or localhost, and the port listened on.
func (s *Server) hostOK(host string) bool {
	name, port, err := net.SplitHostPort(host)
	if err != nil || port != s.port {
		return false
	}
	if strings.EqualFold(name, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(name)
	return err == nil && a.Unmap().IsLoopback()
}

// checkToken answers a request that lacks the token (401) or has a wrong
// one (403), and reports whether it may go on. The token may come in the
// query parameter t or the header X-Licet-Token; every copy given must be
// right.
func (s *Server) checkToken(w http.ResponseWriter, r *http.Request) bool {
	given := append(r.URL.Query()["t"], r.Header.Values(TokenHeader)...)
	if len(given) == 0 {
		s.fail(w, r, &httpError{Status: http.StatusUnauthorized, Code: "token-required",
			Public: "the request carries no token",
			Hint:   "open the URL that licetd run printed, or the one in the state directory's " + URLFile + " file"})
		return false
	}
	for _, t := range given {
		if !s.tokenOK(t) {
			s.fail(w, r, &httpError{Status: http.StatusForbidden, Code: "bad-token",
				Public: "the token is not this run's",
				Hint:   "the token changes every time licetd run starts; open the URL in the state directory's " + URLFile + " file"})
			return false
		}
	}
	return true
}

// serveAPI routes /api/....
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	type route struct {
		method string
		fn     func(http.ResponseWriter, *http.Request) error
	}
	var rt route
	switch r.URL.Path {
	case "/api/birth":
		rt = route{http.MethodGet, s.birth}
	case "/api/status":
		rt = route{http.MethodGet, s.status}
	case "/api/license":
		rt = route{http.MethodPost, s.license}
	case "/api/confirm":
		rt = route{http.MethodPost, s.confirm}
	default:
		s.fail(w, r, &httpError{Status: http.StatusNotFound, Code: "not-found",
			Public: "no such endpoint: " + r.URL.Path})
		return
	}
	if r.Method != rt.method && !(rt.method == http.MethodGet && r.Method == http.MethodHead) {
		allow := rt.method
		if allow == http.MethodGet {
			allow = "GET, HEAD"
		}
		h.Set("Allow", allow)
		s.fail(w, r, &httpError{Status: http.StatusMethodNotAllowed, Code: "method-not-allowed",
			Public: r.Method + " is not allowed on " + r.URL.Path})
		return
	}
	if !s.checkToken(w, r) {
		return
	}
	if err := rt.fn(w, r); err != nil {
		s.fail(w, r, err)
	}
}

// httpError is every error the server answers with: Status and Code (a
// stable word) and the Public sentence are sent as problem details; Err is
// logged only.
type httpError struct {
	Status int
	Code   string
	Public string
	Hint   string
	Err    error
}

func (e *httpError) Error() string {
	if e.Err != nil {
		return "webui: " + e.Code + ": " + e.Err.Error()
	}
	return "webui: " + e.Code + ": " + e.Public
}

func (e *httpError) Unwrap() error { return e.Err }

// Problem is an error answer, RFC 9457 problem details with a stable code
// and, when there is one, the next step for people.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
	Hint   string `json:"hint,omitempty"`
}

// fail logs err and answers with its problem details. Errors that are not
// an *httpError are internal: their text is logged, not sent.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if !errors.As(err, &he) {
		he = &httpError{Status: http.StatusInternalServerError, Code: "internal",
			Public: "the terminal could not answer; see the daemon's log", Err: err}
	}
	attrs := []any{"method", r.Method, "path", r.URL.Path, "status", he.Status, "code", he.Code, "remote", r.RemoteAddr}
	switch {
	case he.Status >= 500:
		s.log.Error("web: request failed", append(attrs, "err", err)...)
	case he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden:
		s.log.Warn("web: request refused", attrs...)
	default:
		s.log.Info("web: request refused", append(attrs, "detail", he.Public)...)
	}
	p := Problem{Type: "about:blank", Title: http.StatusText(he.Status), Status: he.Status,
		Code: he.Code, Detail: he.Public, Hint: he.Hint}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(he.Status)
	w.Write(append(b, '\n'))
}

func writeJSON(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(b, '\n'))
	return nil
}

// agentError turns an error of package agent into problem details: the
// outcome as the code, the message and hint for people.
func agentError(err error) *httpError {
	he := &httpError{Public: strings.TrimPrefix(err.Error(), "agent: "), Hint: agent.Hint(err), Err: err}
	for _, o := range agentOutcomes {
		if errors.Is(err, o.err) {
			he.Status, he.Code = o.status, o.code
			return he
		}
	}
	// Reading the machine or the state failed: not the request's fault.
	// The message names what, and carries no secret.
	he.Status, he.Code = http.StatusInternalServerError, "terminal"
	return he
}

// agentOutcomes are the agent's outcomes as problem status and code, the
// first that an error matches winning.
var agentOutcomes = []struct {
	err    error
	status int
	code   string
}{
	{agent.ErrStateDamaged, http.StatusConflict, "state-damaged"},
	{agent.ErrWrongProduct, http.StatusUnprocessableEntity, "wrong-product"},
	{agent.ErrWrongMachine, http.StatusUnprocessableEntity, "wrong-machine"},
	{agent.ErrExpired, http.StatusUnprocessableEntity, "expired"},
	{agent.ErrNotYetValid, http.StatusUnprocessableEntity, "not-yet-valid"},
	{agent.ErrUntrusted, http.StatusUnprocessableEntity, "untrusted"},
	{agent.ErrNoRequest, http.StatusUnprocessableEntity, "no-request"},
	{agent.ErrReleased, http.StatusUnprocessableEntity, "released"},
	{agent.ErrNoOrder, http.StatusUnprocessableEntity, "no-order"},
	{agent.ErrBadCode, http.StatusUnprocessableEntity, "bad-code"},
	{agent.ErrClockTurnedBack, http.StatusUnprocessableEntity, "clock-turned-back"},
	{agent.ErrInvalid, http.StatusUnprocessableEntity, "invalid"},
}
