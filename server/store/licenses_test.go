package store_test

import (
	"bytes"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func TestLicenses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePermanent, 5)
		o2 := f.order(t, s, store.ModePermanent, 5)

		ol := f.license(o, store.KindOrder, nil)
		got := must(s.RecordLicense(ctx, ol))
		if got.ID != ol.ID || !bytes.Equal(got.File, ol.File) || got.Binding != nil || got.Replaces != "" {
			t.Fatalf("recorded %+v", got)
		}
		_, err := s.RecordLicense(ctx, ol)
		wantErr(t, err, store.ErrConflict)

		for name, tc := range map[string]struct {
			mod  func(*store.License)
			want error
		}{
			"no id":          {func(l *store.License) { l.ID = "" }, store.ErrInvalid},
			"kind":           {func(l *store.License) { l.Kind = "site" }, store.ErrInvalid},
			"empty file":     {func(l *store.License) { l.File = nil }, store.ErrInvalid},
			"huge file":      {func(l *store.License) { l.File = make([]byte, store.MaxLicenseFile+1) }, store.ErrInvalid},
			"device unbound": {func(l *store.License) { l.Kind = store.KindDevice }, store.ErrInvalid},
			"unknown kid":    {func(l *store.License) { l.KID = []byte("other") }, store.ErrNotFound},
			"unknown order":  {func(l *store.License) { l.OrderID = 999 }, store.ErrNotFound},
			"unknown prior":  {func(l *store.License) { l.Replaces = "nope" }, store.ErrNotFound},
			"prior of other": {func(l *store.License) { l.OrderID = o2.ID; l.Replaces = ol.ID }, store.ErrInvalid},
		} {
			l := f.license(o, store.KindOrder, nil)
			tc.mod(&l)
			_, err := s.RecordLicense(ctx, l)
			if !errorsIs(err, tc.want) {
				t.Errorf("%s: %v, want %v", name, err, tc.want)
			}
		}

		// Reissue: the new license replaces and revokes the old one.
		re := f.license(o, store.KindOrder, nil)
		re.Replaces, re.IssuedAt = ol.ID, t0.Add(time.Hour)
		must(s.RecordLicense(ctx, re))
		old := must(s.License(ctx, ol.ID))
		if old.ReplacedBy != re.ID || old.RevokedAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("replaced license: %+v", old)
		}
		again := f.license(o, store.KindOrder, nil)
		again.Replaces = ol.ID
		_, err = s.RecordLicense(ctx, again)
		wantErr(t, err, store.ErrConflict)

		dev := must(s.RecordLicense(ctx, f.license(o2, store.KindDevice, digest("terminal"))))
		dev2 := f.license(o2, store.KindDevice, digest("terminal 2"))
		dev2.DeviceCode = "ABCDE-FGHJK-MNPQR-STVWX-YZ012"
		must(s.RecordLicense(ctx, dev2))

		page := must(s.ListLicenses(ctx, store.LicenseFilter{}))
		if len(page.Items) != 4 || page.Next != "" || page.Items[0].ID != dev2.ID || page.Items[0].File != nil {
			t.Fatalf("list: %+v", page.Items)
		}
		no, yes := false, true
		for name, tc := range map[string]struct {
			f    store.LicenseFilter
			want []string
		}{
			"order":   {store.LicenseFilter{OrderID: o.ID}, []string{re.ID, ol.ID}},
			"device":  {store.LicenseFilter{Kind: store.KindDevice}, []string{dev2.ID, dev.ID}},
			"revoked": {store.LicenseFilter{Revoked: &yes}, []string{ol.ID}},
			"valid":   {store.LicenseFilter{Revoked: &no, OrderID: o.ID}, []string{re.ID}},
			"code":    {store.LicenseFilter{Query: "fghjk"}, []string{dev2.ID}},
		} {
			p := must(s.ListLicenses(ctx, tc.f))
			var ids []string
			for _, l := range p.Items {
				ids = append(ids, l.ID)
			}
			if !equalJSON(t, ids, tc.want) {
				t.Errorf("%s: %v, want %v", name, ids, tc.want)
			}
		}
		p1 := must(s.ListLicenses(ctx, store.LicenseFilter{ListOptions: store.ListOptions{Limit: 3}}))
		p2 := must(s.ListLicenses(ctx, store.LicenseFilter{ListOptions: store.ListOptions{Limit: 3, Cursor: p1.Next}}))
		if len(p1.Items) != 3 || len(p2.Items) != 1 || p2.Items[0].ID != ol.ID || p2.Next != "" {
			t.Fatalf("pages: %+v / %+v", p1, p2)
		}

		rv := must(s.RevokeLicense(ctx, dev.ID, t0.Add(2*time.Hour)))
		if rv.RevokedAt != t0.Add(2*time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("revoked %+v", rv)
		}
		_, err = s.RevokeLicense(ctx, dev.ID, t0)
		wantErr(t, err, store.ErrConflict)
		_, err = s.RevokeLicense(ctx, "nope", t0)
		wantErr(t, err, store.ErrNotFound)
	})
}

func TestRootKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, err := s.ActiveRootKey(ctx)
		wantErr(t, err, store.ErrNotFound)
		k1 := store.RootKey{KID: []byte("kid-1"), PublicKey: []byte("pub-1"), SealedPrivateKey: []byte("sealed-1"), CreatedAt: t0}
		// The first key may be rotated in: there is nothing to retire.
		if err := s.RotateRootKey(ctx, k1, t0); err != nil {
			t.Fatal(err)
		}
		a := must(s.ActiveRootKey(ctx))
		if !bytes.Equal(a.KID, k1.KID) || !a.Active || !a.RetiredAt.IsZero() || !bytes.Equal(a.SealedPrivateKey, k1.SealedPrivateKey) {
			t.Fatalf("active %+v", a)
		}
		k2 := store.RootKey{KID: []byte("kid-2"), PublicKey: []byte("pub-2"), SealedPrivateKey: []byte("sealed-2"), CreatedAt: t0.Add(time.Hour)}
		if err := s.RotateRootKey(ctx, k2, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if a = must(s.ActiveRootKey(ctx)); !bytes.Equal(a.KID, k2.KID) {
			t.Fatalf("active after rotation: %s", a.KID)
		}
		old := must(s.RootKey(ctx, k1.KID))
		if old.Active || old.RetiredAt != t0.Add(time.Hour).Truncate(time.Microsecond) || !bytes.Equal(old.PublicKey, k1.PublicKey) {
			t.Fatalf("retired key %+v", old)
		}
		all := must(s.RootKeys(ctx))
		if len(all) != 2 || !bytes.Equal(all[0].KID, k1.KID) || !bytes.Equal(all[1].KID, k2.KID) {
			t.Fatalf("trust set %+v", all)
		}

		// A second active key only by rotation; a known kid never twice.
		k3 := store.RootKey{KID: []byte("kid-3"), PublicKey: []byte("p"), SealedPrivateKey: []byte("s"), CreatedAt: t0, Active: true}
		wantErr(t, s.AddRootKey(ctx, k3), store.ErrConflict)
		k3.Active = false
		if err := s.AddRootKey(ctx, k3); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.AddRootKey(ctx, k3), store.ErrConflict)
		wantErr(t, s.RotateRootKey(ctx, k2, t0), store.ErrConflict)
		if a = must(s.ActiveRootKey(ctx)); !bytes.Equal(a.KID, k2.KID) {
			t.Fatal("a failed rotation changed the active key")
		}
		wantErr(t, s.AddRootKey(ctx, store.RootKey{KID: []byte("x"), CreatedAt: t0}), store.ErrInvalid)
		_, err = s.RootKey(ctx, []byte("nope"))
		wantErr(t, err, store.ErrNotFound)
	})
}

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		entries := []store.AuditEntry{
			{At: t0, ActorID: 1, Actor: "alice", Action: "login", IP: "192.0.2.1", UserAgent: "Firefox"},
			{At: t0.Add(time.Minute), ActorID: 1, Actor: "alice", Action: "order.create", Target: "order:1", Detail: []byte(`{"seats":5}`)},
			{At: t0.Add(2 * time.Minute), ActorID: 2, Actor: "bob (token ci)", Action: "order.revoke", Target: "order:1"},
			{At: t0.Add(3 * time.Minute), Actor: "system", Action: "key.rotate", Target: "key:abcd"},
			{At: t0.Add(4 * time.Minute), Actor: "anonymous", Action: "login.failure", Detail: []byte(`{"username":"mallory"}`)},
		}
		var ids []int64
		for _, e := range entries {
			got := must(s.AppendAudit(ctx, e))
			if got.ID == 0 || got.Action != e.Action || got.At != e.At.Truncate(time.Microsecond) {
				t.Fatalf("appended %+v", got)
			}
			if len(e.Detail) == 0 && string(got.Detail) != "{}" {
				t.Fatalf("empty detail stored as %s", got.Detail)
			}
			ids = append(ids, got.ID)
		}
		for _, bad := range []store.AuditEntry{
			{At: t0, Actor: "a"},
			{At: t0, Action: "x"},
			{Actor: "a", Action: "x"},
			{At: t0, Actor: "a", Action: "x", Detail: []byte("{")},
			{At: t0, Actor: "a", Action: string(bytes.Repeat([]byte("x"), 201))},
		} {
			_, err := s.AppendAudit(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}
		long := must(s.AppendAudit(ctx, store.AuditEntry{At: t0, Actor: "a", Action: "x", UserAgent: string(bytes.Repeat([]byte("u"), 1000))}))
		if len(long.UserAgent) != 300 {
			t.Fatalf("user agent kept at %d bytes", len(long.UserAgent))
		}
		ids = append(ids, long.ID)

		list := func(f store.AuditFilter) []int64 {
			var out []int64
			for _, e := range must(s.ListAudit(ctx, f)).Items {
				out = append(out, e.ID)
			}
			return out
		}
		for name, tc := range map[string]struct {
			f    store.AuditFilter
			want []int64
		}{
			"actor":    {store.AuditFilter{ActorID: 1}, []int64{ids[1], ids[0]}},
			"action":   {store.AuditFilter{Action: "login"}, []int64{ids[0]}},
			"prefix":   {store.AuditFilter{Action: "order."}, []int64{ids[2], ids[1]}},
			"target":   {store.AuditFilter{Target: "order:1"}, []int64{ids[2], ids[1]}},
			"query":    {store.AuditFilter{Query: "TOKEN"}, []int64{ids[2]}},
			"window":   {store.AuditFilter{Since: t0.Add(time.Minute), Until: t0.Add(3 * time.Minute)}, []int64{ids[2], ids[1]}},
			"paged":    {store.AuditFilter{ListOptions: store.ListOptions{Limit: 2, Cursor: store.FormatCursor(ids[3])}}, []int64{ids[2], ids[1]}},
			"no match": {store.AuditFilter{Action: "nothing"}, nil},
		} {
			if got := list(tc.f); !equalJSON(t, got, tc.want) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}
		e := must(s.ListAudit(ctx, store.AuditFilter{Target: "order:1", Action: "order.create"})).Items[0]
		if string(e.Detail) != `{"seats":5}` || e.ActorID != 1 || e.Actor != "alice" {
			t.Fatalf("entry %+v", e)
		}
	})
}

// TestAuditAppendOnly reaches behind the store: even raw SQL cannot change
// or remove an audit entry.
func TestAuditAppendOnly(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, dsn := storetest.Open(t, d)
			must(s.AppendAudit(ctx, store.AuditEntry{At: t0, Actor: "alice", Action: "login"}))
			raw := rawDB(t, d, dsn)
			for _, q := range []string{`UPDATE audit_log SET actor = 'mallory'`, `DELETE FROM audit_log`} {
				if _, err := raw.Exec(q); err == nil {
					t.Errorf("%s succeeded", q)
				}
			}
			if d == store.Postgres {
				if _, err := raw.Exec(`TRUNCATE audit_log`); err == nil {
					t.Error("TRUNCATE succeeded")
				}
			}
			if p := must(s.ListAudit(ctx, store.AuditFilter{})); len(p.Items) != 1 || p.Items[0].Actor != "alice" {
				t.Fatalf("audit log changed: %+v", p.Items)
			}
		})
	}
}
