package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"licet.dev/licet/server/store"
)

// Roles.
const (
	roleAdmin    = string(store.RoleAdmin)
	roleOperator = string(store.RoleOperator)
	roleAuditor  = string(store.RoleAuditor)
)

var allRoles = []string{roleAdmin, roleOperator, roleAuditor}

// Login protection: an account locks for lockoutFor after maxFailures
// wrong passwords in a row; a client address may try loginBurst logins,
// refilled at one per loginRefill.
const (
	maxFailures = 5
	lockoutFor  = 15 * time.Minute
	loginBurst  = 10
	loginRefill = 6 * time.Second
	// sessionMax is the absolute life of a session, however active.
	sessionMax = 7 * 24 * time.Hour
	// SetupTTL is how long a printed setup link stays valid.
	SetupTTL = 24 * time.Hour
	// minPassword is the shortest password accepted.
	minPassword = 12
	tokenPrefix = "licet_"
)

// argon2id parameters for password hashes (RFC 9106 second recommended
// option, lowered in memory as OWASP suggests for interactive logins).
const (
	pwTime    = 2
	pwMemory  = 19 * 1024
	pwThreads = 1
	pwKeyLen  = 32
)

// hashPassword returns a PHC-format argon2id hash.
func hashPassword(rnd io.Reader, pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", err
	}
	k := argon2.IDKey([]byte(pw), salt, pwTime, pwMemory, pwThreads, pwKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, pwMemory, pwTime, pwThreads,
		b64.EncodeToString(salt), b64.EncodeToString(k)), nil
}

// checkPassword compares pw with a PHC argon2id hash in constant time.
func checkPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when a username is unknown, so that a
// login takes as long whether the account exists or not.
var dummyHash, _ = hashPassword(rand.Reader, "licet-no-such-account")

func randomToken(rnd io.Reader) (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(rnd, b); err != nil {
		return "", nil, err
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(s))
	return s, h[:], nil
}

func hashToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// NewSetupToken makes the one-time setup token, stores its hash and returns
// it; the link is PUBLIC_URL/setup#TOKEN. Only the newest token works.
func NewSetupToken(ctx context.Context, st *store.Store, rnd io.Reader, now time.Time) (string, error) {
	tok, h, err := randomToken(rnd)
	if err != nil {
		return "", err
	}
	if err := st.CreateSetupToken(ctx, h, now, now.Add(SetupTTL)); err != nil {
		return "", err
	}
	return tok, nil
}

// authenticate finds the principal of a request: an API token in the
// Authorization header, else the session cookie.
func (a *API) authenticate(r *http.Request) (*principal, error) {
	ctx := r.Context()
	now := a.now()
	unauth := func(msg string) error {
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Public: msg}
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(tok, tokenPrefix) {
			return nil, unauth("the Authorization header must be Bearer licet_...")
		}
		th := hashToken(tok)
		t, acc, err := a.tokens.get(ctx, a.store, th)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, unauth("unknown API token")
		case err != nil:
			return nil, err
		case !t.RevokedAt.IsZero():
			return nil, unauth("the API token was revoked")
		case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
			return nil, unauth("the API token has expired")
		case acc.Disabled():
			return nil, unauth("the account is disabled")
		}
		if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) > time.Minute {
			a.store.TouchAPIToken(ctx, t.ID, now)
			a.tokens.touched(th, now)
		}
		return &principal{AccountID: acc.ID, Username: acc.Username, Role: string(t.Role), Via: "token",
			TokenID: t.ID, TokenName: t.Name}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, unauth("sign in first, or send an API token")
	}
	h := hashToken(c.Value)
	s, acc, err := a.store.LookupSession(ctx, h)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, unauth("the session has ended; sign in again")
	case err != nil:
		return nil, err
	case !now.Before(s.ExpiresAt) || now.Sub(s.LastSeenAt) > a.ttl:
		a.store.DeleteSession(ctx, h)
		return nil, unauth("the session has expired; sign in again")
	case acc.Disabled():
		return nil, unauth("the account is disabled")
	}
	if now.Sub(s.LastSeenAt) > time.Minute {
		a.store.TouchSession(ctx, h, now)
	}
	return &principal{AccountID: acc.ID, Username: acc.Username, Role: string(acc.Role), Via: "session",
		SessionID: string(h), CSRF: base64.RawURLEncoding.EncodeToString(s.CSRFSecret)}, nil
}

// limiter is a token bucket per key (a client address, an account, a
// pairing): burst requests at once, refilled at one per refill.
type limiter struct {
	now    func() time.Time
	burst  float64
	refill time.Duration
	mu     sync.Mutex
	b      map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(now func() time.Time, burst int, refill time.Duration) *limiter {
	return &limiter{now: now, burst: float64(burst), refill: refill, b: map[string]*bucket{}}
}

// allow takes one token for key; when none is left it returns the seconds
// until the next one.
func (l *limiter) allow(key string) (bool, int) {
	return l.use(key, true)
}

// check reports whether key has a token left without taking it; take it
// with allow when the attempt fails (a limit on failures).
func (l *limiter) check(key string) (bool, int) {
	return l.use(key, false)
}

func (l *limiter) use(key string, take bool) (bool, int) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.b) > 10000 {
		for k, b := range l.b {
			if now.Sub(b.at) > l.refill*time.Duration(l.burst) {
				delete(l.b, k)
			}
		}
	}
	b := l.b[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.b[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()/l.refill.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false, int((1-b.tokens)*l.refill.Seconds()) + 1
	}
	if take {
		b.tokens--
	}
	return true, 0
}

// limited is the problem of a request over a limit.
func limited(who string, wait int) error {
	return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited,
		Public: "too many attempts from " + who + "; retry in " + strconv.Itoa(wait) + " seconds", RetryAfter: wait}
}

func (a *API) rateLimit(r *http.Request, what string) error {
	if ok, wait := a.limits.allow(what + " " + clientIP(r)); !ok {
		return limited("this address", wait)
	}
	return nil
}

// account is an account as the API shows it.
type account struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	Role        string     `json:"role" enum:"admin|operator|auditor"`
	Disabled    bool       `json:"disabled"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

func accountOf(a store.Account) account {
	return account{ID: a.ID, Username: a.Username, Role: string(a.Role), Disabled: a.Disabled(),
		LockedUntil: optTime(a.LockedUntil), LastLoginAt: optTime(a.LastLoginAt), CreatedAt: a.CreatedAt}
}

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type setupRequest struct {
	Token    string `json:"token" doc:"the part after # of the setup link"`
	Username string `json:"username"`
	Password string `json:"password" doc:"at least 12 characters"`
}

// session is the answer to login, setup and GET /auth/session.
type session struct {
	Account   account `json:"account"`
	CSRFToken string  `json:"csrf_token" doc:"send as X-CSRF-Token on every state-changing request"`
}

func checkNewPassword(field, pw, username string, v *invalid) {
	switch {
	case len([]rune(pw)) < minPassword:
		v.add(field, "must be at least %d characters", minPassword)
	case len(pw) > 1024:
		v.add(field, "must be at most 1024 bytes")
	case strings.EqualFold(pw, username):
		v.add(field, "must not be the username")
	}
}

// startSession creates a session for acc and sets its cookie.
func (a *API) startSession(w http.ResponseWriter, r *http.Request, q *store.Queries, acc store.Account) (session, error) {
	tok, h, err := randomToken(a.rand)
	if err != nil {
		return session{}, err
	}
	csrf := make([]byte, 32)
	if _, err := io.ReadFull(a.rand, csrf); err != nil {
		return session{}, err
	}
	now := a.now()
	ua := r.UserAgent()
	if len(ua) > 300 {
		ua = ua[:300]
	}
	if err := q.CreateSession(r.Context(), store.Session{TokenHash: h, AccountID: acc.ID, CSRFSecret: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(sessionMax), IP: clientIP(r), UserAgent: ua}); err != nil {
		return session{}, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionMax / time.Second)})
	return session{Account: accountOf(acc), CSRFToken: base64.RawURLEncoding.EncodeToString(csrf)}, nil
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	if err := a.rateLimit(r, "login"); err != nil {
		return err
	}
	var in loginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	now := a.now()
	bad := &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Public: "wrong username or password"}
	acc, err := a.store.AccountByUsername(ctx, store.NormalizeUsername(in.Username))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		checkPassword(dummyHash, in.Password)
		a.metrics.loginFailed.Add(1)
		a.inTx(r, func(q *store.Queries, au *auditor) error {
			return au.log(q, "login.failure", "", map[string]any{"reason": "unknown user"})
		})
		return bad
	}
	if err != nil {
		return err
	}
	target := fmt.Sprintf("account:%d", acc.ID)
	if acc.LockedAt(now) {
		wait := int(acc.LockedUntil.Sub(now)/time.Second) + 1
		return &Error{Status: http.StatusTooManyRequests, Code: CodeLockedOut, RetryAfter: wait,
			Public: fmt.Sprintf("the account is locked after repeated failed logins; retry in %d seconds", wait)}
	}
	if !checkPassword(acc.PasswordHash, in.Password) || acc.Disabled() {
		a.metrics.loginFailed.Add(1)
		var locked bool
		err := a.inTx(r, func(q *store.Queries, au *auditor) error {
			upd, err := q.RecordLoginFailure(ctx, acc.ID, maxFailures, now.Add(lockoutFor))
			if err != nil {
				return err
			}
			locked = upd.LockedAt(now)
			reason := "wrong password"
			if acc.Disabled() {
				reason = "account disabled"
			}
			if err := au.a.audit(q, r, &principal{AccountID: acc.ID, Username: acc.Username}, "login.failure", target,
				map[string]any{"reason": reason}); err != nil {
				return err
			}
			if locked {
				return au.a.audit(q, r, &principal{AccountID: acc.ID, Username: acc.Username}, "account.lockout", target,
					map[string]any{"until": now.Add(lockoutFor).UTC().Format(time.RFC3339)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if locked {
			wait := int(lockoutFor / time.Second)
			return &Error{Status: http.StatusTooManyRequests, Code: CodeLockedOut, RetryAfter: wait,
				Public: fmt.Sprintf("the account is locked after %d failed logins; retry in %d seconds", maxFailures, wait)}
		}
		return bad
	}
	var out session
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		if err := q.RecordLoginSuccess(ctx, acc.ID, now); err != nil {
			return err
		}
		var err error
		if out, err = a.startSession(w, r, q, acc); err != nil {
			return err
		}
		return a.audit(q, r, &principal{AccountID: acc.ID, Username: acc.Username}, "login.success", target, nil)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) setup(w http.ResponseWriter, r *http.Request) error {
	if err := a.rateLimit(r, "setup"); err != nil {
		return err
	}
	var in setupRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v invalid
	username := store.NormalizeUsername(in.Username)
	if username == "" {
		v.add("username", "is required")
	}
	checkNewPassword("password", in.Password, username, &v)
	if in.Token == "" {
		v.add("token", "is required")
	}
	if err := v.err(); err != nil {
		return err
	}
	hash, err := hashPassword(a.rand, in.Password)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := a.now()
	var out session
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		acc, err := q.ConsumeSetupToken(ctx, hashToken(in.Token), now, store.NewAccount{Username: username,
			Role: store.RoleAdmin, PasswordHash: hash, CreatedAt: now})
		if err != nil {
			return err
		}
		if out, err = a.startSession(w, r, q, acc); err != nil {
			return err
		}
		return a.audit(q, r, &principal{AccountID: acc.ID, Username: acc.Username}, "account.setup",
			fmt.Sprintf("account:%d", acc.ID), map[string]any{"role": "admin"})
	})
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrExpired), errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusGone, Code: CodeSetupUsed,
			Public: "this setup link is not valid: it was used already, has expired, or a newer one was printed", Err: err}
	case errors.Is(err, store.ErrInvalid):
		return storeErr(err, "account")
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	acc, err := a.store.Account(r.Context(), p.AccountID)
	if err != nil {
		return storeErr(err, "account")
	}
	out := session{Account: accountOf(acc), CSRFToken: p.CSRF}
	if p.Via == "token" {
		out.Account.Role = p.Role
	}
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	if p.Via == "session" {
		err := a.inTx(r, func(q *store.Queries, au *auditor) error {
			if err := q.DeleteSession(r.Context(), []byte(p.SessionID)); err != nil {
				return err
			}
			return au.log(q, "logout", fmt.Sprintf("account:%d", p.AccountID), nil)
		})
		if err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: a.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
