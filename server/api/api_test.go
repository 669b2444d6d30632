package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// TestEveryRouteIsGuarded walks the OpenAPI document: every non-public
// operation refuses a request without credentials (401), and every
// state-changing one refuses a signed-in request without the CSRF header
// (403 csrf_failed).
func TestEveryRouteIsGuarded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		var doc struct {
			Paths map[string]map[string]struct {
				Public   *bool `json:"x-public"`
				Security []any `json:"security"`
			} `json:"paths"`
		}
		r := e.anon().must("GET", "/api/v1/openapi.json", nil, 200, &doc)
		if !json.Valid(r.body) {
			t.Fatal("openapi.json is not JSON")
		}
		if len(doc.Paths) == 0 {
			t.Fatal("no paths in the OpenAPI document")
		}
		// The document covers every route of the table and nothing else.
		seen := 0
		var public []string
		for path, ops := range doc.Paths {
			for method, op := range ops {
				seen++
				method = strings.ToUpper(method)
				if op.Public == nil {
					t.Errorf("%s %s: no x-public", method, path)
					continue
				}
				url := strings.NewReplacer("{id}", "1", "{token}", strings.Repeat("A", 52)).Replace(path)
				if *op.Public {
					public = append(public, method+" "+path)
					if len(op.Security) != 0 {
						t.Errorf("%s %s: public but has security requirements", method, path)
					}
					continue
				}
				var body any
				if stateChanging(method) {
					body = map[string]any{}
				}
				res := e.anon().do(method, url, body)
				if res.status != http.StatusUnauthorized || res.problem(t).Code != CodeUnauthenticated {
					t.Errorf("%s %s without credentials: %d %s, want 401 unauthenticated", method, path, res.status, res.body)
				}
				bad := &client{e: e, hc: admin.hc, bearer: "licet_not-a-real-token"}
				if res := bad.do(method, url, body); res.status != http.StatusUnauthorized {
					t.Errorf("%s %s with a bad token: %d, want 401", method, path, res.status)
				}
				if stateChanging(method) {
					noCSRF := &client{e: e, hc: admin.hc}
					res := noCSRF.do(method, url, body)
					if res.status != http.StatusForbidden || res.problem(t).Code != CodeCSRF {
						t.Errorf("%s %s with a session and no CSRF header: %d %s, want 403 csrf_failed", method, path, res.status, res.body)
					}
					wrong := &client{e: e, hc: admin.hc, csrf: "wrong" + admin.csrf}
					if res := wrong.do(method, url, body); res.status != http.StatusForbidden {
						t.Errorf("%s %s with a wrong CSRF token: %d, want 403", method, path, res.status)
					}
				}
			}
		}
		if seen != len(e.api.routes) {
			t.Errorf("document has %d operations, the route table %d", seen, len(e.api.routes))
		}
		sort.Strings(public)
		want := []string{"GET /api/v1/openapi.json", "POST /api/v1/auth/login", "POST /api/v1/auth/setup",
			"POST /api/v1/pairings/{token}/hello", "POST /api/v1/pairings/{token}/requests"}
		if fmt.Sprint(public) != fmt.Sprint(want) {
			t.Errorf("public operations %v, want %v", public, want)
		}
	})
}

func TestSetupLinkIsOneTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		sec, ok, err := e.api.Auth().EnsureSetupToken(t.Context())
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		tok := sec.Reveal()
		body := map[string]string{"token": tok, "username": "root", "password": "a long admin password"}
		short := map[string]string{"token": tok, "username": "root", "password": "short"}
		if p := e.anon().do("POST", "/api/v1/auth/setup", short).problem(t); p.Code != CodeValidation || len(p.Errors) == 0 {
			t.Errorf("short password: %+v", p)
		}
		var s session
		c := e.anon()
		c.must("POST", "/api/v1/auth/setup", body, 201, &s)
		if s.Account.Role != "admin" || s.CSRFToken == "" {
			t.Errorf("setup session %+v", s)
		}
		c.must("GET", "/api/v1/auth/session", nil, 200, nil)
		res := e.anon().do("POST", "/api/v1/auth/setup", body)
		if res.status != http.StatusGone || res.problem(t).Code != CodeSetupUsed {
			t.Errorf("second use of the setup link: %d %s", res.status, res.body)
		}
		body["token"] = "made-up"
		if res := e.anon().do("POST", "/api/v1/auth/setup", body); res.status != http.StatusGone {
			t.Errorf("unknown setup token: %d", res.status)
		}
	})
}

func TestLoginLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		admin.must("POST", "/api/v1/accounts", map[string]string{"username": "op", "password": "operator password", "role": "operator"}, 201, nil)
		wrong := map[string]string{"username": "op", "password": "not the password"}
		cfg := e.api.Auth().Config()
		maxFailures := cfg.MaxFailures
		for i := 1; i < maxFailures; i++ {
			if p := e.anon().do("POST", "/api/v1/auth/login", wrong).problem(t); p.Code != CodeUnauthenticated {
				t.Fatalf("wrong password %d: %+v", i, p)
			}
		}
		res := e.anon().do("POST", "/api/v1/auth/login", wrong)
		if res.status != http.StatusTooManyRequests || res.problem(t).Code != CodeLockedOut || res.header.Get("Retry-After") == "" {
			t.Fatalf("failure %d: %d %s, want 429 locked_out with Retry-After", maxFailures, res.status, res.body)
		}
		right := map[string]string{"username": "op", "password": "operator password"}
		if p := e.anon().do("POST", "/api/v1/auth/login", right).problem(t); p.Code != CodeLockedOut {
			t.Fatalf("right password while locked: %+v", p)
		}
		e.clock.add(cfg.LockoutDuration + time.Second)
		var s session
		e.anon().must("POST", "/api/v1/auth/login", right, 200, &s)

		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=account.lock", nil, 200, &audit)
		if len(audit.Items) != 1 || audit.Items[0].Target != fmt.Sprintf("account:%d", s.Account.ID) || audit.Items[0].IP == "" {
			t.Errorf("lockout audit entries %+v", audit.Items)
		}
	})
}

func TestLoginRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		body := map[string]string{"username": "nobody", "password": "whatever it is"}
		cfg := e.api.Auth().Config()
		loginBurst := cfg.LoginBurst
		for i := 0; i < loginBurst; i++ {
			if res := e.anon().do("POST", "/api/v1/auth/login", body); res.status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, res.status)
			}
		}
		res := e.anon().do("POST", "/api/v1/auth/login", body)
		if res.status != http.StatusTooManyRequests || res.problem(t).Code != CodeRateLimited {
			t.Fatalf("attempt %d: %d %s, want 429 rate_limited", loginBurst+1, res.status, res.body)
		}
		e.clock.add(cfg.LoginEvery)
		if res := e.anon().do("POST", "/api/v1/auth/login", body); res.status != http.StatusUnauthorized {
			t.Fatalf("after refill: %d", res.status)
		}
	})
}

// viewers numbers the products setupOrder creates, whose names must differ.
var viewers atomic.Int64

// setupOrder creates a product, a customer and an order and returns the
// order and the product's short id.
func setupOrder(t testing.TB, c *client, o map[string]any) (order, uint16) {
	var p product
	c.must("POST", "/api/v1/products", map[string]any{"name": fmt.Sprint("Viewer ", viewers.Add(1))}, 201, &p)
	var cu customer
	c.must("POST", "/api/v1/customers", map[string]any{"name": "Site A", "email": "it@site-a.example"}, 201, &cu)
	o["product_id"], o["customer_id"] = p.ID, cu.ID
	var out order
	c.must("POST", "/api/v1/orders", o, 201, &out)
	return out, p.ShortID
}

// typo changes one character of a canonical device code.
func typo(code string, pos int) string {
	b := []byte(code)
	for i, n := 0, 0; i < len(b); i++ {
		if b[i] == '-' {
			continue
		}
		if n == pos {
			if b[i] == '7' {
				b[i] = '8'
			} else {
				b[i] = '7'
			}
			break
		}
		n++
	}
	return string(b)
}

func trustSet(t *testing.T, c *client) []*cose.PublicKey {
	t.Helper()
	r := c.must("GET", "/api/v1/keys/trust", nil, 200, nil)
	var keys []*cose.PublicKey
	for _, line := range strings.Fields(string(r.body)) {
		var k cose.PublicKey
		if err := k.UnmarshalText([]byte(line)); err != nil {
			t.Fatalf("trust line %q: %v", line, err)
		}
		keys = append(keys, &k)
	}
	return keys
}

func TestActivateWithTypo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		op := e.user(admin, "operator1", "operator")
		o, short := setupOrder(t, op, map[string]any{"mode": "permanent", "seats": 2, "features": map[string]string{"hd": "on"}})

		digest := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
		code := devcode.New(short, digest, 4242).String()
		typed := strings.ToLower(typo(code, 7))
		var res activationResult
		op.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": typed}, 201, &res)
		if res.Correction == nil || res.Correction.Corrected != code || len(res.Correction.Changes) != 1 || res.Correction.Changes[0].Position != 8 {
			t.Fatalf("correction %+v, want %s corrected at 8", res.Correction, code)
		}
		if used(res.SeatsUsed) != 1 || res.Seats != 2 || res.Reused {
			t.Errorf("seats %d/%d reused %v", used(res.SeatsUsed), res.Seats, res.Reused)
		}
		file := op.must("GET", res.License.FileURL, nil, 200, nil)
		if cd := file.header.Get("Content-Disposition"); !strings.Contains(cd, ".license") {
			t.Errorf("Content-Disposition %q", cd)
		}
		if !codec.IsArmoured(file.body) {
			t.Errorf("downloaded license is not armoured text: %.40q", file.body)
		}
		v := codec.Verifier{Roots: trustSet(t, op), Now: e.clock.now().Add(time.Hour)}
		got, err := v.VerifyBytes(file.body)
		if err != nil {
			t.Fatalf("verifying the device license: %v", err)
		}
		d, ok := got.Leaf.(*codec.DeviceLicense)
		if !ok {
			t.Fatalf("leaf is %T", got.Leaf)
		}
		if d.Product != short || string(d.Binding.Digest) != string(digest[:]) || d.Binding.Nonce != 4242 || d.Features["hd"] != "on" {
			t.Errorf("device license %+v", d)
		}
		if d.Order.String() != o.UID {
			t.Errorf("license draws on %s, order uid %s", d.Order, o.UID)
		}

		// The same terminal again keeps its seat.
		res = activationResult{}
		op.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": code}, 201, &res)
		if !res.Reused || used(res.SeatsUsed) != 1 || res.Correction != nil {
			t.Errorf("reactivation: %+v", res)
		}
		// Two typos are refused, never guessed.
		bad := op.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": typo(typo(code, 3), 12)})
		if p := bad.problem(t); bad.status != 422 || p.Code != CodeInvalidCode {
			t.Errorf("two typos: %d %+v", bad.status, p)
		}
		// The second seat, then none left.
		op.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{9}, 1).String()}, 201, nil)
		full := op.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{10}, 1).String()})
		if p := full.problem(t); full.status != http.StatusConflict || p.Code != CodeSeatsExhausted {
			t.Errorf("third terminal on two seats: %d %+v", full.status, p)
		}
		// A code for another product is refused.
		other := op.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short+1, digest, 1).String()})
		if other.status != 422 {
			t.Errorf("code of another product: %d %s", other.status, other.body)
		}
		var got2 order
		op.must("GET", fmt.Sprintf("/api/v1/orders/%d", o.ID), nil, 200, &got2)
		if got2.SeatsUsed != 2 {
			t.Errorf("seats used %d, want 2", got2.SeatsUsed)
		}
		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=license.", nil, 200, &audit)
		if len(audit.Items) != 3 || audit.Items[0].Actor != "operator1" {
			t.Errorf("license audit entries: %+v", audit.Items)
		}
	})
}

func TestActivateFromRequestURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		o, short := setupOrder(t, admin, map[string]any{"mode": "periodic", "seats": 1, "lease_days": 7, "grace_days": 2})
		digest := make([]byte, 32)
		for i := range digest {
			digest[i] = byte(i + 1)
		}
		rb := &codec.RequestBundle{Header: codec.Header{ID: codec.ID{7}, IssuedAt: codec.At(e.clock.now())},
			Product: short, Digest: digest, Nonce: 99, Components: []codec.Component{{Kind: "machine-id", Hash: codec.Bytes{1, 2, 3, 4}}}}
		raw, err := codec.Marshal(rb)
		if err != nil {
			t.Fatal(err)
		}
		u, err := airgap.RequestURL("https://portal.example", raw)
		if err != nil {
			t.Fatal(err)
		}
		var res activationResult
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "request": u}, 201, &res)
		if res.License.Object != "lease" {
			t.Errorf("periodic order gave a %s", res.License.Object)
		}
		file := admin.must("GET", res.License.FileURL, nil, 200, nil)
		v := codec.Verifier{Roots: trustSet(t, admin), Now: e.clock.now()}
		got, err := v.VerifyBytes(file.body)
		if err != nil {
			t.Fatal(err)
		}
		l := got.Leaf.(*codec.Lease)
		if l.NotAfter.Time() != e.clock.now().Add(7*24*time.Hour) || len(l.Binding.Components) != 1 {
			t.Errorf("lease %+v", l)
		}
		// The payload alone works too; the same terminal reuses its seat.
		payload := u[strings.LastIndex(u, "/R/")+3:]
		res = activationResult{}
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "request": payload}, 201, &res)
		if !res.Reused {
			t.Error("second request of the same terminal took a new seat")
		}
		bad := admin.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "request": "ZZZZ"})
		if p := bad.problem(t); p.Code != CodeInvalidRequest {
			t.Errorf("bad request payload: %+v", p)
		}
		// After the lease and its grace lapse, the seat is free again.
		e.clock.add(10 * 24 * time.Hour)
		usage, err := st.SeatUsage(t.Context(), o.ID, e.clock.now())
		if err != nil || usage.Used != 0 {
			t.Errorf("seats used after lapse: %+v %v", usage, err)
		}
	})
}

func TestKeyRotationKeepsOldLicensesVerifiable(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		o, short := setupOrder(t, admin, map[string]any{"mode": "unlimited", "site_key": mustSiteKey(t)})
		var first license
		admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/license", o.ID), nil, 201, &first)

		res := admin.do("POST", "/api/v1/keys/rotate", map[string]string{"passphrase": "wrong"})
		if p := res.problem(t); p.Code != CodeWrongPassphrase {
			t.Fatalf("rotation with a wrong passphrase: %+v", p)
		}
		op := e.user(admin, "op", "operator")
		if res := op.do("POST", "/api/v1/keys/rotate", map[string]string{"passphrase": testPassphrase}); res.status != 403 || res.problem(t).Code != CodeForbidden {
			t.Fatalf("operator rotating: %d", res.status)
		}
		e.clock.add(time.Hour)
		// Idle for an hour, the session has ended: sign in again.
		admin.login("admin", "a long admin password")
		var nk rootKey
		admin.must("POST", "/api/v1/keys/rotate", map[string]string{"passphrase": testPassphrase}, 201, &nk)
		var keys list[rootKey]
		admin.must("GET", "/api/v1/keys", nil, 200, &keys)
		if len(keys.Items) != 2 || keys.Items[0].Active || !keys.Items[1].Active || keys.Items[1].KeyID != nk.KeyID {
			t.Fatalf("keys after rotation: %+v", keys.Items)
		}
		var second license
		admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/license", o.ID), nil, 201, &second)
		var dev activationResult
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{3}, 5).String()}, 201, &dev)
		if dev.SeatsUsed != nil || dev.Seats != 0 {
			t.Errorf("activation on an unlimited order reports seats %v/%d; the count is left out", dev.SeatsUsed, dev.Seats)
		}
		if first.KeyID == second.KeyID || second.KeyID != nk.KeyID || dev.License.KeyID != nk.KeyID {
			t.Errorf("key ids: first %s second %s device %s new %s", first.KeyID, second.KeyID, dev.License.KeyID, nk.KeyID)
		}
		trust := trustSet(t, admin)
		v := codec.Verifier{Roots: trust, Now: e.clock.now()}
		for _, l := range []license{first, second, dev.License} {
			f := admin.must("GET", l.FileURL, nil, 200, nil)
			if _, err := v.VerifyBytes(f.body); err != nil {
				t.Errorf("license %s (key %s) does not verify with the trust set: %v", l.ID, l.KeyID, err)
			}
		}
		// A verifier with only the old key still accepts the old license.
		old := codec.Verifier{Roots: trust[:1], Now: e.clock.now()}
		f := admin.must("GET", first.FileURL, nil, 200, nil)
		if _, err := old.VerifyBytes(f.body); err != nil {
			t.Errorf("old license with the old key only: %v", err)
		}

		// Reissue signs again with the new key and replaces the old one.
		var re license
		admin.must("POST", "/api/v1/licenses/"+first.ID+"/reissue", nil, 201, &re)
		if re.Replaces != first.ID || re.KeyID != nk.KeyID {
			t.Errorf("reissued %+v", re)
		}
		var was license
		admin.must("GET", "/api/v1/licenses/"+first.ID, nil, 200, &was)
		if was.Status != "replaced" || was.ReplacedBy != re.ID {
			t.Errorf("old license after reissue: %+v", was)
		}
		if res := admin.do("POST", "/api/v1/licenses/"+first.ID+"/reissue", nil); res.status != 409 {
			t.Errorf("reissuing a replaced license: %d", res.status)
		}
		var rdev license
		admin.must("POST", "/api/v1/licenses/"+dev.License.ID+"/revoke", nil, 200, &rdev)
		if rdev.Status != "revoked" {
			t.Errorf("revoked license status %s", rdev.Status)
		}
		if res := admin.do("POST", "/api/v1/licenses/"+dev.License.ID+"/revoke", nil); res.status != 409 {
			t.Errorf("revoking twice: %d", res.status)
		}

		// A restart opens the rotated key.
		k2, created, err := OpenKeyring(t.Context(), st, func(bool) ([]byte, error) { return []byte(testPassphrase), nil }, e.api.rand, e.clock.now())
		if err != nil || created || k2.Active().Public().ID().String() != nk.KeyID {
			t.Errorf("reopening: created %v err %v", created, err)
		}
		if _, _, err := OpenKeyring(t.Context(), st, func(bool) ([]byte, error) { return []byte("nope"), nil }, e.api.rand, e.clock.now()); err != ErrWrongPassphrase {
			t.Errorf("reopening with a wrong passphrase: %v", err)
		}
	})
}

func mustSiteKey(t *testing.T) string {
	k, err := cose.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k.Public().String()
}

func TestRolesAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		aud := e.user(admin, "auditor1", "auditor")
		if res := aud.do("POST", "/api/v1/products", map[string]any{"name": "X"}); res.status != 403 || res.problem(t).Code != CodeForbidden {
			t.Errorf("auditor creating a product: %d %s", res.status, res.body)
		}
		aud.must("GET", "/api/v1/audit", nil, 200, nil)
		op := e.user(admin, "op1", "operator")
		if res := op.do("GET", "/api/v1/audit", nil); res.status != 403 {
			t.Errorf("operator reading the audit log: %d", res.status)
		}
		if res := op.do("POST", "/api/v1/tokens", map[string]any{"name": "x", "role": "admin"}); res.status != 422 {
			t.Errorf("operator creating an admin token: %d", res.status)
		}
		var tc tokenCreated
		op.must("POST", "/api/v1/tokens", map[string]any{"name": "ci", "expires_days": 1}, 201, &tc)
		if !strings.HasPrefix(tc.Secret, auth.APITokenPrefix) || !strings.HasPrefix(tc.Secret, tc.Token.Prefix) {
			t.Fatalf("token %+v", tc)
		}
		script := &client{e: e, hc: http.DefaultClient, bearer: tc.Secret}
		var p product
		script.must("POST", "/api/v1/products", map[string]any{"name": "Scripted", "short_id": 777}, 201, &p)
		if p.ShortID != 777 {
			t.Errorf("short id %d", p.ShortID)
		}
		if res := script.do("POST", "/api/v1/products", map[string]any{"name": "Again", "short_id": 777}); res.status != 409 {
			t.Errorf("duplicate short id: %d", res.status)
		}
		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=product.create", nil, 200, &audit)
		if len(audit.Items) != 1 || audit.Items[0].Actor != "op1 (token ci)" {
			t.Errorf("audit of a token's action: %+v", audit.Items)
		}
		var toks list[token]
		op.must("GET", "/api/v1/tokens", nil, 200, &toks)
		if len(toks.Items) != 1 || strings.Contains(string(op.do("GET", "/api/v1/tokens", nil).body), tc.Secret) {
			t.Errorf("token list %+v", toks)
		}
		e.clock.add(25 * time.Hour)
		if res := script.do("GET", "/api/v1/products", nil); res.status != 401 {
			t.Errorf("expired token: %d", res.status)
		}
		// The idle session expired too: sign in again.
		if res := op.do("GET", "/api/v1/auth/session", nil); res.status != 401 {
			t.Errorf("session idle for 25h: %d", res.status)
		}
		var s session
		op.must("POST", "/api/v1/auth/login", map[string]string{"username": "op1", "password": "password of op1"}, 200, &s)
		op.csrf = s.CSRFToken
		op.must("DELETE", fmt.Sprintf("/api/v1/tokens/%d", tc.Token.ID), nil, 204, nil)

		// Logging out ends the session.
		op.must("POST", "/api/v1/auth/logout", nil, 204, nil)
		if res := op.do("GET", "/api/v1/auth/session", nil); res.status != 401 {
			t.Errorf("after logout: %d", res.status)
		}
	})
}

func TestListsAndValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		for i := range 5 {
			admin.must("POST", "/api/v1/customers", map[string]any{"name": fmt.Sprintf("Customer %d", i)}, 201, nil)
		}
		var page list[customer]
		admin.must("GET", "/api/v1/customers?limit=2", nil, 200, &page)
		if len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].Name != "Customer 4" {
			t.Fatalf("first page %+v", page)
		}
		var all []string
		for cur := ""; ; {
			page = list[customer]{}
			admin.must("GET", "/api/v1/customers?limit=2&cursor="+cur, nil, 200, &page)
			for _, c := range page.Items {
				all = append(all, c.Name)
			}
			if page.NextCursor == "" {
				break
			}
			cur = page.NextCursor
		}
		if len(all) != 5 {
			t.Errorf("paged through %v", all)
		}
		admin.must("GET", "/api/v1/customers?q=customer%203", nil, 200, &page)
		if len(page.Items) != 1 {
			t.Errorf("search: %+v", page.Items)
		}
		for _, tc := range []struct {
			path string
			body any
			code string
		}{
			{"/api/v1/customers?limit=0", nil, CodeBadRequest},
			{"/api/v1/customers?cursor=x", nil, CodeBadRequest},
		} {
			if p := admin.do("GET", tc.path, tc.body).problem(t); p.Code != tc.code {
				t.Errorf("GET %s: %+v", tc.path, p)
			}
		}
		for _, tc := range []struct {
			body any
			code string
		}{
			{map[string]any{"mode": "permanent"}, CodeValidation},
			{map[string]any{"mode": "sometimes", "seats": 1}, CodeValidation},
			{map[string]any{"mode": "unlimited", "seats": 3}, CodeValidation},
			{map[string]any{"mode": "periodic", "seats": 3}, CodeValidation},
			{map[string]any{"mode": "permanent", "seats": "three"}, CodeValidation},
			{map[string]any{"mode": "permanent", "seats": 1, "colour": "red"}, CodeValidation},
			{map[string]any{"mode": "permanent", "seats": 1, "product_id": 999, "customer_id": 999}, CodeValidation},
			{map[string]any{"mode": "preactivation", "seats": 1, "constraints": map[string]any{"architectures": []string{"amd64"}}}, CodeValidation},
		} {
			res := admin.do("POST", "/api/v1/orders", tc.body)
			if p := res.problem(t); p.Code != tc.code || res.status != 422 {
				t.Errorf("order %v: %d %+v", tc.body, res.status, p)
			}
		}
		res := admin.do("POST", "/api/v1/customers", nil)
		if p := res.problem(t); res.status != 415 {
			t.Errorf("no body and no content type: %d %+v", res.status, p)
		}
		if res := admin.do("GET", "/api/v1/nothing-here", nil); res.status != 404 || res.problem(t).Code != CodeNotFound {
			t.Errorf("unknown API route: %d", res.status)
		}
		if res := admin.do("GET", "/api/v1/orders/abc", nil); res.status != 404 {
			t.Errorf("bad id: %d", res.status)
		}
		// Every mode makes an order whose license can be issued.
		for _, m := range []map[string]any{
			{"mode": "permanent", "seats": 10, "versions": map[string]string{"min": "2.0"}, "constraints": map[string]any{"architectures": []string{"amd64", "arm64"}}},
			{"mode": "periodic", "seats": 10, "lease_days": 30, "renew_days": 7, "grace_days": 3},
			{"mode": "concurrent", "seats": 5, "lease_days": 1, "max_borrow_days": 14},
			{"mode": "unlimited", "not_after": e.clock.now().Add(365 * 24 * time.Hour)},
			{"mode": "preactivation", "seats": 1000, "device_term_days": 365, "auto_activation": false},
		} {
			o, _ := setupOrder(t, admin, m)
			var l license
			admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/license", o.ID), nil, 201, &l)
			f := admin.must("GET", l.FileURL, nil, 200, nil)
			v := codec.Verifier{Roots: trustSet(t, admin), Now: e.clock.now()}
			got, err := v.VerifyBytes(f.body)
			if err != nil {
				t.Fatalf("mode %v: %v", m["mode"], err)
			}
			if ol := got.Leaf.(*codec.OrderLicense); ol.Mode.String() != m["mode"] || ol.Customer != "Site A" {
				t.Errorf("order license %+v", ol)
			}
		}
		var orders list[order]
		admin.must("GET", "/api/v1/orders?mode=concurrent", nil, 200, &orders)
		if len(orders.Items) != 1 || orders.Items[0].MaxBorrowDays != 14 {
			t.Errorf("concurrent orders %+v", orders.Items)
		}
		admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/revoke", orders.Items[0].ID), nil, 200, nil)
		if res := admin.do("POST", fmt.Sprintf("/api/v1/orders/%d/license", orders.Items[0].ID), nil); res.problem(t).Code != CodeOrderInactive {
			t.Errorf("issuing on a revoked order: %s", res.body)
		}
	})
}

func TestHealthAndMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		c := e.anon()
		if r := c.do("GET", "/healthz", nil); r.status != 200 {
			t.Errorf("healthz %d", r.status)
		}
		if r := c.do("GET", "/readyz", nil); r.status != 200 {
			t.Errorf("readyz %d", r.status)
		}
		c.do("GET", "/api/v1/products", nil)
		r := c.do("GET", "/metrics", nil)
		for _, want := range []string{
			`licet_http_requests_total{route="GET /api/v1/products",code="401"} 1`,
			`licet_http_request_duration_seconds_bucket{route="GET /healthz",code="200",le="+Inf"} 1`,
			`licet_licenses_issued_total{kind="device"} 0`,
		} {
			if !strings.Contains(string(r.body), want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Error("no security headers")
		}
	})
}

// TestSignInDefences: what package auth adds to the portal's routes. A
// token cannot mint tokens, an operator cannot mint tokens of another role,
// browsers cannot post from another site (not even the public login), and
// weak passwords and bad usernames are field errors.
func TestSignInDefences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		op := e.user(admin, "op1", "operator")
		var tc tokenCreated
		op.must("POST", "/api/v1/tokens", map[string]any{"name": "ci"}, 201, &tc)
		script := &client{e: e, hc: http.DefaultClient, bearer: tc.Secret}
		if r := script.do("POST", "/api/v1/tokens", map[string]any{"name": "child"}); r.status != 403 || r.problem(t).Code != CodeForbidden {
			t.Errorf("a token minting a token: %d %s", r.status, r.body)
		}
		r := op.do("POST", "/api/v1/tokens", map[string]any{"name": "x", "role": "auditor"})
		if p := r.problem(t); r.status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "role" {
			t.Errorf("an operator minting an auditor token (which reads the audit log): %d %s", r.status, r.body)
		}
		admin.must("POST", "/api/v1/tokens", map[string]any{"name": "audit export", "role": "auditor"}, 201, nil)

		// Another site's page cannot post, even with the cookie and a token.
		for _, h := range []map[string]string{{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}} {
			req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/customers", strings.NewReader(`{"name":"x"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(auth.CSRFHeader, admin.csrf)
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err := admin.hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 403 {
				t.Errorf("post with %v: %d, want 403", h, res.StatusCode)
			}
			req, _ = http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login", strings.NewReader(`{"username":"op1","password":"password of op1"}`))
			req.Header.Set("Content-Type", "application/json")
			for k, v := range h {
				req.Header.Set(k, v)
			}
			res, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != 403 || len(res.Cookies()) != 0 {
				t.Errorf("login posted from another site (%v): %d, cookies %v", h, res.StatusCode, res.Cookies())
			}
		}
		// The same page's own posts pass.
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/customers", strings.NewReader(`{"name":"y"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(auth.CSRFHeader, admin.csrf)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.srv.URL)
		if res, err := admin.hc.Do(req); err != nil || res.StatusCode != 201 {
			t.Errorf("same-origin post: %v %v", res, err)
		}

		r = admin.do("POST", "/api/v1/accounts", map[string]string{"username": "Bad Name!", "password": "aaaaaaaaaaaaaaaa", "role": "boss"})
		p := r.problem(t)
		fields := map[string]bool{}
		for _, f := range p.Errors {
			fields[f.Field] = true
		}
		if r.status != 422 || !fields["username"] || !fields["password"] || !fields["role"] {
			t.Errorf("bad account: %d %+v", r.status, p)
		}
		r = admin.do("POST", "/api/v1/accounts", map[string]string{"username": "licet", "password": "licet2024!", "role": "operator"})
		if p := r.problem(t); r.status != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "password" || !strings.Contains(p.Errors[0].Message, "12") {
			t.Errorf("weak password: %d %+v", r.status, p)
		}

		// Disabling an account stops its tokens at once on this server.
		var ops list[account]
		admin.must("GET", "/api/v1/accounts?q=op1", nil, 200, &ops)
		admin.must("DELETE", fmt.Sprintf("/api/v1/accounts/%d", ops.Items[0].ID), nil, 204, nil)
		if r := script.do("GET", "/api/v1/products", nil); r.status != 401 {
			t.Errorf("token of a disabled account: %d", r.status)
		}
		if r := op.do("GET", "/api/v1/auth/session", nil); r.status != 401 {
			t.Errorf("session of a disabled account: %d", r.status)
		}
	})
}
