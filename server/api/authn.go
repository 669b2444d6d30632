package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
)

// Passwords, sessions, CSRF, API tokens, lockout and rate limits are
// package auth's; this file maps its sign-in routes and its errors to the
// API.

// tokenCacheTTL bounds how long a server keeps accepting an API token that
// another server sharing the database revoked (or whose account it
// disabled); a server forgets its cache on every such change it makes.
const tokenCacheTTL = 5 * time.Second

// Setup attempts per client address: setupBurst at once, then one per
// setupRefill, as for logins.
const (
	setupBurst  = 10
	setupRefill = 6 * time.Second
)

// authErr maps package auth's outcomes to problems; anything else goes
// through storeErr.
func authErr(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	wait := int((auth.RetryAfter(err) + time.Second - 1) / time.Second)
	switch {
	case errors.Is(err, auth.ErrInvalidCredentials):
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Public: "wrong username or password", Err: err}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Public: "sign in first, or send a valid API token", Err: err}
	case errors.Is(err, auth.ErrLocked):
		return &Error{Status: http.StatusTooManyRequests, Code: CodeLockedOut, RetryAfter: wait, Err: err,
			Public: "the account is locked after repeated failed logins; retry in " + strconv.Itoa(wait) + " seconds"}
	case errors.Is(err, auth.ErrRateLimited):
		return &Error{Status: http.StatusTooManyRequests, Code: CodeRateLimited, RetryAfter: wait, Err: err,
			Public: "too many attempts; retry in " + strconv.Itoa(wait) + " seconds"}
	case errors.Is(err, auth.ErrCSRF):
		return &Error{Status: http.StatusForbidden, Code: CodeCSRF, Err: err,
			Public: "missing or wrong " + auth.CSRFHeader + " header, or the request comes from another site"}
	case errors.Is(err, auth.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Public: "your role does not allow this", Err: err}
	case errors.Is(err, auth.ErrSetupUnavailable):
		return &Error{Status: http.StatusGone, Code: CodeSetupUsed, Err: err,
			Public: "this setup link is not valid: it was used already, has expired, or a newer one was printed"}
	case errors.Is(err, auth.ErrInvalidUsername):
		return invalid{{Field: "username", Message: "use 1 to 64 of a-z 0-9 . _ @ - starting with a letter or digit"}}.err()
	case errors.Is(err, auth.ErrWeakPassword):
		return invalid{{Field: "password", Message: passwordProblem(err)}}.err()
	case errors.Is(err, auth.ErrLastAdmin):
		return errConflict("the last enabled admin account can be neither demoted nor disabled", err)
	}
	return storeErr(err, "account")
}

// passwordProblem is the rule of the password policy that err names,
// without the package's prefix.
func passwordProblem(err error) string {
	msg := err.Error()
	if _, rule, ok := strings.Cut(msg, auth.ErrWeakPassword.Error()+": "); ok {
		msg = rule
	}
	return "is too weak: " + msg + " (at least 12 characters, 5 different ones, not the username)"
}

// checkUsername returns the username normalized, or adds its field error.
func checkUsername(v *invalid, u string) string {
	n, err := auth.CheckUsername(u)
	if err != nil {
		v.add("username", "use 1 to 64 of a-z 0-9 . _ @ - starting with a letter or digit")
	}
	return n
}

// checkNewAccount collects the field errors of a new or changed username,
// role and password, so that a form can show them all at once.
func checkNewAccount(v *invalid, username string, role *string, password *string) {
	if role != nil && !store.Role(*role).Valid() {
		v.add("role", "must be admin, operator or auditor")
	}
	if password != nil {
		if err := auth.CheckPassword(username, *password); err != nil {
			v.add("password", "%s", passwordProblem(err))
		}
	}
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
	Username string `json:"username" doc:"1 to 64 of a-z 0-9 . _ @ -"`
	Password string `json:"password" doc:"at least 12 characters"`
}

// session is the answer to login, setup and GET /auth/session.
type session struct {
	Account   account `json:"account"`
	CSRFToken string  `json:"csrf_token" doc:"send as X-CSRF-Token on every state-changing request"`
}

// signedIn sets the session cookie of a login or setup and answers the
// session.
func (a *API) signedIn(w http.ResponseWriter, status int, res *auth.LoginResult) error {
	a.auth.SetSessionCookie(w, res)
	acct := res.Account
	acct.LastLoginAt = res.Session.CreatedAt
	acct.FailedAttempts, acct.LockedUntil = 0, time.Time{}
	return writeJSON(w, status, session{Account: accountOf(acct), CSRFToken: res.Principal.CSRFToken()})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	res, err := a.auth.Login(r.Context(), in.Username, in.Password, a.auth.Meta(r))
	if err != nil {
		if errors.Is(err, auth.ErrInvalidCredentials) || errors.Is(err, auth.ErrLocked) {
			a.metrics.loginFailed.Add(1)
		}
		return authErr(err)
	}
	return a.signedIn(w, http.StatusOK, res)
}

func (a *API) setup(w http.ResponseWriter, r *http.Request) error {
	if ok, wait := a.setupLimits.Allow("setup " + a.auth.ClientIP(r)); !ok {
		return authErr(&auth.RetryError{Err: auth.ErrRateLimited, RetryAfter: wait})
	}
	var in setupRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v invalid
	username := checkUsername(&v, in.Username)
	checkNewAccount(&v, username, nil, &in.Password)
	if in.Token == "" {
		v.add("token", "is required")
	}
	if err := v.err(); err != nil {
		return err
	}
	res, err := a.auth.CompleteSetup(r.Context(), in.Token, in.Username, in.Password, a.auth.Meta(r))
	if err != nil {
		return authErr(err)
	}
	return a.signedIn(w, http.StatusCreated, res)
}

func (a *API) getSession(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	acc, err := a.store.Account(r.Context(), p.AccountID)
	if err != nil {
		return storeErr(err, "account")
	}
	out := session{Account: accountOf(acc), CSRFToken: p.CSRFToken()}
	out.Account.Role = string(p.Role) // a token's role may be below its account's
	return writeJSON(w, http.StatusOK, out)
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if p := principalOf(r); !p.ViaToken() {
		if err := a.auth.Logout(r.Context(), p, a.auth.Meta(r)); err != nil {
			return authErr(err)
		}
	}
	a.auth.ClearSessionCookie(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
