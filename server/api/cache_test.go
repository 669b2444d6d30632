package api

import (
	"fmt"
	"net/http"
	"testing"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// TestCachesFollowChanges: a server forgets cached tokens and order data
// when it changes them; another server sharing the database follows
// within the caches' life.
func TestCachesFollowChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		other := newEnvOn(t, e)
		admin := e.admin()
		var tc tokenCreated
		admin.must("POST", "/api/v1/tokens", map[string]any{"name": "ci"}, 201, &tc)
		here := &client{e: e, hc: http.DefaultClient, bearer: tc.Secret}
		there := &client{e: other, hc: http.DefaultClient, bearer: tc.Secret}
		here.must("GET", "/api/v1/products", nil, 200, nil)
		there.must("GET", "/api/v1/products", nil, 200, nil)
		admin.must("DELETE", fmt.Sprintf("/api/v1/tokens/%d", tc.Token.ID), nil, 204, nil)
		if r := here.do("GET", "/api/v1/products", nil); r.status != 401 {
			t.Errorf("revoked token on the server that revoked it: %d", r.status)
		}
		if r := there.do("GET", "/api/v1/products", nil); r.status != 200 {
			t.Errorf("revoked token on another server within %s: %d", tokenCacheTTL, r.status)
		}
		e.clock.add(tokenCacheTTL)
		if r := there.do("GET", "/api/v1/products", nil); r.status != 401 {
			t.Errorf("revoked token on another server after %s: %d", tokenCacheTTL, r.status)
		}

		// A renamed product is in the next license signed here.
		o, short := setupOrder(t, admin, map[string]any{"mode": "unlimited"})
		activate := func(c *client, n byte) *codec.DeviceLicense {
			t.Helper()
			var res activationResult
			c.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{n}, 1).String()}, 201, &res)
			f := c.must("GET", res.License.FileURL, nil, 200, nil)
			v := codec.Verifier{Roots: trustSet(t, c), Now: e.clock.now()}
			got, err := v.VerifyBytes(f.body)
			if err != nil {
				t.Fatal(err)
			}
			return got.Leaf.(*codec.DeviceLicense)
		}
		otherAdmin := &client{e: other, hc: admin.hc, csrf: admin.csrf}
		activate(admin, 1)
		activate(otherAdmin, 2)
		admin.must("PATCH", fmt.Sprintf("/api/v1/products/%d", o.ProductID), map[string]any{"name": "Renamed"}, 200, nil)
		if d := activate(admin, 3); d.ProductName != "Renamed" {
			t.Errorf("product name here after the rename: %q", d.ProductName)
		}
		if d := activate(otherAdmin, 4); d.ProductName == "Renamed" {
			t.Errorf("another server within %s already signs the new name", orderCacheTTL)
		}
		e.clock.add(orderCacheTTL)
		if d := activate(otherAdmin, 5); d.ProductName != "Renamed" {
			t.Errorf("product name on another server after %s: %q", orderCacheTTL, d.ProductName)
		}
		// A revoked order refuses at once everywhere: the transaction reads
		// its status.
		admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/revoke", o.ID), nil, 200, nil)
		r := otherAdmin.do("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{6}, 1).String()})
		if pr := r.problem(t); r.status != 409 || pr.Code != CodeOrderInactive {
			t.Errorf("activation on another server right after the revocation: %d %+v", r.status, pr)
		}
	})
}
