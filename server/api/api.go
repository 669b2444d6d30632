package api

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/hub"
	"licet.dev/licet/server/store"
)

// Options are what the API needs from the server that mounts it.
type Options struct {
	Store *store.Store
	// Keys signs licenses with the active vendor root key.
	Keys *Keyring
	// Metrics receives request and issuance counts; nil makes a new one.
	Metrics *Metrics
	Log     *slog.Logger
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
	// PublicURL is where people reach the portal, without a trailing slash.
	PublicURL string
	// Vendor is the vendor name written into order licenses; may be empty.
	Vendor string
	// Auth configures sign-in (package auth): sessions, the session cookie,
	// lockout and login limits, trusted proxies and origins. Its Now and
	// Rand default to the API's; OnError is the API's problem writer; a
	// zero TokenCache keeps API tokens for 5 seconds. Set InsecureCookies
	// when the portal is served over plain HTTP.
	Auth auth.Config
	// Version is reported in the OpenAPI document.
	Version string
	// Site serves the portal's static files; nil serves none.
	Site http.Handler
	// Hub holds the desktop websockets of phone pairings; nil makes one
	// with default settings. The server runs its Run loop.
	Hub *hub.Hub
}

// API is the portal's HTTP interface. Build it with [New]; it is an
// http.Handler for the whole site: /api/v1/..., /healthz, /readyz, /metrics
// and the portal pages.
type API struct {
	store     *store.Store
	keys      *Keyring
	metrics   *Metrics
	log       *slog.Logger
	now       func() time.Time
	rand      io.Reader
	publicURL string
	vendor    string
	site      http.Handler
	auth      *auth.Auth
	// setupLimits throttles setup attempts per address; pairLimits the
	// public pairing routes per address and per pairing; releaseLimits
	// counts wrong release codes per account.
	setupLimits, pairLimits, releaseLimits *auth.Limiter
	hub                                    *hub.Hub
	orders                                 *orderCache
	group                                  *group

	routes  []*route
	openapi []byte
	mux     *http.ServeMux
	root    http.Handler
}

// New builds the API and its routes.
func New(o Options) (*API, error) {
	if o.Store == nil || o.Keys == nil {
		return nil, errors.New("api: a store and a keyring are required")
	}
	a := &API{
		store:     o.Store,
		keys:      o.Keys,
		metrics:   o.Metrics,
		log:       o.Log,
		now:       o.Now,
		rand:      o.Rand,
		publicURL: strings.TrimRight(o.PublicURL, "/"),
		vendor:    o.Vendor,
		site:      o.Site,
		hub:       o.Hub,
	}
	if a.metrics == nil {
		a.metrics = NewMetrics(time.Now())
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	ac := o.Auth
	ac.Now, ac.Rand = a.now, a.rand
	if o.Auth.Now != nil {
		ac.Now = o.Auth.Now
	}
	if o.Auth.Rand != nil {
		ac.Rand = o.Auth.Rand
	}
	if ac.TokenCache == 0 {
		ac.TokenCache = tokenCacheTTL
	}
	ac.OnError = func(w http.ResponseWriter, r *http.Request, err error) { a.writeError(w, r, authErr(err)) }
	var err error
	if a.auth, err = auth.New(a.store, ac); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	if a.setupLimits, err = auth.NewLimiter(setupRefill, setupBurst, a.now); err != nil {
		return nil, err
	}
	if a.pairLimits, err = auth.NewLimiter(pairRefill, pairBurst, a.now); err != nil {
		return nil, err
	}
	if a.releaseLimits, err = auth.NewLimiter(releaseRefill, releaseBurst, a.now); err != nil {
		return nil, err
	}
	a.orders = newOrderCache(a.now)
	a.group = &group{st: a.store}
	if a.hub == nil {
		a.hub = hub.New(a.store, hub.Config{Now: a.now, Rand: a.rand, Log: a.log})
	}
	a.routes = a.table()
	for _, rt := range a.routes {
		if !rt.public && rt.perm == "" {
			return nil, fmt.Errorf("api: route %s %s names no permission", rt.method, rt.path)
		}
	}
	doc, err := json.MarshalIndent(openAPI(a.routes, o.Version, a.auth.CookieName()), "", " ")
	if err != nil {
		return nil, err
	}
	a.openapi = doc

	a.mux = http.NewServeMux()
	for _, rt := range a.routes {
		a.mux.Handle(rt.method+" "+rt.path, a.handler(rt))
	}
	a.mux.HandleFunc("GET /healthz", a.healthz)
	a.mux.HandleFunc("GET /readyz", a.readyz)
	a.mux.Handle("GET /metrics", a.metrics)
	// Anything else under /api/ is a problem-details 404, never the portal.
	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		a.writeError(w, r, errNotFound("route "+r.URL.Path))
	})
	if a.site != nil {
		a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				w.Header().Set("Allow", "GET, HEAD")
				a.writeError(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: CodeMethod, Public: "the portal's pages only answer GET"})
				return
			}
			a.site.ServeHTTP(w, r)
		})
		shell := func(w http.ResponseWriter, r *http.Request) {
			r2 := r.Clone(r.Context())
			r2.URL.Path = "/"
			r2.URL.RawPath = ""
			a.site.ServeHTTP(w, r2)
		}
		// The setup link and the URL a terminal's QR code carries open the
		// portal's single page, which reads the rest from its address.
		a.mux.HandleFunc("GET /setup", shell)
		a.mux.HandleFunc("GET /R/{request...}", shell)
		// The phone URL of a pairing opens the phone's scanning page.
		a.mux.HandleFunc("GET /P/{token...}", shell)
	}
	a.root = a.observe(a.mux)
	return a, nil
}

// ServeHTTP serves every route.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

// Auth returns the sign-in service the API uses: the server makes the
// setup link and sweeps ended sessions with it.
func (a *API) Auth() *auth.Auth { return a.auth }

// Hub returns the hub of phone pairings, whose Run loop the server runs.
func (a *API) Hub() *hub.Hub { return a.hub }

// Metrics returns the API's metrics registry.
func (a *API) Metrics() *Metrics { return a.metrics }

// OpenAPI returns the OpenAPI document.
func (a *API) OpenAPI() []byte { return a.openapi }

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ok\n")
}

func (a *API) readyz(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Ping(r.Context()); err != nil {
		a.writeError(w, r, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
			Public: "the database does not answer", Err: err})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ready\n")
}

func (a *API) serveOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(a.openapi)
	return nil
}
