package auth

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

var ctx = context.Background()

// env is an Auth over a fresh store with a test clock and cheap hashing.
type env struct {
	*Auth
	st    *store.Store
	clock *clock
	admin *Principal // a session of the first admin, "root"
}

const rootPassword = "correct horse battery"

var meta = Meta{IP: "192.0.2.7", UserAgent: "test/1"}

func newEnv(t *testing.T, st *store.Store, mod func(*Config)) *env {
	t.Helper()
	c := &clock{t: t0}
	cfg := Config{Now: c.now, Rand: rand.NewChaCha8([32]byte{7}), Params: testParams, TrustedOrigins: []string{"https://admin.example"}}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{Auth: a, st: st, clock: c}
	tok, ok, err := a.EnsureSetupToken(ctx)
	if err != nil || !ok {
		t.Fatalf("setup token: %v %v", ok, err)
	}
	res, err := a.CompleteSetup(ctx, tok.Reveal(), "root", rootPassword, meta)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = res.Principal
	return e
}

func (e *env) account(t *testing.T, name string, role store.Role) store.Account {
	t.Helper()
	a, err := e.CreateAccount(ctx, e.admin, name, role, "password of "+name, meta)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *env) login(t *testing.T, name string) *LoginResult {
	t.Helper()
	res, err := e.Login(ctx, name, "password of "+name, meta)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func (e *env) actions(t *testing.T) []string {
	t.Helper()
	p, err := e.st.ListAudit(ctx, store.AuditFilter{ListOptions: store.ListOptions{Limit: store.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(p.Items) - 1; i >= 0; i-- {
		out = append(out, p.Items[i].Action)
	}
	return out
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

func TestSetup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		c := &clock{t: t0}
		a, err := New(st, Config{Now: c.now, Params: testParams, SetupLifetime: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		old, ok, err := a.EnsureSetupToken(ctx)
		if err != nil || !ok {
			t.Fatal(ok, err)
		}
		tok, _, _ := a.EnsureSetupToken(ctx) // a restart prints a new link
		if SetupLink("https://portal.example/", tok) != "https://portal.example/setup#"+tok.Reveal() {
			t.Fatal(SetupLink("https://portal.example/", tok))
		}
		_, err = a.CompleteSetup(ctx, old.Reveal(), "root", rootPassword, meta)
		wantErr(t, err, ErrSetupUnavailable)
		_, err = a.CompleteSetup(ctx, tok.Reveal(), "root", "short", meta)
		wantErr(t, err, ErrWeakPassword)
		_, err = a.CompleteSetup(ctx, tok.Reveal(), "Root Admin", rootPassword, meta)
		wantErr(t, err, ErrInvalidUsername)
		_, err = a.CompleteSetup(ctx, "not-a-token", "root", rootPassword, meta)
		wantErr(t, err, ErrSetupUnavailable)

		c.advance(time.Hour)
		_, err = a.CompleteSetup(ctx, tok.Reveal(), "root", rootPassword, meta)
		wantErr(t, err, ErrSetupUnavailable)
		tok, _, _ = a.EnsureSetupToken(ctx)

		res, err := a.CompleteSetup(ctx, tok.Reveal(), "Root", rootPassword, meta)
		if err != nil {
			t.Fatal(err)
		}
		if res.Account.Role != store.RoleAdmin || res.Account.Username != "root" || res.Token.Reveal() == "" {
			t.Fatalf("setup: %+v", res.Account)
		}
		if p, err := a.Session(ctx, res.Token.Reveal()); err != nil || p.Role != store.RoleAdmin {
			t.Fatalf("setup session: %v %v", p, err)
		}
		_, err = a.CompleteSetup(ctx, tok.Reveal(), "other", rootPassword, meta)
		wantErr(t, err, ErrSetupUnavailable)
		if tok, ok, err := a.EnsureSetupToken(ctx); ok || tok != "" || err != nil {
			t.Fatal("a setup token was made with an account present")
		}
	})
}

func TestLoginAndLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.MaxFailures = 3; c.LockoutDuration = 10 * time.Minute })
		e.account(t, "alice", store.RoleOperator)

		res, err := e.Login(ctx, " ALICE", "password of alice", meta)
		if err != nil {
			t.Fatal(err)
		}
		if res.Principal.Username != "alice" || res.Principal.Role != store.RoleOperator || res.Principal.CSRFToken() == "" ||
			res.Session.ExpiresAt != t0.Add(12*time.Hour) || res.Session.IP != meta.IP {
			t.Fatalf("login: %+v %+v", res.Principal, res.Session)
		}

		_, err = e.Login(ctx, "nobody", "whatever it is", meta)
		wantErr(t, err, ErrInvalidCredentials)
		for i := range 2 {
			_, err = e.Login(ctx, "alice", "wrong password", meta)
			if !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err = e.Login(ctx, "alice", "wrong password", meta)
		wantErr(t, err, ErrLocked)
		if RetryAfter(err) != 10*time.Minute {
			t.Fatalf("retry after %v", RetryAfter(err))
		}
		// Locked: even the right password is refused, without being checked.
		e.clock.advance(9 * time.Minute)
		_, err = e.Login(ctx, "alice", "password of alice", meta)
		wantErr(t, err, ErrLocked)
		if RetryAfter(err) != time.Minute {
			t.Fatalf("retry after %v", RetryAfter(err))
		}
		e.clock.advance(time.Minute)
		e.login(t, "alice")

		// A disabled account looks like a wrong password.
		acct, _ := e.st.AccountByUsername(ctx, "alice")
		if err := e.SetDisabled(ctx, e.admin, acct.ID, true, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.Login(ctx, "alice", "password of alice", meta)
		wantErr(t, err, ErrInvalidCredentials)
		if _, err := e.Session(ctx, res.Token.Reveal()); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("session of a disabled account: %v", err)
		}

		want := []string{"setup.link", "setup.complete", "login", "account.create", "login", "login.failure",
			"login.failure", "login.failure", "login.failure", "account.lock", "login.failure", "login", "account.disable", "login.failure"}
		if got := e.actions(t); !equal(got, want) {
			t.Fatalf("audit:\n got %v\nwant %v", got, want)
		}
		p, _ := e.st.ListAudit(ctx, store.AuditFilter{Action: "login.failure", ListOptions: store.ListOptions{Limit: 1}})
		if e := p.Items[0]; e.IP != meta.IP || e.UserAgent != meta.UserAgent || string(e.Detail) != `{"reason":"wrong password","username":"alice"}` &&
			string(e.Detail) != `{"reason":"disabled","username":"alice"}` {
			t.Fatalf("failure entry %+v %s", e, e.Detail)
		}
	})
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLoginRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.LoginBurst = 3; c.LoginEvery = 10 * time.Second; c.MaxFailures = 100 })
		for range 3 {
			e.Login(ctx, "root", "wrong password", meta)
		}
		_, err := e.Login(ctx, "root", rootPassword, meta)
		wantErr(t, err, ErrRateLimited)
		if RetryAfter(err) != 10*time.Second {
			t.Fatalf("retry after %v", RetryAfter(err))
		}
		// Another address is not throttled by this one.
		if _, err := e.Login(ctx, "root", rootPassword, Meta{IP: "198.51.100.1"}); err != nil {
			t.Fatal(err)
		}
		e.clock.advance(10 * time.Second)
		if _, err := e.Login(ctx, "root", rootPassword, meta); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSessionExpiry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.SessionIdle = 10 * time.Minute; c.SessionLifetime = time.Hour })
		e.account(t, "alice", store.RoleAuditor)
		res := e.login(t, "alice")
		tok := res.Token.Reveal()

		// Activity keeps the session alive past the idle limit...
		for range 5 {
			e.clock.advance(9 * time.Minute)
			if _, err := e.Session(ctx, tok); err != nil {
				t.Fatalf("active session ended: %v", err)
			}
		}
		// ...but not past its lifetime.
		e.clock.advance(15 * time.Minute)
		_, err := e.Session(ctx, tok)
		wantErr(t, err, ErrUnauthenticated)

		// Idle for the limit ends it.
		res = e.login(t, "alice")
		e.clock.advance(10 * time.Minute)
		_, err = e.Session(ctx, res.Token.Reveal())
		wantErr(t, err, ErrUnauthenticated)

		res = e.login(t, "alice")
		p, err := e.Session(ctx, res.Token.Reveal())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Logout(ctx, p, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.Session(ctx, res.Token.Reveal())
		wantErr(t, err, ErrUnauthenticated)
		for _, bad := range []string{"", "x", res.Token.Reveal() + "A", "licet_" + res.Token.Reveal()} {
			_, err = e.Session(ctx, bad)
			wantErr(t, err, ErrUnauthenticated)
		}

		// Sweep clears what has ended.
		e.login(t, "alice")
		e.clock.advance(11 * time.Minute)
		if n, err := e.Sweep(ctx); err != nil || n != 2 { // this one and the setup session
			t.Fatalf("sweep: %d %v", n, err)
		}
	})
}

func TestRehashOnLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		stronger := testParams
		stronger.Time = 2
		e.cfg.Params = stronger
		if _, err := e.Login(ctx, "root", rootPassword, meta); err != nil {
			t.Fatal(err)
		}
		acct, _ := e.st.AccountByUsername(ctx, "root")
		h, err := ParseHash(acct.PasswordHash)
		if err != nil || h.Params != stronger {
			t.Fatalf("hash not upgraded: %v %v", h.Params, err)
		}
		if _, err := e.Login(ctx, "root", rootPassword, meta); err != nil {
			t.Fatal(err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.TouchEvery = time.Minute })
		alice := e.account(t, "alice", store.RoleOperator)
		ap := e.login(t, "alice").Principal

		tok, rec, err := e.CreateAPIToken(ctx, ap, "deploy", store.RoleOperator, time.Time{}, meta)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Prefix != tok.Reveal()[:10] || rec.AccountID != alice.ID || len(tok.Reveal()) != 49 {
			t.Fatalf("token %+v", rec)
		}
		p, err := e.Token(ctx, tok.Reveal())
		if err != nil || p.AccountID != alice.ID || !p.ViaToken() || p.TokenName != "deploy" || p.Actor() != "alice (token deploy)" || p.CSRFToken() != "" {
			t.Fatalf("token principal %+v %v", p, err)
		}
		// A token cannot mint tokens; an operator cannot mint admin tokens.
		_, _, err = e.CreateAPIToken(ctx, p, "child", store.RoleOperator, time.Time{}, meta)
		wantErr(t, err, ErrForbidden)
		_, _, err = e.CreateAPIToken(ctx, ap, "up", store.RoleAdmin, time.Time{}, meta)
		wantErr(t, err, ErrForbidden)
		_, _, err = e.CreateAPIToken(ctx, ap, "past", store.RoleOperator, t0, meta)
		wantErr(t, err, store.ErrInvalid)
		ro, _, err := e.CreateAPIToken(ctx, e.admin, "read-only", store.RoleAuditor, t0.Add(time.Hour), meta)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := e.Token(ctx, ro.Reveal()); err != nil || p.Role != store.RoleAuditor || p.Can(PermCatalog) {
			t.Fatalf("auditor token: %+v %v", p, err)
		}
		e.clock.advance(time.Hour)
		_, err = e.Token(ctx, ro.Reveal())
		wantErr(t, err, ErrUnauthenticated)

		// Demoting the account stops its operator token.
		if err := e.SetRole(ctx, e.admin, alice.ID, store.RoleAuditor, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.Token(ctx, tok.Reveal())
		wantErr(t, err, ErrUnauthenticated)
		if err := e.SetRole(ctx, e.admin, alice.ID, store.RoleOperator, meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Token(ctx, tok.Reveal()); err != nil {
			t.Fatal(err)
		}
		toks, _ := e.st.ListAPITokens(ctx, alice.ID)
		if len(toks) != 1 || toks[0].LastUsedAt != e.clock.t {
			t.Fatalf("last use not recorded: %+v", toks)
		}

		// Someone else's token: only an admin may revoke it.
		bob := e.account(t, "bob", store.RoleOperator)
		bp := e.login(t, "bob").Principal
		wantErr(t, e.RevokeAPIToken(ctx, bp, rec.ID, meta), store.ErrNotFound)
		if err := e.RevokeAPIToken(ctx, e.admin, rec.ID, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.Token(ctx, tok.Reveal())
		wantErr(t, err, ErrUnauthenticated)
		_ = bob
		for _, bad := range []string{"", "licet_", tok.Reveal()[1:], "Bearer " + tok.Reveal()} {
			_, err = e.Token(ctx, bad)
			wantErr(t, err, ErrUnauthenticated)
		}
	})
}

// TestTokenCache: with Config.TokenCache, a token is read once per period;
// changes through the same Auth take effect at once, changes made
// elsewhere (another replica) within the period.
func TestTokenCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, func(c *Config) { c.TokenCache = 5 * time.Second })
		other, err := New(st, Config{Now: e.clock.now, Params: testParams, TokenCache: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		alice := e.account(t, "alice", store.RoleOperator)
		ap := e.login(t, "alice").Principal
		tok, rec, err := e.CreateAPIToken(ctx, ap, "deploy", store.RoleOperator, e.clock.t.Add(time.Hour), meta)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []*Auth{e.Auth, other} {
			if _, err := a.Token(ctx, tok.Reveal()); err != nil {
				t.Fatal(err)
			}
		}
		// Disabled here: refused here at once, there after the period.
		if err := e.SetDisabled(ctx, e.admin, alice.ID, true, meta); err != nil {
			t.Fatal(err)
		}
		_, err = e.Token(ctx, tok.Reveal())
		wantErr(t, err, ErrUnauthenticated)
		if _, err := other.Token(ctx, tok.Reveal()); err != nil {
			t.Fatalf("another replica within the cache period: %v", err)
		}
		e.clock.advance(5 * time.Second)
		_, err = other.Token(ctx, tok.Reveal())
		wantErr(t, err, ErrUnauthenticated)

		// The checks run on cached rows too: expiry needs no new read.
		if err := e.SetDisabled(ctx, e.admin, alice.ID, false, meta); err != nil {
			t.Fatal(err)
		}
		e.clock.t = rec.ExpiresAt.Add(-2 * time.Second)
		if _, err := e.Token(ctx, tok.Reveal()); err != nil {
			t.Fatal(err)
		}
		e.clock.advance(2 * time.Second)
		_, err = e.Token(ctx, tok.Reveal())
		wantErr(t, err, ErrUnauthenticated)
	})
}

func TestAccountManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, nil)
		alice := e.account(t, "alice", store.RoleOperator)
		ap := e.login(t, "alice").Principal

		_, err := e.CreateAccount(ctx, ap, "mallory", store.RoleAdmin, "password of mallory", meta)
		wantErr(t, err, ErrForbidden)
		_, err = e.CreateAccount(ctx, e.admin, "alice", store.RoleAuditor, "password of alice 2", meta)
		wantErr(t, err, store.ErrConflict)
		_, err = e.CreateAccount(ctx, e.admin, "weak", store.RoleAuditor, "123", meta)
		wantErr(t, err, ErrWeakPassword)
		_, err = e.CreateAccount(ctx, e.admin, "x", "root", "password of x!", meta)
		wantErr(t, err, store.ErrInvalid)

		// Changing one's password ends one's other sessions, not this one.
		other := e.login(t, "alice")
		wantErr(t, e.ChangePassword(ctx, ap, "wrong password", "a new passphrase", meta), ErrInvalidCredentials)
		wantErr(t, e.ChangePassword(ctx, ap, "password of alice", "short", meta), ErrWeakPassword)
		if err := e.ChangePassword(ctx, ap, "password of alice", "a new passphrase", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Session(ctx, other.Token.Reveal()); !errors.Is(err, ErrUnauthenticated) {
			t.Fatal("other session survived a password change")
		}
		if _, err := e.Login(ctx, "alice", "a new passphrase", meta); err != nil {
			t.Fatal(err)
		}
		// A reset by an admin ends every session.
		res, _ := e.Login(ctx, "alice", "a new passphrase", meta)
		wantErr(t, e.ResetPassword(ctx, ap, alice.ID, "reset passphrase", meta), ErrForbidden)
		if err := e.ResetPassword(ctx, e.admin, alice.ID, "reset passphrase", meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Session(ctx, res.Token.Reveal()); !errors.Is(err, ErrUnauthenticated) {
			t.Fatal("session survived a reset")
		}

		// The last enabled admin stays.
		root, _ := e.st.AccountByUsername(ctx, "root")
		wantErr(t, e.SetRole(ctx, e.admin, root.ID, store.RoleOperator, meta), ErrLastAdmin)
		wantErr(t, e.SetDisabled(ctx, e.admin, root.ID, true, meta), ErrLastAdmin)
		if err := e.SetRole(ctx, e.admin, alice.ID, store.RoleAdmin, meta); err != nil {
			t.Fatal(err)
		}
		if err := e.SetDisabled(ctx, e.admin, root.ID, true, meta); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.SetDisabled(ctx, e.admin, alice.ID, true, meta), ErrLastAdmin)
		wantErr(t, e.SetRole(ctx, e.admin, 999, store.RoleAdmin, meta), store.ErrNotFound)
	})
}

func TestConfigErrors(t *testing.T) {
	st, _ := storetest.Open(t, store.SQLite)
	for name, c := range map[string]Config{
		"negative": {SessionIdle: -time.Second},
		"cache":    {TokenCache: -time.Second},
		"idle":     {SessionIdle: 2 * time.Hour, SessionLifetime: time.Hour},
		"failures": {MaxFailures: -1},
		"params":   {Params: Params{Memory: 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
		"origin":   {TrustedOrigins: []string{"portal.example"}},
	} {
		if _, err := New(st, c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
