package store_test

import (
	"bytes"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func TestLicenseCodeAndRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePermanent, 1)
		ids := []string{
			"0123456789abcdef0000000000000001",
			"0123456789abcdef0000000000000002",
			"0123456789abcdf00000000000000003",
		}
		var acts []store.Activation
		for i, id := range ids {
			l := f.license(o, store.KindDevice, digest(id))
			l.ID = id
			if i == 0 {
				l.Code = "201X8-RPZ65"
			}
			if i < 2 {
				// Another order keeps the seat count out of the way.
				o2 := f.order(t, s, store.ModeUnlimited, 0)
				l.OrderID = o2.ID
				acts = append(acts, must(s.Activate(ctx, store.ActivateParams{OrderID: o2.ID, Binding: digest(id), At: t0, License: &l})))
				continue
			}
			must(s.RecordLicense(ctx, l))
		}
		got := must(s.LicensesByPrefix(ctx, "0123456789abcdef"))
		if len(got) != 2 || got[0].ID != ids[0] || got[1].ID != ids[1] || got[0].Code != "201X8-RPZ65" || got[1].Code != "" ||
			len(got[0].File) == 0 {
			t.Fatalf("licenses by prefix: %+v", got)
		}
		if got := must(s.LicensesByPrefix(ctx, "0123456789abcdf0")); len(got) != 1 || got[0].ID != ids[2] {
			t.Fatalf("licenses by the other prefix: %+v", got)
		}
		if got := must(s.LicensesByPrefix(ctx, "ffffffffffffffff")); len(got) != 0 {
			t.Fatalf("licenses by an unknown prefix: %+v", got)
		}
		for _, bad := range []string{"", "0123", "0123456789ABCDEF", "0123456789abcdeg", "0123456789abcdef%"} {
			_, err := s.LicensesByPrefix(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}
		// Releasing the activation marks its license released and revoked.
		at := t0.Add(time.Hour)
		must(s.Release(ctx, store.Release{ActivationID: acts[0].ID, Method: store.ReleaseCode, Proof: digest("code"), ReleasedAt: at}))
		l := must(s.License(ctx, ids[0]))
		if !l.ReleasedAt.Equal(at.Truncate(time.Microsecond)) || !l.RevokedAt.Equal(l.ReleasedAt) {
			t.Fatalf("released license %+v", l)
		}
		// A license revoked before keeps its revocation time.
		must(s.RevokeLicense(ctx, ids[1], t0))
		must(s.Release(ctx, store.Release{ActivationID: acts[1].ID, Method: store.ReleaseConsole, ReleasedAt: at}))
		if l := must(s.License(ctx, ids[1])); !l.RevokedAt.Equal(t0.Truncate(time.Microsecond)) || l.ReleasedAt.IsZero() {
			t.Fatalf("license revoked, then released: %+v", l)
		}
	})
}

func TestConfirmKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		_, err := s.LatestConfirmKey(ctx)
		wantErr(t, err, store.ErrNotFound)
		k1 := store.ConfirmKey{PublicKey: []byte{2, 1}, SealedPrivateKey: []byte("sealed 1"), CreatedAt: t0}
		k2 := store.ConfirmKey{PublicKey: []byte{3, 2}, SealedPrivateKey: []byte("sealed 2"), CreatedAt: t0.Add(time.Hour)}
		for _, k := range []store.ConfirmKey{k1, k2} {
			if err := s.AddConfirmKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		wantErr(t, s.AddConfirmKey(ctx, k1), store.ErrConflict)
		wantErr(t, s.AddConfirmKey(ctx, store.ConfirmKey{PublicKey: []byte{1}, CreatedAt: t0}), store.ErrInvalid)
		if k := must(s.LatestConfirmKey(ctx)); !bytes.Equal(k.PublicKey, k2.PublicKey) {
			t.Fatalf("latest key %x", k.PublicKey)
		}
		if k := must(s.ConfirmKey(ctx, k1.PublicKey)); string(k.SealedPrivateKey) != "sealed 1" || !k.CreatedAt.Equal(t0.Truncate(time.Microsecond)) {
			t.Fatalf("key %+v", k)
		}
		_, err = s.ConfirmKey(ctx, []byte{9})
		wantErr(t, err, store.ErrNotFound)
	})
}

func TestPairings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		acct := must(s.CreateAccount(ctx, store.NewAccount{Username: "alice", Role: store.RoleOperator, PasswordHash: "x", CreatedAt: t0}))
		p := must(s.CreatePairing(ctx, store.Pairing{TokenHash: digest("tok"), AccountID: acct.ID, CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}))
		if p.ID == 0 || !p.PairedAt.IsZero() || p.AccountID != acct.ID {
			t.Fatalf("pairing %+v", p)
		}
		_, err := s.CreatePairing(ctx, store.Pairing{TokenHash: digest("tok"), AccountID: acct.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)})
		wantErr(t, err, store.ErrConflict)
		_, err = s.CreatePairing(ctx, store.Pairing{TokenHash: digest("x"), AccountID: acct.ID + 100, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)})
		wantErr(t, err, store.ErrNotFound)
		_, err = s.CreatePairing(ctx, store.Pairing{TokenHash: digest("y"), AccountID: acct.ID, CreatedAt: t0, ExpiresAt: t0})
		wantErr(t, err, store.ErrInvalid)

		if got := must(s.PairingByTokenHash(ctx, digest("tok"))); got.ID != p.ID {
			t.Fatalf("by token: %+v", got)
		}
		_, err = s.PairingByTokenHash(ctx, digest("other"))
		wantErr(t, err, store.ErrNotFound)

		if first := must(s.MarkPaired(ctx, p.ID, t0.Add(time.Second))); !first {
			t.Fatal("first hello not reported as first")
		}
		if first := must(s.MarkPaired(ctx, p.ID, t0.Add(2*time.Second))); first {
			t.Fatal("second hello reported as first")
		}
		if got := must(s.Pairing(ctx, p.ID)); !got.PairedAt.Equal(t0.Add(time.Second)) {
			t.Fatalf("paired at %v", got.PairedAt)
		}
		_, err = s.MarkPaired(ctx, p.ID+100, t0)
		wantErr(t, err, store.ErrNotFound)

		e1 := must(s.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID, Kind: "request", Payload: `{"a":1}`, At: t0}))
		e2 := must(s.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID, Kind: "request", Payload: `{"a":2}`, At: t0}))
		_, err = s.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID + 100, Kind: "request", At: t0})
		wantErr(t, err, store.ErrNotFound)
		_, err = s.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID, Kind: "", At: t0})
		wantErr(t, err, store.ErrInvalid)
		if evs := must(s.PairingEvents(ctx, p.ID, 0, 10)); len(evs) != 2 || evs[0].ID != e1.ID || evs[1].Payload != `{"a":2}` {
			t.Fatalf("events %+v", evs)
		}
		if evs := must(s.PairingEvents(ctx, p.ID, e1.ID, 10)); len(evs) != 1 || evs[0].ID != e2.ID {
			t.Fatalf("events after the first %+v", evs)
		}
		if evs := must(s.PairingEvents(ctx, p.ID, 0, 1)); len(evs) != 1 {
			t.Fatalf("limit 1: %+v", evs)
		}

		p2 := must(s.CreatePairing(ctx, store.Pairing{TokenHash: digest("tok2"), AccountID: acct.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		if n := must(s.DeleteExpiredPairings(ctx, t0.Add(30*time.Minute))); n != 1 {
			t.Fatalf("deleted %d pairings, want 1", n)
		}
		_, err = s.Pairing(ctx, p.ID)
		wantErr(t, err, store.ErrNotFound)
		must(s.Pairing(ctx, p2.ID))
	})
}
