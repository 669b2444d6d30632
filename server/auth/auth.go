package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"regexp"
	"time"

	"licet.dev/licet/server/store"
)

// Outcomes the HTTP layer maps to responses. Each is returned wrapped; test
// with errors.Is. [*RetryError] carries a wait for ErrLocked and
// ErrRateLimited.
var (
	// ErrUnauthenticated: no valid session or API token.
	ErrUnauthenticated = errors.New("auth: not signed in")
	// ErrInvalidCredentials: wrong username or password, or a disabled
	// account (which is not told apart, so that it cannot be probed).
	ErrInvalidCredentials = errors.New("auth: wrong username or password")
	// ErrLocked: too many failed logins; the account is locked for a while.
	ErrLocked = errors.New("auth: account locked after failed logins")
	// ErrRateLimited: too many requests from one client.
	ErrRateLimited = errors.New("auth: too many requests")
	// ErrForbidden: the principal's role does not allow the action.
	ErrForbidden = errors.New("auth: not allowed")
	// ErrCSRF: a state-changing request failed the CSRF check.
	ErrCSRF = errors.New("auth: CSRF check failed")
	// ErrSetupUnavailable: the setup link is unknown, used, expired, or an
	// account exists already.
	ErrSetupUnavailable = errors.New("auth: the setup link is not valid")
	// ErrInvalidUsername: the username does not fit the allowed pattern.
	ErrInvalidUsername = errors.New("auth: invalid username")
	// ErrLastAdmin: the change would leave no enabled administrator.
	ErrLastAdmin = errors.New("auth: the last administrator cannot be removed")
)

// RetryError is a refusal that lifts after RetryAfter.
type RetryError struct {
	Err        error
	RetryAfter time.Duration
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%v (retry in %s)", e.Err, e.RetryAfter.Round(time.Second))
}

func (e *RetryError) Unwrap() error { return e.Err }

// RetryAfter returns the wait carried by err, or 0.
func RetryAfter(err error) time.Duration {
	var r *RetryError
	if errors.As(err, &r) {
		return r.RetryAfter
	}
	return 0
}

// Config tunes an Auth. Zero fields take the defaults named.
type Config struct {
	// Now is the clock (time.Now).
	Now func() time.Time
	// Rand supplies salts and tokens (crypto/rand.Reader).
	Rand io.Reader
	// Params are the argon2id costs of new hashes (DefaultParams).
	Params Params

	// SessionIdle ends a session unused this long (30 minutes).
	SessionIdle time.Duration
	// SessionLifetime ends a session this long after login, however
	// active (12 hours).
	SessionLifetime time.Duration
	// TouchEvery limits how often a session's or token's last use is
	// written (1 minute).
	TouchEvery time.Duration

	// MaxFailures wrong passwords in a row lock an account (5) for
	// LockoutDuration (15 minutes).
	MaxFailures     int
	LockoutDuration time.Duration
	// LoginEvery and LoginBurst are the per-address login bucket: LoginBurst
	// attempts at once (10), refilled one per LoginEvery (6 seconds).
	LoginEvery time.Duration
	LoginBurst int

	// SetupLifetime is how long a setup link works (24 hours).
	SetupLifetime time.Duration

	// TokenCache keeps API tokens (and their accounts) that Token looked up
	// for this long, so that a script's requests do not each read them
	// again; 0 reads them every time. The checks (revoked, expired, account
	// disabled, role) still run on every request. Changes made through this
	// Auth drop the cache at once; changes made elsewhere (another replica
	// sharing the database) take effect here within TokenCache.
	TokenCache time.Duration

	// InsecureCookies drops the Secure attribute and the __Host- prefix of
	// the session cookie, for plain-HTTP development on a non-localhost
	// address only.
	InsecureCookies bool
	// TrustedProxies are the addresses whose X-Forwarded-For header names
	// the client; from any other peer the header is ignored.
	TrustedProxies []netip.Prefix
	// TrustedOrigins are origins ("https://portal.example") besides the
	// request's own host allowed to send state-changing requests.
	TrustedOrigins []string
	// OnError writes the response for a refusal by the middleware
	// (WriteError, an RFC 9457 problem).
	OnError ErrorWriter
}

func (c *Config) defaults() error {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Params == (Params{}) {
		c.Params = DefaultParams
	}
	set(&c.SessionIdle, 30*time.Minute)
	set(&c.SessionLifetime, 12*time.Hour)
	set(&c.TouchEvery, time.Minute)
	set(&c.LockoutDuration, 15*time.Minute)
	set(&c.LoginEvery, 6*time.Second)
	set(&c.SetupLifetime, 24*time.Hour)
	if c.MaxFailures == 0 {
		c.MaxFailures = 5
	}
	if c.LoginBurst == 0 {
		c.LoginBurst = 10
	}
	if c.OnError == nil {
		c.OnError = WriteError
	}
	switch {
	case c.SessionIdle < 0 || c.SessionLifetime < 0 || c.TouchEvery < 0 || c.LockoutDuration < 0 ||
		c.LoginEvery < 0 || c.SetupLifetime < 0 || c.TokenCache < 0:
		return errors.New("auth: durations must not be negative")
	case c.SessionIdle > c.SessionLifetime:
		return errors.New("auth: the idle limit of a session exceeds its lifetime")
	case c.MaxFailures < 1 || c.LoginBurst < 1:
		return errors.New("auth: MaxFailures and LoginBurst must be positive")
	}
	if err := c.Params.check(); err != nil {
		return fmt.Errorf("auth: argon2id parameters: %w", err)
	}
	return nil
}

// Auth signs principals in and checks them. Safe for concurrent use.
type Auth struct {
	st     *store.Store
	cfg    Config
	logins *Limiter
	dummy  string // a hash to verify against for unknown usernames
	xo     *http.CrossOriginProtection
	tokens tokenCache
}

// New returns an Auth over st.
func New(st *store.Store, cfg Config) (*Auth, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	dummy, err := HashPassword(cfg.Rand, "licet: no such account", cfg.Params)
	if err != nil {
		return nil, err
	}
	logins, err := NewLimiter(cfg.LoginEvery, cfg.LoginBurst, cfg.Now)
	if err != nil {
		return nil, err
	}
	a := &Auth{st: st, cfg: cfg, dummy: dummy, logins: logins, xo: http.NewCrossOriginProtection()}
	for _, o := range cfg.TrustedOrigins {
		if err := a.xo.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("auth: trusted origin: %w", err)
		}
	}
	return a, nil
}

// Config returns the configuration in force, defaults filled in.
func (a *Auth) Config() Config { return a.cfg }

// Principal is who a request acts as: an account through a browser session
// or an API token.
type Principal struct {
	AccountID int64
	Username  string
	// Role is the account's role for a session, the token's for a token.
	Role store.Role
	// TokenID and TokenName name the API token; 0 and "" for a session.
	TokenID   int64
	TokenName string

	sessionHash []byte
	csrf        []byte
}

// Can reports whether the principal's role grants p.
func (p *Principal) Can(perm Permission) bool { return p != nil && Can(p.Role, perm) }

// ViaToken reports whether the principal came with an API token.
func (p *Principal) ViaToken() bool { return p.TokenID != 0 }

// Actor names the principal as the audit log shows it: "alice", or
// "alice (token deploy)".
func (p *Principal) Actor() string {
	if p.ViaToken() {
		return p.Username + " (token " + p.TokenName + ")"
	}
	return p.Username
}

// CSRFToken is the token a page must send back as X-CSRF-Token on
// state-changing requests of this session; "" for API tokens.
func (p *Principal) CSRFToken() string {
	if len(p.csrf) == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(p.csrf)
}

// Meta says where a request came from, for the audit log and throttling.
type Meta struct {
	IP        string
	UserAgent string
}

// LoginResult is a new session.
type LoginResult struct {
	// Token is the session cookie's value.
	Token     Secret
	Principal *Principal
	Account   store.Account
	Session   store.Session
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{0,63}$`)

// CheckUsername normalizes a username and checks it: 1 to 64 characters of
// a-z, 0-9 and . _ @ -, starting with a letter or digit.
func CheckUsername(u string) (string, error) {
	n := store.NormalizeUsername(u)
	if !usernameRE.MatchString(n) {
		return "", fmt.Errorf("%w: use 1 to 64 of a-z 0-9 . _ @ - starting with a letter or digit", ErrInvalidUsername)
	}
	return n, nil
}

// Login checks a username and password and opens a session. Every outcome
// is audited. The per-address bucket is spent first (ErrRateLimited), then a
// locked account is refused (ErrLocked, without checking the password);
// an unknown user costs the same hashing time as a known one.
func (a *Auth) Login(ctx context.Context, username, password string, m Meta) (*LoginResult, error) {
	now := a.cfg.Now()
	if ok, wait := a.logins.Allow("login " + m.IP); !ok {
		return nil, &RetryError{Err: ErrRateLimited, RetryAfter: wait}
	}
	name := store.NormalizeUsername(username)
	if len(name) > store.MaxUsername {
		name = name[:store.MaxUsername]
	}
	acct, err := a.st.AccountByUsername(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		VerifyPassword(a.dummy, password)
		a.auditMeta(ctx, nil, 0, "anonymous", m, "login.failure", "", map[string]any{"username": name, "reason": "unknown user"})
		return nil, ErrInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	target := accountTarget(acct.ID)
	if acct.LockedAt(now) {
		a.auditMeta(ctx, nil, 0, "anonymous", m, "login.failure", target, map[string]any{"username": name, "reason": "locked"})
		return nil, &RetryError{Err: ErrLocked, RetryAfter: acct.LockedUntil.Sub(now)}
	}
	ok, err := VerifyPassword(acct.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("auth: login: stored hash of account %d: %w", acct.ID, err)
	}
	if !ok {
		after, err := a.st.RecordLoginFailure(ctx, acct.ID, a.cfg.MaxFailures, now.Add(a.cfg.LockoutDuration))
		if err != nil {
			return nil, fmt.Errorf("auth: login: %w", err)
		}
		a.auditMeta(ctx, nil, 0, "anonymous", m, "login.failure", target, map[string]any{"username": name, "reason": "wrong password"})
		if after.LockedAt(now) {
			a.auditMeta(ctx, nil, 0, "system", m, "account.lock", target, map[string]any{"until": after.LockedUntil})
			return nil, &RetryError{Err: ErrLocked, RetryAfter: after.LockedUntil.Sub(now)}
		}
		return nil, ErrInvalidCredentials
	}
	if acct.Disabled() {
		a.auditMeta(ctx, nil, 0, "anonymous", m, "login.failure", target, map[string]any{"username": name, "reason": "disabled"})
		return nil, ErrInvalidCredentials
	}
	if err := a.st.RecordLoginSuccess(ctx, acct.ID, now); err != nil {
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	if NeedsRehash(acct.PasswordHash, a.cfg.Params) {
		if h, err := HashPassword(a.cfg.Rand, password, a.cfg.Params); err == nil {
			// The old hash still works if this fails: nothing to undo.
			a.st.SetPassword(ctx, acct.ID, h, acct.PasswordChangedAt)
		}
	}
	res, err := a.openSession(ctx, acct, now, m)
	if err != nil {
		return nil, err
	}
	if err := a.auditMeta(ctx, nil, acct.ID, acct.Username, m, "login", target, nil); err != nil {
		a.st.DeleteSession(ctx, res.Session.TokenHash)
		return nil, err
	}
	return res, nil
}

func (a *Auth) openSession(ctx context.Context, acct store.Account, now time.Time, m Meta) (*LoginResult, error) {
	tok, hash, err := newToken(a.cfg.Rand, "")
	if err != nil {
		return nil, err
	}
	csrf := make([]byte, tokenBytes)
	if _, err := io.ReadFull(a.cfg.Rand, csrf); err != nil {
		return nil, fmt.Errorf("auth: reading random bytes: %w", err)
	}
	s := store.Session{TokenHash: hash, AccountID: acct.ID, CSRFSecret: csrf, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(a.cfg.SessionLifetime), IP: m.IP, UserAgent: truncate(m.UserAgent, 300)}
	if err := a.st.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("auth: opening session: %w", err)
	}
	p := &Principal{AccountID: acct.ID, Username: acct.Username, Role: acct.Role, sessionHash: hash, csrf: csrf}
	return &LoginResult{Token: tok, Principal: p, Account: acct, Session: s}, nil
}

// Logout ends p's browser session (if it still exists) and audits it; a
// principal without a session is ErrUnauthenticated.
func (a *Auth) Logout(ctx context.Context, p *Principal, m Meta) error {
	if p == nil || len(p.sessionHash) == 0 {
		return ErrUnauthenticated
	}
	if err := a.st.DeleteSession(ctx, p.sessionHash); err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	a.auditMeta(ctx, nil, p.AccountID, p.Actor(), m, "logout", accountTarget(p.AccountID), nil)
	return nil
}

// Session returns the principal of a session token: ErrUnauthenticated when
// the token is malformed, unknown, idle for longer than SessionIdle, past
// its lifetime, or its account is disabled. Ended sessions are deleted.
func (a *Auth) Session(ctx context.Context, token string) (*Principal, error) {
	if !wellFormed(token, "") {
		return nil, ErrUnauthenticated
	}
	hash := HashToken(token)
	s, acct, err := a.st.LookupSession(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("auth: session: %w", err)
	}
	if subtle.ConstantTimeCompare(s.TokenHash, hash) != 1 {
		return nil, ErrUnauthenticated
	}
	now := a.cfg.Now()
	if !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) >= a.cfg.SessionIdle || acct.Disabled() {
		a.st.DeleteSession(ctx, hash)
		return nil, ErrUnauthenticated
	}
	if now.Sub(s.LastSeenAt) >= a.cfg.TouchEvery {
		if err := a.st.TouchSession(ctx, hash, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("auth: session: %w", err)
		}
	}
	return &Principal{AccountID: acct.ID, Username: acct.Username, Role: acct.Role, sessionHash: hash, csrf: s.CSRFSecret}, nil
}

// Token returns the principal of an API token: ErrUnauthenticated when it
// is malformed, unknown, revoked, expired, its account is disabled, or its
// role is no longer one the account may delegate.
func (a *Auth) Token(ctx context.Context, token string) (*Principal, error) {
	if !wellFormed(token, APITokenPrefix) {
		return nil, ErrUnauthenticated
	}
	hash := HashToken(token)
	now := a.cfg.Now()
	t, acct, ok := a.tokens.get(hash, now, a.cfg.TokenCache)
	if !ok {
		var err error
		t, acct, err = a.st.LookupAPIToken(ctx, hash)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrUnauthenticated
		}
		if err != nil {
			return nil, fmt.Errorf("auth: API token: %w", err)
		}
		if a.cfg.TokenCache > 0 {
			a.tokens.put(hash, t, acct, now)
		}
	}
	if subtle.ConstantTimeCompare(t.Hash, hash) != 1 || !t.RevokedAt.IsZero() ||
		(!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) || acct.Disabled() || !canDelegate(acct.Role, t.Role) {
		return nil, ErrUnauthenticated
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= a.cfg.TouchEvery {
		if err := a.st.TouchAPIToken(ctx, t.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("auth: API token: %w", err)
		}
		a.tokens.touched(hash, now)
	}
	return &Principal{AccountID: acct.ID, Username: acct.Username, Role: t.Role, TokenID: t.ID, TokenName: t.Name}, nil
}

// CreateAPIToken makes an API token for p's account, with role (p's own, or
// any for an admin) and an optional expiry. Only a browser session may
// create tokens, so that a leaked token cannot mint others. The plaintext is
// returned once; the store keeps its hash.
func (a *Auth) CreateAPIToken(ctx context.Context, p *Principal, name string, role store.Role, expiresAt time.Time, m Meta) (Secret, store.APIToken, error) {
	if p == nil || p.ViaToken() || !p.Can(PermTokens) || !canDelegate(p.Role, role) {
		return "", store.APIToken{}, ErrForbidden
	}
	now := a.cfg.Now()
	if !expiresAt.IsZero() && !expiresAt.After(now) {
		return "", store.APIToken{}, fmt.Errorf("auth: create API token: expiry is in the past: %w", store.ErrInvalid)
	}
	tok, hash, err := newToken(a.cfg.Rand, APITokenPrefix)
	if err != nil {
		return "", store.APIToken{}, err
	}
	var out store.APIToken
	err = a.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		out, err = q.CreateAPIToken(ctx, store.APIToken{Hash: hash, Prefix: tokenPrefixShown(tok), Name: name,
			AccountID: p.AccountID, Role: role, CreatedAt: now, ExpiresAt: expiresAt})
		if err != nil {
			return err
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "token.create", fmt.Sprintf("token:%d", out.ID),
			map[string]any{"name": out.Name, "role": out.Role, "prefix": out.Prefix})
	})
	if err != nil {
		return "", store.APIToken{}, fmt.Errorf("auth: create API token: %w", err)
	}
	return tok, out, nil
}

// RevokeAPIToken revokes one of p's tokens, or anyone's when p may manage
// accounts.
func (a *Auth) RevokeAPIToken(ctx context.Context, p *Principal, id int64, m Meta) error {
	if p == nil || !p.Can(PermTokens) {
		return ErrForbidden
	}
	owner := p.AccountID
	if p.Can(PermAccounts) {
		owner = 0
	}
	defer a.tokens.forget()
	return a.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.RevokeAPIToken(ctx, id, owner, a.cfg.Now()); err != nil {
			return fmt.Errorf("auth: revoke API token: %w", err)
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "token.revoke", fmt.Sprintf("token:%d", id), nil)
	})
}

// EnsureSetupToken makes a fresh setup token when no account exists yet,
// replacing any earlier one, and returns it with true; with accounts
// present it returns "", false. The server prints the link that carries it
// (see SetupLink).
func (a *Auth) EnsureSetupToken(ctx context.Context) (Secret, bool, error) {
	n, err := a.st.CountAccounts(ctx)
	if err != nil {
		return "", false, fmt.Errorf("auth: setup: %w", err)
	}
	if n > 0 {
		return "", false, nil
	}
	tok, hash, err := newToken(a.cfg.Rand, "")
	if err != nil {
		return "", false, err
	}
	now := a.cfg.Now()
	if err := a.st.CreateSetupToken(ctx, hash, now, now.Add(a.cfg.SetupLifetime)); err != nil {
		return "", false, fmt.Errorf("auth: setup: %w", err)
	}
	a.auditMeta(ctx, nil, 0, "system", Meta{}, "setup.link", "", map[string]any{"expires": now.Add(a.cfg.SetupLifetime)})
	return tok, true, nil
}

// SetupLink is the console link for a setup token: base (the portal's
// public URL) + "/setup#" + token. The token rides in the fragment, which
// browsers do not send to servers or proxies; the page posts it.
func SetupLink(base string, tok Secret) string {
	for len(base) > 0 && base[len(base)-1] == '/' {
		base = base[:len(base)-1]
	}
	return base + "/setup#" + tok.Reveal()
}

// CompleteSetup spends a setup token: it creates the first administrator
// with the given name and password and signs it in. A token that is
// unknown, used or expired, or a store that has an account already, is
// ErrSetupUnavailable.
func (a *Auth) CompleteSetup(ctx context.Context, token, username, password string, m Meta) (*LoginResult, error) {
	name, err := CheckUsername(username)
	if err != nil {
		return nil, err
	}
	if err := CheckPassword(name, password); err != nil {
		return nil, err
	}
	if !wellFormed(token, "") {
		return nil, ErrSetupUnavailable
	}
	hash, err := HashPassword(a.cfg.Rand, password, a.cfg.Params)
	if err != nil {
		return nil, err
	}
	now := a.cfg.Now()
	acct, err := a.st.ConsumeSetupToken(ctx, HashToken(token), now,
		store.NewAccount{Username: name, Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: now})
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrExpired), errors.Is(err, store.ErrConflict):
		a.auditMeta(ctx, nil, 0, "anonymous", m, "setup.failure", "", nil)
		return nil, ErrSetupUnavailable
	case err != nil:
		return nil, fmt.Errorf("auth: setup: %w", err)
	}
	a.auditMeta(ctx, nil, acct.ID, acct.Username, m, "setup.complete", accountTarget(acct.ID), map[string]any{"username": acct.Username})
	res, err := a.openSession(ctx, acct, now, m)
	if err != nil {
		return nil, err
	}
	a.auditMeta(ctx, nil, acct.ID, acct.Username, m, "login", accountTarget(acct.ID), nil)
	return res, nil
}

// CreateAccount adds an account; p must be allowed to manage accounts.
func (a *Auth) CreateAccount(ctx context.Context, p *Principal, username string, role store.Role, password string, m Meta) (store.Account, error) {
	if !p.Can(PermAccounts) {
		return store.Account{}, ErrForbidden
	}
	name, err := CheckUsername(username)
	if err != nil {
		return store.Account{}, err
	}
	if !role.Valid() {
		return store.Account{}, fmt.Errorf("auth: role %q: %w", role, store.ErrInvalid)
	}
	if err := CheckPassword(name, password); err != nil {
		return store.Account{}, err
	}
	hash, err := HashPassword(a.cfg.Rand, password, a.cfg.Params)
	if err != nil {
		return store.Account{}, err
	}
	var out store.Account
	err = a.st.InTx(ctx, func(q *store.Queries) error {
		var err error
		out, err = q.CreateAccount(ctx, store.NewAccount{Username: name, Role: role, PasswordHash: hash, CreatedAt: a.cfg.Now()})
		if err != nil {
			return err
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "account.create", accountTarget(out.ID),
			map[string]any{"username": out.Username, "role": out.Role})
	})
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: create account: %w", err)
	}
	return out, nil
}

// ChangePassword replaces p's own password after checking the current one,
// and ends p's other sessions. Only a browser session may do it. A wrong
// current password counts as a failed login.
func (a *Auth) ChangePassword(ctx context.Context, p *Principal, current, next string, m Meta) error {
	if p == nil || p.ViaToken() {
		return ErrForbidden
	}
	acct, err := a.st.Account(ctx, p.AccountID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	now := a.cfg.Now()
	if acct.LockedAt(now) {
		return &RetryError{Err: ErrLocked, RetryAfter: acct.LockedUntil.Sub(now)}
	}
	ok, err := VerifyPassword(acct.PasswordHash, current)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	if !ok {
		if _, err := a.st.RecordLoginFailure(ctx, acct.ID, a.cfg.MaxFailures, now.Add(a.cfg.LockoutDuration)); err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
		a.auditMeta(ctx, nil, p.AccountID, p.Actor(), m, "password.change.failure", accountTarget(acct.ID), nil)
		return ErrInvalidCredentials
	}
	if err := CheckPassword(acct.Username, next); err != nil {
		return err
	}
	hash, err := HashPassword(a.cfg.Rand, next, a.cfg.Params)
	if err != nil {
		return err
	}
	return a.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.SetPassword(ctx, acct.ID, hash, now); err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
		if _, err := q.DeleteAccountSessions(ctx, acct.ID, p.sessionHash); err != nil {
			return fmt.Errorf("auth: change password: %w", err)
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "password.change", accountTarget(acct.ID), nil)
	})
}

// ResetPassword sets another account's password (p must manage accounts)
// and ends all of that account's sessions.
func (a *Auth) ResetPassword(ctx context.Context, p *Principal, accountID int64, password string, m Meta) error {
	if !p.Can(PermAccounts) {
		return ErrForbidden
	}
	acct, err := a.st.Account(ctx, accountID)
	if err != nil {
		return fmt.Errorf("auth: reset password: %w", err)
	}
	if err := CheckPassword(acct.Username, password); err != nil {
		return err
	}
	hash, err := HashPassword(a.cfg.Rand, password, a.cfg.Params)
	if err != nil {
		return err
	}
	return a.st.InTx(ctx, func(q *store.Queries) error {
		if err := q.SetPassword(ctx, acct.ID, hash, a.cfg.Now()); err != nil {
			return fmt.Errorf("auth: reset password: %w", err)
		}
		if _, err := q.DeleteAccountSessions(ctx, acct.ID, nil); err != nil {
			return fmt.Errorf("auth: reset password: %w", err)
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "password.reset", accountTarget(acct.ID), nil)
	})
}

// SetRole changes an account's role (p must manage accounts). Demoting the
// last enabled administrator is ErrLastAdmin.
func (a *Auth) SetRole(ctx context.Context, p *Principal, accountID int64, role store.Role, m Meta) error {
	if !p.Can(PermAccounts) {
		return ErrForbidden
	}
	if !role.Valid() {
		return fmt.Errorf("auth: role %q: %w", role, store.ErrInvalid)
	}
	defer a.tokens.forget()
	return a.st.InTx(ctx, func(q *store.Queries) error {
		acct, err := q.Account(ctx, accountID)
		if err != nil {
			return fmt.Errorf("auth: set role: %w", err)
		}
		if acct.Role == store.RoleAdmin && role != store.RoleAdmin && !acct.Disabled() {
			if err := lastAdmin(ctx, q); err != nil {
				return err
			}
		}
		if err := q.SetRole(ctx, accountID, role); err != nil {
			return fmt.Errorf("auth: set role: %w", err)
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, "account.role", accountTarget(accountID),
			map[string]any{"from": acct.Role, "to": role})
	})
}

// SetDisabled disables (true) or enables an account (p must manage
// accounts); disabling ends its sessions and stops its tokens. Disabling
// the last enabled administrator is ErrLastAdmin.
func (a *Auth) SetDisabled(ctx context.Context, p *Principal, accountID int64, disabled bool, m Meta) error {
	if !p.Can(PermAccounts) {
		return ErrForbidden
	}
	defer a.tokens.forget()
	return a.st.InTx(ctx, func(q *store.Queries) error {
		acct, err := q.Account(ctx, accountID)
		if err != nil {
			return fmt.Errorf("auth: disable account: %w", err)
		}
		at, action := time.Time{}, "account.enable"
		if disabled {
			at, action = a.cfg.Now(), "account.disable"
			if acct.Role == store.RoleAdmin && !acct.Disabled() {
				if err := lastAdmin(ctx, q); err != nil {
					return err
				}
			}
		}
		if err := q.SetDisabled(ctx, accountID, at); err != nil {
			return fmt.Errorf("auth: disable account: %w", err)
		}
		return a.auditMeta(ctx, q, p.AccountID, p.Actor(), m, action, accountTarget(accountID), nil)
	})
}

// lastAdmin fails when at most one enabled administrator exists.
func lastAdmin(ctx context.Context, q *store.Queries) error {
	n := 0
	f := store.AccountFilter{Role: store.RoleAdmin, ListOptions: store.ListOptions{Limit: store.MaxLimit}}
	for {
		page, err := q.ListAccounts(ctx, f)
		if err != nil {
			return fmt.Errorf("auth: counting administrators: %w", err)
		}
		for _, acct := range page.Items {
			if !acct.Disabled() {
				n++
			}
		}
		if n > 1 || page.Next == "" {
			break
		}
		f.Cursor = page.Next
	}
	if n <= 1 {
		return ErrLastAdmin
	}
	return nil
}

// Sweep deletes sessions past their lifetime or idle limit; run it now and
// then. It returns how many went.
func (a *Auth) Sweep(ctx context.Context) (int64, error) {
	now := a.cfg.Now()
	n, err := a.st.DeleteExpiredSessions(ctx, now, now.Add(-a.cfg.SessionIdle))
	if err != nil {
		return 0, fmt.Errorf("auth: sweep: %w", err)
	}
	return n, nil
}

func accountTarget(id int64) string { return fmt.Sprintf("account:%d", id) }

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// auditMeta appends an audit entry through q (nil: the store). Detail is
// marshalled to JSON; it must hold no secret.
func (a *Auth) auditMeta(ctx context.Context, q *store.Queries, actorID int64, actor string, m Meta, action, target string, detail any) error {
	e, err := a.entry(actorID, actor, m, action, target, detail)
	if err != nil {
		return err
	}
	if q == nil {
		q = a.st.Queries
	}
	if _, err := q.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("auth: audit %s: %w", action, err)
	}
	return nil
}

func (a *Auth) entry(actorID int64, actor string, m Meta, action, target string, detail any) (store.AuditEntry, error) {
	var d json.RawMessage
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return store.AuditEntry{}, fmt.Errorf("auth: audit %s: detail: %w", action, err)
		}
		d = b
	}
	return store.AuditEntry{At: a.cfg.Now(), ActorID: actorID, Actor: truncate(actor, 200), Action: action, Target: target,
		Detail: d, IP: truncate(m.IP, 200), UserAgent: truncate(m.UserAgent, 300)}, nil
}
