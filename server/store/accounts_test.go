package store_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func newAccount(name string, role store.Role) store.NewAccount {
	return store.NewAccount{Username: name, Role: role, PasswordHash: "$argon2id$hash-of-" + name, CreatedAt: t0}
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if n := must(s.CountAccounts(ctx)); n != 0 {
			t.Fatalf("fresh store has %d accounts", n)
		}
		a := must(s.CreateAccount(ctx, newAccount("  Alice ", store.RoleAdmin)))
		if a.Username != "alice" || a.Role != store.RoleAdmin || a.ID == 0 || a.CreatedAt != t0.Truncate(time.Microsecond) ||
			a.PasswordChangedAt != a.CreatedAt || a.Disabled() || a.LockedAt(t0) {
			t.Fatalf("created %+v", a)
		}
		_, err := s.CreateAccount(ctx, newAccount("ALICE", store.RoleOperator))
		wantErr(t, err, store.ErrConflict)
		for _, bad := range []store.NewAccount{
			newAccount("bob", "root"),
			newAccount("", store.RoleAdmin),
			newAccount(string(bytes.Repeat([]byte("x"), store.MaxUsername+1)), store.RoleAdmin),
			{Username: "bob", Role: store.RoleAdmin, CreatedAt: t0},
			{Username: "bob", Role: store.RoleAdmin, PasswordHash: "h"},
		} {
			_, err := s.CreateAccount(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}

		got := must(s.AccountByUsername(ctx, "ALICE"))
		if got != a {
			t.Fatalf("by username: %+v, want %+v", got, a)
		}
		if got := must(s.Account(ctx, a.ID)); got != a {
			t.Fatalf("by id: %+v", got)
		}
		_, err = s.Account(ctx, a.ID+100)
		wantErr(t, err, store.ErrNotFound)
		_, err = s.AccountByUsername(ctx, "nobody")
		wantErr(t, err, store.ErrNotFound)

		// Failed logins count up and lock at the threshold.
		lockUntil := t0.Add(15 * time.Minute)
		for i := 1; i <= 2; i++ {
			a = must(s.RecordLoginFailure(ctx, a.ID, 3, lockUntil))
			if a.FailedAttempts != i || a.LockedAt(t0) {
				t.Fatalf("after %d failures: %+v", i, a)
			}
		}
		a = must(s.RecordLoginFailure(ctx, a.ID, 3, lockUntil))
		if a.FailedAttempts != 0 || !a.LockedAt(t0) || a.LockedAt(lockUntil) {
			t.Fatalf("after 3 failures: %+v, want locked until %v", a, lockUntil)
		}
		_, err = s.RecordLoginFailure(ctx, a.ID, 0, lockUntil)
		wantErr(t, err, store.ErrInvalid)
		_, err = s.RecordLoginFailure(ctx, 999, 3, lockUntil)
		wantErr(t, err, store.ErrNotFound)

		must(s.RecordLoginFailure(ctx, a.ID, 3, lockUntil))
		if err := s.RecordLoginSuccess(ctx, a.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		a = must(s.Account(ctx, a.ID))
		if a.FailedAttempts != 0 || !a.LockedUntil.IsZero() || a.LastLoginAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("after success: %+v", a)
		}

		// A new password clears a lockout.
		must(s.RecordLoginFailure(ctx, a.ID, 1, lockUntil))
		if err := s.SetPassword(ctx, a.ID, "$argon2id$new", t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		a = must(s.Account(ctx, a.ID))
		if a.PasswordHash != "$argon2id$new" || a.LockedAt(t0) || a.PasswordChangedAt != t0.Add(2*time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("after SetPassword: %+v", a)
		}
		wantErr(t, s.SetPassword(ctx, a.ID, "", t0), store.ErrInvalid)
		wantErr(t, s.SetPassword(ctx, 999, "h", t0), store.ErrNotFound)

		if err := s.SetRole(ctx, a.ID, store.RoleAuditor); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.SetRole(ctx, a.ID, "god"), store.ErrInvalid)
		wantErr(t, s.SetRole(ctx, 999, store.RoleAdmin), store.ErrNotFound)
		if a = must(s.Account(ctx, a.ID)); a.Role != store.RoleAuditor {
			t.Fatalf("role %s", a.Role)
		}

		// Disabling ends sessions; enabling again does not bring them back.
		sess := store.Session{TokenHash: digest("s1"), AccountID: a.ID, CSRFSecret: []byte("csrf"), CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := s.CreateSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, a.ID, t0); err != nil {
			t.Fatal(err)
		}
		if a = must(s.Account(ctx, a.ID)); !a.Disabled() {
			t.Fatal("not disabled")
		}
		_, _, err = s.LookupSession(ctx, sess.TokenHash)
		wantErr(t, err, store.ErrNotFound)
		if err := s.SetDisabled(ctx, a.ID, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if a = must(s.Account(ctx, a.ID)); a.Disabled() {
			t.Fatal("still disabled")
		}
		wantErr(t, s.SetDisabled(ctx, 999, t0), store.ErrNotFound)
	})
}

func TestListAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for i := range 7 {
			role := store.RoleOperator
			if i%3 == 0 {
				role = store.RoleAuditor
			}
			must(s.CreateAccount(ctx, newAccount(fmt.Sprintf("user%d", i), role)))
		}
		must(s.CreateAccount(ctx, newAccount("x_y%z", store.RoleAdmin)))

		var names []string
		cursor := ""
		for {
			p := must(s.ListAccounts(ctx, store.AccountFilter{ListOptions: store.ListOptions{Limit: 3, Cursor: cursor}}))
			if len(p.Items) > 3 {
				t.Fatalf("page of %d", len(p.Items))
			}
			for _, a := range p.Items {
				names = append(names, a.Username)
			}
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		want := []string{"x_y%z", "user6", "user5", "user4", "user3", "user2", "user1", "user0"}
		if fmt.Sprint(names) != fmt.Sprint(want) {
			t.Fatalf("pages gave %v, want %v", names, want)
		}

		p := must(s.ListAccounts(ctx, store.AccountFilter{Role: store.RoleAuditor}))
		if len(p.Items) != 3 || p.Next != "" {
			t.Fatalf("auditors: %+v", p)
		}
		// LIKE wildcards in the query are taken literally.
		p = must(s.ListAccounts(ctx, store.AccountFilter{Query: "_y%"}))
		if len(p.Items) != 1 || p.Items[0].Username != "x_y%z" {
			t.Fatalf("query _y%%: %+v", p.Items)
		}
		p = must(s.ListAccounts(ctx, store.AccountFilter{Query: "USER"}))
		if len(p.Items) != 7 {
			t.Fatalf("query USER: %d items", len(p.Items))
		}
		p = must(s.ListAccounts(ctx, store.AccountFilter{Query: "nobody"}))
		if p.Items == nil || len(p.Items) != 0 {
			t.Fatalf("no match: %#v", p.Items)
		}
		for _, bad := range []store.AccountFilter{
			{ListOptions: store.ListOptions{Limit: -1}},
			{ListOptions: store.ListOptions{Limit: store.MaxLimit + 1}},
			{ListOptions: store.ListOptions{Cursor: "42"}},
			{Query: string(bytes.Repeat([]byte("q"), 201))},
		} {
			_, err := s.ListAccounts(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := must(s.CreateAccount(ctx, newAccount("alice", store.RoleOperator)))
		b := must(s.CreateAccount(ctx, newAccount("bob", store.RoleOperator)))
		mk := func(name string, acct int64, created, expires time.Time) store.Session {
			sess := store.Session{TokenHash: digest(name), AccountID: acct, CSRFSecret: digest("csrf " + name),
				CreatedAt: created, ExpiresAt: expires, IP: "192.0.2.1", UserAgent: "test/1"}
			if err := s.CreateSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
			return sess
		}
		s1 := mk("s1", a.ID, t0, t0.Add(12*time.Hour))
		s2 := mk("s2", a.ID, t0, t0.Add(12*time.Hour))
		s3 := mk("s3", b.ID, t0, t0.Add(time.Hour))
		mk("old", b.ID, t0.Add(-2*time.Hour), t0.Add(10*time.Hour))

		wantErr(t, s.CreateSession(ctx, s1), store.ErrConflict)
		wantErr(t, s.CreateSession(ctx, store.Session{TokenHash: digest("x"), AccountID: 999, CSRFSecret: []byte("c"),
			CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}), store.ErrNotFound)
		wantErr(t, s.CreateSession(ctx, store.Session{TokenHash: digest("x"), AccountID: a.ID, CreatedAt: t0,
			ExpiresAt: t0.Add(time.Hour)}), store.ErrInvalid)

		got, acct, err := s.LookupSession(ctx, s1.TokenHash)
		if err != nil {
			t.Fatal(err)
		}
		if acct.ID != a.ID || acct.Username != "alice" || !bytes.Equal(got.CSRFSecret, s1.CSRFSecret) ||
			got.LastSeenAt != got.CreatedAt || got.IP != "192.0.2.1" || got.UserAgent != "test/1" {
			t.Fatalf("lookup: %+v %+v", got, acct)
		}
		if err := s.TouchSession(ctx, s1.TokenHash, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		got, _, _ = s.LookupSession(ctx, s1.TokenHash)
		if got.LastSeenAt != t0.Add(time.Minute).Truncate(time.Microsecond) {
			t.Fatalf("touched: %v", got.LastSeenAt)
		}
		wantErr(t, s.TouchSession(ctx, digest("nope"), t0), store.ErrNotFound)

		// Expired by the absolute limit (s3) or idle since before t0-1h ("old").
		if n := must(s.DeleteExpiredSessions(ctx, t0.Add(time.Hour), t0.Add(-time.Hour))); n != 2 {
			t.Fatalf("deleted %d expired sessions, want 2", n)
		}
		_, _, err = s.LookupSession(ctx, s3.TokenHash)
		wantErr(t, err, store.ErrNotFound)

		if n := must(s.DeleteAccountSessions(ctx, a.ID, s1.TokenHash)); n != 1 {
			t.Fatalf("deleted %d, want 1 (keeping s1)", n)
		}
		_, _, err = s.LookupSession(ctx, s2.TokenHash)
		wantErr(t, err, store.ErrNotFound)
		if err := s.DeleteSession(ctx, s1.TokenHash); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSession(ctx, s1.TokenHash); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
		mk("s4", a.ID, t0, t0.Add(time.Hour))
		if n := must(s.DeleteAccountSessions(ctx, a.ID, nil)); n != 1 {
			t.Fatalf("deleted %d, want 1", n)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := must(s.CreateAccount(ctx, newAccount("alice", store.RoleAdmin)))
		b := must(s.CreateAccount(ctx, newAccount("bob", store.RoleOperator)))
		tok := must(s.CreateAPIToken(ctx, store.APIToken{Hash: digest("t1"), Prefix: "licet_abcd", Name: "deploy",
			AccountID: a.ID, Role: store.RoleOperator, CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}))
		if tok.ID == 0 || tok.Name != "deploy" || tok.Role != store.RoleOperator || !tok.LastUsedAt.IsZero() ||
			tok.ExpiresAt != t0.Add(24*time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("created %+v", tok)
		}
		must(s.CreateAPIToken(ctx, store.APIToken{Hash: digest("t2"), Prefix: "licet_efgh", Name: "ci", AccountID: b.ID,
			Role: store.RoleOperator, CreatedAt: t0}))
		for _, bad := range []store.APIToken{
			{Hash: digest("t3"), Name: "", AccountID: a.ID, Role: store.RoleAdmin, CreatedAt: t0},
			{Hash: digest("t3"), Name: "x", AccountID: a.ID, Role: "root", CreatedAt: t0},
			{Name: "x", AccountID: a.ID, Role: store.RoleAdmin, CreatedAt: t0},
		} {
			_, err := s.CreateAPIToken(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}
		_, err := s.CreateAPIToken(ctx, store.APIToken{Hash: digest("t1"), Name: "dup", AccountID: a.ID, Role: store.RoleAdmin, CreatedAt: t0})
		wantErr(t, err, store.ErrConflict)
		_, err = s.CreateAPIToken(ctx, store.APIToken{Hash: digest("t9"), Name: "x", AccountID: 999, Role: store.RoleAdmin, CreatedAt: t0})
		wantErr(t, err, store.ErrNotFound)

		got, acct, err := s.LookupAPIToken(ctx, digest("t1"))
		if err != nil || got.ID != tok.ID || acct.ID != a.ID || acct.Username != "alice" {
			t.Fatalf("lookup: %+v %+v %v", got, acct, err)
		}
		_, _, err = s.LookupAPIToken(ctx, digest("nope"))
		wantErr(t, err, store.ErrNotFound)
		if err := s.TouchAPIToken(ctx, tok.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if got, _, _ = s.LookupAPIToken(ctx, digest("t1")); got.LastUsedAt != t0.Add(time.Minute).Truncate(time.Microsecond) {
			t.Fatalf("last used %v", got.LastUsedAt)
		}

		if l := must(s.ListAPITokens(ctx, 0)); len(l) != 2 || l[0].Name != "ci" {
			t.Fatalf("all tokens: %+v", l)
		}
		if l := must(s.ListAPITokens(ctx, a.ID)); len(l) != 1 || l[0].ID != tok.ID {
			t.Fatalf("alice's tokens: %+v", l)
		}

		wantErr(t, s.RevokeAPIToken(ctx, tok.ID, b.ID, t0), store.ErrNotFound) // not bob's
		if err := s.RevokeAPIToken(ctx, tok.ID, a.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.RevokeAPIToken(ctx, tok.ID, 0, t0), store.ErrConflict)
		wantErr(t, s.RevokeAPIToken(ctx, 999, 0, t0), store.ErrNotFound)
		if got, _, _ = s.LookupAPIToken(ctx, digest("t1")); got.RevokedAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("revoked at %v", got.RevokedAt)
		}
	})
}

func TestSetupToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		exp := t0.Add(time.Hour)
		wantErr(t, s.CreateSetupToken(ctx, digest("x"), t0, t0), store.ErrInvalid)
		if err := s.CreateSetupToken(ctx, digest("first"), t0, exp); err != nil {
			t.Fatal(err)
		}
		// A newer token replaces the unused older one.
		if err := s.CreateSetupToken(ctx, digest("second"), t0, exp); err != nil {
			t.Fatal(err)
		}
		_, err := s.ConsumeSetupToken(ctx, digest("first"), t0, newAccount("root", store.RoleAdmin))
		wantErr(t, err, store.ErrNotFound)
		_, err = s.ConsumeSetupToken(ctx, digest("second"), exp, newAccount("root", store.RoleAdmin))
		wantErr(t, err, store.ErrExpired)

		a, err := s.ConsumeSetupToken(ctx, digest("second"), t0.Add(time.Minute), newAccount("Root", store.RoleAuditor))
		if err != nil {
			t.Fatal(err)
		}
		if a.Username != "root" || a.Role != store.RoleAdmin {
			t.Fatalf("setup created %+v, want admin root", a)
		}
		_, err = s.ConsumeSetupToken(ctx, digest("second"), t0.Add(time.Minute), newAccount("again", store.RoleAdmin))
		wantErr(t, err, store.ErrExpired)

		// With an account present, a fresh token cannot create another.
		if err := s.CreateSetupToken(ctx, digest("third"), t0, exp); err != nil {
			t.Fatal(err)
		}
		_, err = s.ConsumeSetupToken(ctx, digest("third"), t0, newAccount("other", store.RoleAdmin))
		wantErr(t, err, store.ErrConflict)
		if n := must(s.CountAccounts(ctx)); n != 1 {
			t.Fatalf("%d accounts", n)
		}
	})
}
