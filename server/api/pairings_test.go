package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/server/hub"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// requestURL makes a terminal's request URL for product short.
func requestURL(t testing.TB, short uint16, nonce uint32) string {
	t.Helper()
	digest := make([]byte, 32)
	for i := range digest {
		digest[i] = byte(i) ^ byte(nonce)
	}
	rb := &codec.RequestBundle{Header: codec.Header{ID: codec.ID{byte(nonce)}, IssuedAt: codec.At(time.Date(2030, 1, 15, 9, 0, 0, 0, time.UTC))},
		Product: short, Digest: digest, Nonce: nonce}
	raw, err := codec.Marshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	u, err := airgap.RequestURL("https://portal.example", raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// dialEvents opens the websocket of a pairing as the desktop page of c
// does, with the session cookie and the given Origin.
func (c *client) dialEvents(ctx context.Context, path, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.e.srv.URL, "http")+path, &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: h})
}

func readMessage(t *testing.T, ctx context.Context, c *websocket.Conn) hub.Message {
	t.Helper()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("reading the websocket: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v", typ)
	}
	var m hub.Message
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("message %s: %v", b, err)
	}
	return m
}

func TestPairingDeliversAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		var p pairingCreated
		admin.must("POST", "/api/v1/pairings", nil, 201, &p)
		if len(p.Token) != hub.TokenLen || p.PhoneURL != "http://portal.test/P/"+p.Token || !p.ExpiresAt.Equal(e.clock.now().Add(hub.DefaultTTL)) {
			t.Fatalf("pairing %+v", p)
		}
		// The phone URL opens the portal's page.
		if r := e.anon().do("GET", "/P/"+p.Token, nil); r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("GET /P/TOKEN: %d %s", r.status, r.header.Get("Content-Type"))
		}

		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		ws, _, err := admin.dialEvents(ctx, p.EventsURL, e.srv.URL)
		if err != nil {
			t.Fatalf("opening the websocket: %v", err)
		}
		defer ws.CloseNow()

		phone := e.anon()
		var hello pairingAccepted
		phone.must("POST", "/api/v1/pairings/"+p.Token+"/hello", nil, 200, &hello)
		if m := readMessage(t, ctx, ws); m.Type != "paired" || m.ID == 0 {
			t.Fatalf("first message %+v, want paired", m)
		}
		u := requestURL(t, 7, 1)
		var acc pairingAccepted
		// The phone may send the URL as its browser shows it: the host in
		// lower case.
		shown := strings.Replace(u, "HTTPS://PORTAL.EXAMPLE/R/", "https://portal.example/R/", 1)
		phone.must("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": shown}, 202, &acc)
		if acc.RequestURL != u {
			t.Errorf("accepted %q, want %q", acc.RequestURL, u)
		}
		// No sweep has run: the message arrives from the post itself.
		m := readMessage(t, ctx, ws)
		if m.Type != "request" || m.RequestURL != u || !m.At.Equal(e.clock.now()) {
			t.Fatalf("message %+v, want the request %s", m, u)
		}

		// A reconnecting page gets what it missed after the id it saw.
		u2 := requestURL(t, 7, 2)
		phone.must("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": u2}, 202, nil)
		ws.Close(websocket.StatusNormalClosure, "")
		ws2, _, err := admin.dialEvents(ctx, fmt.Sprintf("%s?after=%d", p.EventsURL, m.ID), e.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer ws2.CloseNow()
		if m2 := readMessage(t, ctx, ws2); m2.Type != "request" || m2.RequestURL != u2 {
			t.Fatalf("after reconnecting: %+v", m2)
		}

		// Bad request URLs are refused and never reach the desktop.
		for _, bad := range []string{"https://example.com/", "HTTPS://PORTAL.EXAMPLE/R/ZZZ", "HTTPS://PORTAL.EXAMPLE/R/" + strings.Repeat("0", 16)} {
			res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": bad})
			if pr := res.problem(t); res.status != 422 || pr.Code != CodeInvalidRequest || pr.Errors[0].Field != "request_url" {
				t.Errorf("request URL %q: %d %+v", bad, res.status, pr)
			}
		}

		// At expiry the desktop is told, and the token stops working.
		e.clock.add(hub.DefaultTTL)
		if err := e.api.Hub().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if m := readMessage(t, ctx, ws2); m.Type != "expired" {
			t.Fatalf("at expiry: %+v", m)
		}
		if _, _, err := ws2.Read(ctx); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
			t.Errorf("after expired: %v, want a normal closure", err)
		}
		res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": u})
		if pr := res.problem(t); res.status != http.StatusGone || pr.Code != CodePairingExpired {
			t.Errorf("expired token: %d %+v", res.status, pr)
		}
		if res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/hello", nil); res.status != http.StatusGone {
			t.Errorf("hello with an expired token: %d", res.status)
		}
		if _, res, err := admin.dialEvents(ctx, p.EventsURL, e.srv.URL); err == nil || res == nil || res.StatusCode != http.StatusGone {
			t.Errorf("websocket of an expired pairing: %v %v", res, err)
		}

		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=pairing.", nil, 200, &audit)
		if len(audit.Items) != 2 || audit.Items[0].Action != "pairing.phone" || audit.Items[0].Actor != "admin (phone)" ||
			audit.Items[1].Action != "pairing.create" || audit.Items[1].Actor != "admin" {
			t.Errorf("pairing audit entries %+v", audit.Items)
		}
	})
}

func TestPairingRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		var p pairingCreated
		admin.must("POST", "/api/v1/pairings", nil, 201, &p)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()

		// Unknown and malformed tokens.
		phone := e.anon()
		for _, tok := range []string{strings.Repeat("A", hub.TokenLen), strings.ToLower(p.Token), p.Token[:51], p.Token + "0", "x"} {
			res := phone.do("POST", "/api/v1/pairings/"+tok+"/requests", map[string]string{"request_url": requestURL(t, 7, 1)})
			if pr := res.problem(t); res.status != 404 || pr.Code != CodeNotFound {
				t.Errorf("token %q: %d %+v", tok, res.status, pr)
			}
		}

		// The websocket: another site's page, no Origin, no session, no
		// upgrade, another account's pairing.
		for _, origin := range []string{"https://evil.example", "null", ""} {
			_, res, err := admin.dialEvents(ctx, p.EventsURL, origin)
			if err == nil || res == nil || res.StatusCode != http.StatusForbidden {
				t.Errorf("origin %q: %v %v, want 403", origin, res, err)
			}
		}
		if _, res, err := e.anon().dialEvents(ctx, p.EventsURL, e.srv.URL); err == nil || res == nil || res.StatusCode != http.StatusUnauthorized {
			t.Errorf("no session: %v %v, want 401", res, err)
		}
		if r := admin.do("GET", p.EventsURL, nil); r.status != 403 {
			t.Errorf("plain GET without Origin: %d", r.status)
		}
		req, _ := http.NewRequest("GET", e.srv.URL+p.EventsURL, nil)
		req.Header.Set("Origin", e.srv.URL)
		if res, err := admin.hc.Do(req); err != nil || res.StatusCode != http.StatusUpgradeRequired {
			t.Errorf("GET without Upgrade: %v %v", res, err)
		} else {
			res.Body.Close()
		}
		op := e.user(admin, "op", "operator")
		if _, res, err := op.dialEvents(ctx, p.EventsURL, e.srv.URL); err == nil || res == nil || res.StatusCode != http.StatusNotFound {
			t.Errorf("another account's pairing: %v %v, want 404", res, err)
		}
		aud := e.user(admin, "aud", "auditor")
		if res := aud.do("POST", "/api/v1/pairings", nil); res.status != 403 {
			t.Errorf("auditor pairing: %d", res.status)
		}
		// The public URL's origin is accepted as well as the request's host.
		e.api.publicURL = "https://portal.example"
		ws, _, err := admin.dialEvents(ctx, p.EventsURL, "https://portal.example")
		if err != nil {
			t.Fatalf("origin of the public URL: %v", err)
		}
		ws.CloseNow()
		if _, res, err := admin.dialEvents(ctx, p.EventsURL, "http://portal.example"); err == nil || res.StatusCode != 403 {
			t.Errorf("public host with another scheme: %v %v", res, err)
		}
	})
}

func TestPairingRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		var p pairingCreated
		admin.must("POST", "/api/v1/pairings", nil, 201, &p)
		phone := e.anon()
		for i := range pairBurst {
			if res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/hello", nil); res.status != 200 {
				t.Fatalf("hello %d: %d %s", i+1, res.status, res.body)
			}
		}
		res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/hello", nil)
		if pr := res.problem(t); res.status != 429 || pr.Code != CodeRateLimited || res.header.Get("Retry-After") == "" {
			t.Fatalf("hello %d: %d %+v", pairBurst+1, res.status, pr)
		}
		// Unknown tokens count too: guessing is as slow.
		if res := phone.do("POST", "/api/v1/pairings/"+strings.Repeat("B", hub.TokenLen)+"/hello", nil); res.status != 429 {
			t.Errorf("guess after the limit: %d", res.status)
		}
		e.clock.add(pairRefill)
		if res := phone.do("POST", "/api/v1/pairings/"+p.Token+"/hello", nil); res.status != 200 {
			t.Errorf("after refill: %d", res.status)
		}
	})
}

// TestPairingAcrossServers: the desktop's websocket is held by one server,
// the phone posts to another sharing the database; the holder's sweep
// delivers it.
func TestPairingAcrossServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		other := newEnvOn(t, e)
		var p pairingCreated
		admin.must("POST", "/api/v1/pairings", nil, 201, &p)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		ws, _, err := admin.dialEvents(ctx, p.EventsURL, e.srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		// The subscription is made before the upgrade completes.
		if e.api.Hub().Subscribers() != 1 {
			t.Fatalf("%d subscribers after the websocket opened", e.api.Hub().Subscribers())
		}
		u := requestURL(t, 7, 3)
		other.anon().must("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": u}, 202, nil)
		if other.api.Hub().Subscribers() != 0 {
			t.Fatal("the other server holds a websocket")
		}
		if err := e.api.Hub().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if m := readMessage(t, ctx, ws); m.Type != "request" || m.RequestURL != u {
			t.Fatalf("message %+v", m)
		}
		// A second sweep sends nothing twice.
		if err := e.api.Hub().Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		u2 := requestURL(t, 7, 4)
		e.anon().must("POST", "/api/v1/pairings/"+p.Token+"/requests", map[string]string{"request_url": u2}, 202, nil)
		if m := readMessage(t, ctx, ws); m.RequestURL != u2 {
			t.Fatalf("after a second sweep: %+v, want only the new request", m)
		}
	})
}
