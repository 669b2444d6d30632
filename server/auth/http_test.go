package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// handler answers 200 with the principal it sees.
var whoami = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	p, ok := PrincipalFrom(r.Context())
	if !ok {
		w.Write([]byte("anonymous"))
		return
	}
	w.Write([]byte(p.Actor()))
})

type req struct {
	method, path string
	cookie       string // session token
	bearer       string
	csrf         string
	header       map[string]string
}

func (e *env) do(h http.Handler, q req) *httptest.ResponseRecorder {
	r := httptest.NewRequest(q.method, "https://portal.example"+q.path, nil)
	r.RemoteAddr = "192.0.2.7:5555"
	if q.cookie != "" {
		r.AddCookie(&http.Cookie{Name: e.CookieName(), Value: q.cookie})
	}
	if q.bearer != "" {
		r.Header.Set("Authorization", "Bearer "+q.bearer)
	}
	if q.csrf != "" {
		r.Header.Set(CSRFHeader, q.csrf)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func problemCode(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q for status %d", ct, w.Code)
	}
	var p struct {
		Status int
		Code   string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != w.Code {
		t.Fatalf("problem %s: %v", w.Body, err)
	}
	return p.Code
}

func TestMiddleware(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		e.account(t, "alice", store.RoleAuditor)
		sess := e.login(t, "alice")
		tok, _, err := e.CreateAPIToken(ctx, e.admin, "ci", store.RoleOperator, time.Time{}, meta)
		if err != nil {
			t.Fatal(err)
		}
		cookie, bearer, csrf := sess.Token.Reveal(), tok.Reveal(), sess.Principal.CSRFToken()

		chain := func(mw ...func(http.Handler) http.Handler) http.Handler {
			h := http.Handler(whoami)
			for i := len(mw) - 1; i >= 0; i-- {
				h = mw[i](h)
			}
			return e.Identify(h)
		}
		for _, tc := range []struct {
			name string
			h    http.Handler
			r    req
			code int
			want string // body, or problem code
		}{
			{"anonymous", chain(), req{method: "GET"}, 200, "anonymous"},
			{"cookie", chain(), req{method: "GET", cookie: cookie}, 200, "alice"},
			{"bearer", chain(), req{method: "GET", bearer: bearer}, 200, "root (token ci)"},
			{"bad bearer", chain(), req{method: "GET", bearer: "licet_nope"}, 401, CodeUnauthenticated},
			{"basic auth", chain(), req{method: "GET", header: map[string]string{"Authorization": "Basic cm9vdDpyb290"}}, 401, CodeUnauthenticated},
			{"bad cookie", chain(), req{method: "GET", cookie: "stale"}, 200, "anonymous"},
			{"auth: none", chain(e.RequireAuth), req{method: "GET"}, 401, CodeUnauthenticated},
			{"auth: token", chain(e.RequireAuth), req{method: "GET", bearer: bearer}, 200, "root (token ci)"},
			{"session: token", chain(e.RequireSession), req{method: "GET", bearer: bearer}, 403, CodeForbidden},
			{"session: none", chain(e.RequireSession), req{method: "GET"}, 401, CodeUnauthenticated},
			{"session: cookie", chain(e.RequireSession), req{method: "GET", cookie: cookie}, 200, "alice"},
			{"role: wrong", chain(e.RequireRole(store.RoleAdmin, store.RoleOperator)), req{method: "GET", cookie: cookie}, 403, CodeForbidden},
			{"role: right", chain(e.RequireRole(store.RoleAuditor)), req{method: "GET", cookie: cookie}, 200, "alice"},
			{"role: none", chain(e.RequireRole(store.RoleAuditor)), req{method: "GET"}, 401, CodeUnauthenticated},
			{"perm: audit", chain(e.RequirePermission(PermAudit)), req{method: "GET", cookie: cookie}, 200, "alice"},
			{"perm: orders", chain(e.RequirePermission(PermOrders)), req{method: "GET", cookie: cookie}, 403, CodeForbidden},
			{"perm: token", chain(e.RequirePermission(PermOrders)), req{method: "GET", bearer: bearer}, 200, "root (token ci)"},
			{"perm: none", chain(e.RequirePermission(PermRead)), req{method: "GET"}, 401, CodeUnauthenticated},

			{"csrf: GET", chain(e.CSRF), req{method: "GET", cookie: cookie}, 200, "alice"},
			{"csrf: no token", chain(e.CSRF), req{method: "POST", cookie: cookie}, 403, CodeCSRF},
			{"csrf: wrong token", chain(e.CSRF), req{method: "POST", cookie: cookie, csrf: strings.Repeat("A", 43)}, 403, CodeCSRF},
			{"csrf: garbage", chain(e.CSRF), req{method: "DELETE", cookie: cookie, csrf: "!!"}, 403, CodeCSRF},
			{"csrf: ok", chain(e.CSRF), req{method: "POST", cookie: cookie, csrf: csrf,
				header: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "https://portal.example"}}, 200, "alice"},
			{"csrf: cross-site", chain(e.CSRF), req{method: "POST", cookie: cookie, csrf: csrf,
				header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403, CodeCSRF},
			{"csrf: other origin", chain(e.CSRF), req{method: "PUT", cookie: cookie, csrf: csrf,
				header: map[string]string{"Origin": "https://evil.example"}}, 403, CodeCSRF},
			{"csrf: trusted origin", chain(e.CSRF), req{method: "POST", cookie: cookie, csrf: csrf,
				header: map[string]string{"Origin": "https://admin.example"}}, 200, "alice"},
			{"csrf: bearer", chain(e.CSRF), req{method: "POST", bearer: bearer}, 200, "root (token ci)"},
			{"csrf: anonymous", chain(e.CSRF), req{method: "POST"}, 200, "anonymous"},
			{"csrf: anonymous cross-site", chain(e.CSRF), req{method: "POST",
				header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, 403, CodeCSRF},
		} {
			w := e.do(tc.h, tc.r)
			if w.Code != tc.code {
				t.Errorf("%s: status %d, want %d (%s)", tc.name, w.Code, tc.code, w.Body)
				continue
			}
			if tc.code == 200 {
				if w.Body.String() != tc.want {
					t.Errorf("%s: body %q, want %q", tc.name, w.Body, tc.want)
				}
			} else if c := problemCode(t, w); c != tc.want {
				t.Errorf("%s: code %q, want %q", tc.name, c, tc.want)
			}
			if tc.code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Errorf("%s: 401 without a challenge", tc.name)
			}
			if tc.name == "bad cookie" {
				if c := w.Result().Cookies(); len(c) != 1 || c[0].MaxAge != -1 {
					t.Errorf("bad cookie not cleared: %v", c)
				}
			}
		}
	})
}

func TestCookies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, insecure := range []bool{false, true} {
			e := newEnv(t, st, func(c *Config) { c.InsecureCookies = insecure; c.SessionLifetime = 8 * time.Hour })
			res, err := e.Login(ctx, "root", rootPassword, meta)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			e.SetSessionCookie(w, res)
			c := w.Result().Cookies()[0]
			wantName := CookieName
			if insecure {
				wantName = InsecureCookieName
			}
			if c.Name != wantName || c.Value != res.Token.Reveal() || !c.HttpOnly || c.Secure == insecure ||
				c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Domain != "" || c.MaxAge != 8*3600 {
				t.Errorf("insecure=%v: cookie %+v", insecure, c)
			}
			w = httptest.NewRecorder()
			e.ClearSessionCookie(w)
			if c := w.Result().Cookies()[0]; c.Name != wantName || c.MaxAge != -1 || c.Value != "" {
				t.Errorf("clear: %+v", c)
			}
			// A second env over the same store needs the setup done only once.
			st, _ = storetest.Open(t, st.Dialect())
		}
	})
}

func TestRateLimitMiddleware(t *testing.T) {
	st, _ := storetest.Open(t, store.SQLite)
	e := newEnv(t, st, nil)
	l, err := NewLimiter(time.Second, 2, e.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	h := e.RateLimit(l, nil)(whoami)
	for i := range 2 {
		if w := e.do(h, req{method: "GET"}); w.Code != 200 {
			t.Fatalf("request %d: %d", i, w.Code)
		}
	}
	w := e.do(h, req{method: "GET"})
	if w.Code != 429 || w.Header().Get("Retry-After") != "1" || problemCode(t, w) != CodeRateLimited {
		t.Fatalf("third request: %d %v %s", w.Code, w.Header(), w.Body)
	}
	e.clock.advance(time.Second)
	if w := e.do(h, req{method: "GET"}); w.Code != 200 {
		t.Fatalf("after refill: %d", w.Code)
	}
}

func TestClientIP(t *testing.T) {
	st, _ := storetest.Open(t, store.SQLite)
	e := newEnv(t, st, func(c *Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	for _, tc := range []struct {
		remote, xff, want string
	}{
		{"192.0.2.7:1234", "", "192.0.2.7"},
		{"192.0.2.7:1234", "203.0.113.9", "192.0.2.7"}, // untrusted peer: header ignored
		{"10.1.2.3:1234", "203.0.113.9", "203.0.113.9"},
		{"10.1.2.3:1234", "198.51.100.1, 203.0.113.9, 10.9.9.9", "203.0.113.9"},
		{"10.1.2.3:1234", "", "10.1.2.3"},
		{"10.1.2.3:1234", "garbage", "10.1.2.3"},
		{"[::1]:1234", "2001:db8::5", "2001:db8::5"},
		{"[::ffff:192.0.2.7]:1", "", "192.0.2.7"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := e.ClientIP(r); got != tc.want {
			t.Errorf("ClientIP(%s, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		var ran bool
		h := e.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := e.st.InTx(r.Context(), func(q *store.Queries) error {
				return e.Record(r.Context(), q, r, "order.create", "order:1", map[string]int{"seats": 5})
			})
			if err != nil {
				t.Error(err)
			}
			if err := e.Record(r.Context(), nil, r, "order.view", "order:1", nil); err != nil {
				t.Error(err)
			}
			ran = true
		}))
		res, _ := e.Login(ctx, "root", rootPassword, meta)
		e.do(h, req{method: "POST", cookie: res.Token.Reveal(), header: map[string]string{"User-Agent": "portal/2"}})
		if !ran {
			t.Fatal("handler did not run")
		}
		p, _ := e.st.ListAudit(ctx, store.AuditFilter{Action: "order."})
		if len(p.Items) != 2 {
			t.Fatalf("entries %+v", p.Items)
		}
		got := p.Items[1]
		if got.Actor != "root" || got.ActorID != e.admin.AccountID || got.IP != "192.0.2.7" || got.UserAgent != "portal/2" ||
			got.Target != "order:1" || string(got.Detail) != `{"seats":5}` || !got.At.Equal(t0) {
			t.Fatalf("entry %+v", got)
		}
	})
}
