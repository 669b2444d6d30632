package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

// orderLicenseOf issues the order license of o and verifies it as a
// terminal that imports it does.
func orderLicenseOf(t *testing.T, e *env, c *client, orderID int64) *codec.OrderLicense {
	t.Helper()
	var l license
	c.must("POST", fmt.Sprintf("/api/v1/orders/%d/license", orderID), nil, 201, &l)
	f := c.must("GET", l.FileURL, nil, 200, nil)
	v := codec.Verifier{Roots: trustSet(t, c), Now: e.clock.now()}
	got, err := v.VerifyBytes(f.body)
	if err != nil {
		t.Fatalf("verifying the order license: %v", err)
	}
	return got.Leaf.(*codec.OrderLicense)
}

func parseID(t *testing.T, s string) codec.ID {
	t.Helper()
	var id codec.ID
	if err := id.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return id
}

// retype changes character n (1-based, hyphens not counted) of a code.
func retype(code string, n int) string {
	return typo(code, n-1)
}

func TestConfirmationCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		op := e.user(admin, "op", "operator")
		o, short := setupOrder(t, op, map[string]any{"mode": "permanent", "seats": 2, "confirm_codes": true,
			"features": map[string]string{"hd": "on"}, "not_after": e.clock.now().Add(400 * day)})
		if !o.ConfirmCodes || len(o.ConfirmKey) != 2*confirm.PublicKeySize {
			t.Fatalf("order %+v", o)
		}
		ol := orderLicenseOf(t, e, op, o.ID)
		if pub, err := confirm.KeyOf(ol); err != nil || pub.String() != o.ConfirmKey {
			t.Fatalf("order license names %v (%v), order shows %s", pub, err, o.ConfirmKey)
		}

		dc := devcode.New(short, [8]byte{1, 2, 3}, 77)
		var res confirmationResult
		op.must("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID),
			map[string]any{"device_code": retype(dc.String(), 9), "days": 30}, 201, &res)
		if res.Correction == nil || res.Correction.Corrected != dc.String() || res.Reused || used(res.SeatsUsed) != 1 || res.Seats != 2 {
			t.Fatalf("confirmation %+v", res)
		}
		if res.License.Object != "confirmation" || res.License.Code != res.Code || res.License.DeviceCode != dc.String() || res.License.Status != "active" {
			t.Errorf("record %+v", res.License)
		}
		// The terminal, holding the order license, verifies the code.
		p, err := confirm.Parse(res.Code)
		if err != nil || len(strings.ReplaceAll(res.Code, "-", "")) != 80 {
			t.Fatalf("code %q: %v", res.Code, err)
		}
		g, err := confirm.Verify(ol, dc, p.Code)
		if err != nil {
			t.Fatalf("the terminal refuses the code: %v", err)
		}
		if g.LicenseID().String() != res.License.ID || res.NotAfter == nil || !g.NotAfter.Time().Equal(*res.NotAfter) ||
			g.NotAfter.Time().Before(e.clock.now().Add(30*day)) || g.NotAfter.Time().After(e.clock.now().Add(31*day)) {
			t.Errorf("grant %+v, record %+v, not_after %v", g, res.License, res.NotAfter)
		}
		// The record's file is the full license of the same grant.
		f := op.must("GET", res.License.FileURL, nil, 200, nil)
		v := codec.Verifier{Roots: trustSet(t, op), Now: e.clock.now()}
		got, err := v.VerifyBytes(f.body)
		if err != nil {
			t.Fatalf("full license: %v", err)
		}
		d := got.Leaf.(*codec.DeviceLicense)
		if d.ID.String() != res.License.ID || d.Order != ol.ID || d.NotAfter != g.NotAfter || d.Features["hd"] != "on" ||
			string(d.Binding.Digest) != string(dc.Digest[:]) || d.Binding.Nonce != 77 {
			t.Errorf("full license %+v", d)
		}

		// The same request again: the same code, no second seat.
		var again confirmationResult
		op.must("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID), map[string]any{"device_code": dc.String(), "days": 30}, 201, &again)
		if again.Code != res.Code || !again.Reused || used(again.SeatsUsed) != 1 || again.Correction != nil {
			t.Errorf("again: %+v", again)
		}

		// More days than the order has left: the grant ends with the order.
		var long confirmationResult
		op.must("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID), map[string]any{"device_code": dc.String(), "days": 500}, 201, &long)
		if long.NotAfter == nil || !long.NotAfter.Equal(*o.NotAfter) || long.Code == res.Code || !long.Reused || used(long.SeatsUsed) != 1 {
			t.Errorf("500 days on an order with 400 left: %+v", long)
		}

		// Refusals.
		path := fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID)
		for _, tc := range []struct {
			body   map[string]any
			status int
			code   string
			field  string
		}{
			{map[string]any{"device_code": devcode.New(short+1, [8]byte{1}, 1).String()}, 422, CodeValidation, "device_code"},
			{map[string]any{"device_code": dc.String(), "days": confirm.MaxDays + 1}, 422, CodeValidation, "days"},
			{map[string]any{"device_code": dc.String(), "days": -1}, 422, CodeValidation, "days"},
			{map[string]any{"device_code": retype(retype(dc.String(), 2), 3)}, 422, CodeInvalidCode, "device_code"},
			{map[string]any{"device_code": ""}, 422, CodeValidation, "device_code"},
		} {
			r := op.do("POST", path, tc.body)
			pr := r.problem(t)
			if r.status != tc.status || pr.Code != tc.code || len(pr.Errors) == 0 || pr.Errors[0].Field != tc.field {
				t.Errorf("%v: %d %+v", tc.body, r.status, pr)
			}
		}
		plain, _ := setupOrder(t, op, map[string]any{"mode": "permanent", "seats": 1})
		if r := op.do("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", plain.ID), map[string]any{"device_code": dc.String()}); r.status != 409 ||
			r.problem(t).Code != CodeNoConfirmKey {
			t.Errorf("order without a confirmation key: %d %s", r.status, r.body)
		}
		r := op.do("POST", "/api/v1/orders", map[string]any{"product_id": o.ProductID, "customer_id": o.CustomerID,
			"mode": "periodic", "seats": 1, "lease_days": 7, "confirm_codes": true})
		if pr := r.problem(t); r.status != 422 || pr.Errors[0].Field != "confirm_codes" {
			t.Errorf("periodic order with confirmation codes: %d %+v", r.status, pr)
		}
		// Another confirm order shares the vendor's confirmation key.
		o2, _ := setupOrder(t, op, map[string]any{"mode": "unlimited", "confirm_codes": true})
		if o2.ConfirmKey != o.ConfirmKey {
			t.Errorf("second order names key %s, first %s", o2.ConfirmKey, o.ConfirmKey)
		}
		// A restarted server opens the sealed confirmation key again.
		keys, _, err := OpenKeyring(t.Context(), st, func(bool) ([]byte, error) { return []byte(testPassphrase), nil }, e.api.rand, e.clock.now())
		if err != nil {
			t.Fatal(err)
		}
		k, err := keys.ConfirmKey(t.Context(), ol.ConfirmKey.Key)
		if err != nil || k.Public().String() != o.ConfirmKey {
			t.Fatalf("reopening the confirmation key: %v", err)
		}
		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=license.confirm", nil, 200, &audit)
		if len(audit.Items) != 2 || audit.Items[0].Actor != "op" {
			t.Errorf("audit %+v", audit.Items)
		}
	})
}

func TestReleaseCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		o, short := setupOrder(t, admin, map[string]any{"mode": "permanent", "seats": 2, "confirm_codes": true})
		day0, err := release.DayOf(e.clock.now())
		if err != nil {
			t.Fatal(err)
		}

		// An activation by confirmation code, released by its code.
		var conf confirmationResult
		dc := devcode.New(short, [8]byte{5}, 5)
		admin.must("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID), map[string]any{"device_code": dc.String()}, 201, &conf)
		var cc confirm.Code
		if err := cc.UnmarshalText([]byte(conf.Code)); err != nil {
			t.Fatal(err)
		}
		ca, err := release.FromConfirmation(cc)
		if err != nil {
			t.Fatal(err)
		}
		code := ca.Code(day0 - 1).String()
		var rel releaseResult
		admin.must("POST", "/api/v1/releases", map[string]string{"code": strings.ToLower(retype(code, 25))}, 200, &rel)
		if rel.License.ID != conf.License.ID || rel.License.Status != "released" || rel.License.ReleasedAt == nil || rel.Already ||
			rel.ReleasedOn != e.clock.now().Add(-day).Format(time.DateOnly) || rel.Correction == nil || rel.Correction.Corrected != code {
			t.Fatalf("release %+v", rel)
		}
		if u, err := st.SeatUsage(t.Context(), o.ID, e.clock.now()); err != nil || u.Used != 0 {
			t.Fatalf("seats after the release: %+v %v", u, err)
		}
		// Again: the same answer, nothing changes.
		var again releaseResult
		admin.must("POST", "/api/v1/releases", map[string]string{"code": code}, 200, &again)
		if !again.Already || again.License.Status != "released" {
			t.Errorf("second release %+v", again)
		}
		// The released activation's code is not shown again.
		if r := admin.do("POST", fmt.Sprintf("/api/v1/orders/%d/confirmations", o.ID), map[string]any{"device_code": dc.String()}); r.status != 409 {
			t.Errorf("confirmation of a released activation: %d %s", r.status, r.body)
		}

		// An activation by license file, released by its code.
		var act activationResult
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{6}, 6).String()}, 201, &act)
		file := admin.must("GET", act.License.FileURL, nil, 200, nil)
		fa, err := release.FromFile(file.body)
		if err != nil {
			t.Fatal(err)
		}
		rel = releaseResult{}
		admin.must("POST", "/api/v1/releases", map[string]string{"code": fa.Code(day0).String()}, 200, &rel)
		if rel.License.ID != act.License.ID || rel.License.Status != "released" || rel.Correction != nil || rel.License.Object != "device" {
			t.Errorf("release of a file activation %+v", rel)
		}

		// Refusals: another activation's secret under this license's id,
		// no such license, unreadable codes.
		var act2 activationResult
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{7}, 7).String()}, 201, &act2)
		forged := fa
		forged.License = parseID(t, act2.License.ID)
		r := admin.do("POST", "/api/v1/releases", map[string]string{"code": forged.Code(day0).String()})
		if pr := r.problem(t); r.status != 422 || pr.Code != CodeReleaseMismatch {
			t.Errorf("forged code: %d %+v", r.status, pr)
		}
		unknown := fa
		unknown.License = codec.ID{0xfe, 0xed}
		r = admin.do("POST", "/api/v1/releases", map[string]string{"code": unknown.Code(day0).String()})
		if pr := r.problem(t); r.status != 404 || pr.Code != CodeLicenseNotFound {
			t.Errorf("unknown license: %d %+v", r.status, pr)
		}
		good := fa.Code(day0).String()
		for _, tc := range []struct {
			code, kind  string
			first, last int
			pos         int
		}{
			{retype(retype(good, 2), 3), "uncorrectable", 1, 20, 0},
			{good[:20], "length", 0, 0, 0},
			{"U" + good[1:], "syntax", 0, 0, 1},
		} {
			r := admin.do("POST", "/api/v1/releases", map[string]string{"code": tc.code})
			pr := r.problem(t)
			if r.status != 422 || pr.Code != CodeInvalidRelease || pr.Errors[0].Kind != tc.kind || pr.Errors[0].First != tc.first ||
				pr.Errors[0].Last != tc.last || pr.Errors[0].Position != tc.pos {
				t.Errorf("code %q: %d %+v", tc.code, r.status, pr)
			}
		}
		aud := e.user(admin, "aud", "auditor")
		if r := aud.do("POST", "/api/v1/releases", map[string]string{"code": good}); r.status != 403 {
			t.Errorf("auditor releasing: %d", r.status)
		}

		var audit list[auditEntry]
		admin.must("GET", "/api/v1/audit?action=license.release", nil, 200, &audit)
		if len(audit.Items) != 2 || !strings.Contains(string(audit.Items[1].Detail), code) ||
			!strings.Contains(string(audit.Items[1].Detail), "declares") {
			t.Errorf("release audit entries %+v", audit.Items)
		}
	})
}

func TestReleaseCodeGuessesAreLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		admin := e.admin()
		o, short := setupOrder(t, admin, map[string]any{"mode": "permanent", "seats": 5})
		var act activationResult
		admin.must("POST", "/api/v1/activations", map[string]any{"order_id": o.ID, "device_code": devcode.New(short, [8]byte{1}, 1).String()}, 201, &act)
		id := parseID(t, act.License.ID)
		for i := range releaseBurst {
			guess := release.Activation{License: id, Secret: release.Secret{byte(i + 1)}}
			if r := admin.do("POST", "/api/v1/releases", map[string]string{"code": guess.Code(20000).String()}); r.status != 422 {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.body)
			}
		}
		file := admin.must("GET", act.License.FileURL, nil, 200, nil)
		fa, _ := release.FromFile(file.body)
		r := admin.do("POST", "/api/v1/releases", map[string]string{"code": fa.Code(20000).String()})
		if pr := r.problem(t); r.status != http.StatusTooManyRequests || pr.Code != CodeRateLimited {
			t.Fatalf("after %d wrong codes: %d %+v", releaseBurst, r.status, pr)
		}
		// Another account is not held back.
		op := e.user(admin, "op", "operator")
		op.must("POST", "/api/v1/releases", map[string]string{"code": fa.Code(20000).String()}, 200, nil)
		e.clock.add(releaseRefill)
		admin.must("POST", "/api/v1/releases", map[string]string{"code": fa.Code(20000).String()}, 200, nil)
	})
}
