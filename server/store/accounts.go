package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what an account may do; package auth maps roles to permissions.
type Role string

// The roles of the vendor portal.
const (
	RoleAdmin    Role = "admin"    // everything, including accounts and keys
	RoleOperator Role = "operator" // products, customers, orders, issuing, activating
	RoleAuditor  Role = "auditor"  // read-only, and the audit log
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	return r == RoleAdmin || r == RoleOperator || r == RoleAuditor
}

// Account is a person who signs in to the vendor portal.
type Account struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Role     Role   `json:"role"`
	// PasswordHash is an encoded argon2id hash (package auth's format).
	PasswordHash string `json:"-"`
	// FailedAttempts counts failed logins since the last success or lockout.
	FailedAttempts int `json:"failed_attempts"`
	// LockedUntil, when after now, refuses logins.
	LockedUntil       time.Time `json:"locked_until,omitzero"`
	DisabledAt        time.Time `json:"disabled_at,omitzero"`
	LastLoginAt       time.Time `json:"last_login_at,omitzero"`
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	CreatedAt         time.Time `json:"created_at"`
}

// Disabled reports whether the account was disabled by an administrator.
func (a Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// LockedAt reports whether logins are refused at time now.
func (a Account) LockedAt(now time.Time) bool { return now.Before(a.LockedUntil) }

// NewAccount is what CreateAccount needs.
type NewAccount struct {
	Username     string
	Role         Role
	PasswordHash string
	CreatedAt    time.Time
}

// MaxUsername is the longest username, in bytes.
const MaxUsername = 64

// NormalizeUsername is the form usernames are stored and looked up in:
// trimmed and lower case, so that "Alice" and "alice" are one account.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func checkUsername(u string) error {
	if u == "" || len(u) > MaxUsername || !utf8.ValidString(u) {
		return fmt.Errorf("username must be 1 to %d bytes of UTF-8: %w", MaxUsername, ErrInvalid)
	}
	return nil
}

const accountCols = `id, username, role, password_hash, failed_attempts, locked_until, disabled_at,
	last_login_at, password_changed_at, created_at`

type scanner interface{ Scan(dest ...any) error }

func scanAccount(r scanner, a *Account) error {
	var role string
	err := r.Scan(&a.ID, &a.Username, &role, &a.PasswordHash, &a.FailedAttempts, tcol(&a.LockedUntil),
		tcol(&a.DisabledAt), tcol(&a.LastLoginAt), tcol(&a.PasswordChangedAt), tcol(&a.CreatedAt))
	a.Role = Role(role)
	return err
}

// CreateAccount adds an account. The username is normalized; a taken one is
// ErrConflict.
func (q *Queries) CreateAccount(ctx context.Context, n NewAccount) (Account, error) {
	u := NormalizeUsername(n.Username)
	if err := checkUsername(u); err != nil {
		return Account{}, fmt.Errorf("store: create account: %w", err)
	}
	if !n.Role.Valid() {
		return Account{}, fmt.Errorf("store: create account: role %q: %w", n.Role, ErrInvalid)
	}
	if n.PasswordHash == "" || n.CreatedAt.IsZero() {
		return Account{}, fmt.Errorf("store: create account: password hash and creation time are required: %w", ErrInvalid)
	}
	row := q.row(ctx, true, `INSERT INTO accounts (username, role, password_hash, password_changed_at, created_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING `+accountCols, u, string(n.Role), n.PasswordHash, q.t(n.CreatedAt))
	var a Account
	if err := scanAccount(row, &a); err != nil {
		return Account{}, fmt.Errorf("store: create account %q: %w", u, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// Account returns the account with the given id.
func (q *Queries) Account(ctx context.Context, id int64) (Account, error) {
	var a Account
	err := scanAccount(q.row(ctx, false, `SELECT `+accountCols+` FROM accounts WHERE id = $1`, id), &a)
	if err != nil {
		return Account{}, fmt.Errorf("store: account %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// AccountByUsername returns the account with the given (normalized) name.
func (q *Queries) AccountByUsername(ctx context.Context, username string) (Account, error) {
	u := NormalizeUsername(username)
	var a Account
	err := scanAccount(q.row(ctx, false, `SELECT `+accountCols+` FROM accounts WHERE username = $1`, u), &a)
	if err != nil {
		return Account{}, fmt.Errorf("store: account %q: %w", u, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// CountAccounts returns how many accounts exist, disabled ones included.
func (q *Queries) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := q.row(ctx, false, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count accounts: %w", err)
	}
	return n, nil
}

// AccountFilter selects accounts for ListAccounts.
type AccountFilter struct {
	ListOptions
	// Query matches usernames containing it.
	Query string
	// Role, when set, keeps only accounts with that role.
	Role Role
}

// ListAccounts returns accounts, newest first.
func (q *Queries) ListAccounts(ctx context.Context, f AccountFilter) (Page[Account], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[Account]{}, fmt.Errorf("store: list accounts: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if f.Query != "" {
		w.add(`username LIKE ? ESCAPE '\'`, likePattern(f.Query))
	}
	if f.Role != "" {
		w.add("role = ?", string(f.Role))
	}
	rows, err := q.rows(ctx, `SELECT `+accountCols+` FROM accounts`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Account]{}, fmt.Errorf("store: list accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	for rows.Next() {
		var a Account
		if err := scanAccount(rows, &a); err != nil {
			return Page[Account]{}, fmt.Errorf("store: list accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return Page[Account]{}, fmt.Errorf("store: list accounts: %w", err)
	}
	return finishPage(out, limit, func(a Account) int64 { return a.ID }), nil
}

// exec runs a write that must touch exactly one row; none is ErrNotFound.
func (q *Queries) exec1(ctx context.Context, what string, query string, args ...any) error {
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, q.s.classify(err, ErrNotFound))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	} else if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

// SetPassword replaces an account's password hash, clears its failed-login
// count and lockout, and records when.
func (q *Queries) SetPassword(ctx context.Context, id int64, hash string, at time.Time) error {
	if hash == "" {
		return fmt.Errorf("store: set password of account %d: empty hash: %w", id, ErrInvalid)
	}
	return q.exec1(ctx, fmt.Sprintf("set password of account %d", id),
		`UPDATE accounts SET password_hash = $2, password_changed_at = $3, failed_attempts = 0, locked_until = NULL
		WHERE id = $1`, id, hash, q.t(at))
}

// SetRole changes an account's role.
func (q *Queries) SetRole(ctx context.Context, id int64, role Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: set role of account %d: role %q: %w", id, role, ErrInvalid)
	}
	return q.exec1(ctx, fmt.Sprintf("set role of account %d", id),
		`UPDATE accounts SET role = $2 WHERE id = $1`, id, string(role))
}

// SetDisabled disables an account (at is when) or, with a zero at, enables
// it again. Disabling also ends the account's sessions.
func (q *Queries) SetDisabled(ctx context.Context, id int64, at time.Time) error {
	return q.inTx(ctx, func(q *Queries) error {
		if err := q.exec1(ctx, fmt.Sprintf("disable account %d", id),
			`UPDATE accounts SET disabled_at = $2 WHERE id = $1`, id, q.t(at)); err != nil {
			return err
		}
		if !at.IsZero() {
			if _, err := q.DeleteAccountSessions(ctx, id, nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordLoginFailure counts a failed login in one atomic statement. When the
// count reaches maxFailures the account is locked until lockUntil and the
// count starts again from zero. It returns the account as updated.
func (q *Queries) RecordLoginFailure(ctx context.Context, id int64, maxFailures int, lockUntil time.Time) (Account, error) {
	if maxFailures < 1 {
		return Account{}, fmt.Errorf("store: record login failure: max failures %d: %w", maxFailures, ErrInvalid)
	}
	var a Account
	err := scanAccount(q.row(ctx, true, `UPDATE accounts SET
			locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until END,
			failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END
		WHERE id = $1 RETURNING `+accountCols, id, maxFailures, q.t(lockUntil)), &a)
	if err != nil {
		return Account{}, fmt.Errorf("store: record login failure of account %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return a, nil
}

// RecordLoginSuccess clears the failure count and lockout and records the
// login time.
func (q *Queries) RecordLoginSuccess(ctx context.Context, id int64, at time.Time) error {
	return q.exec1(ctx, fmt.Sprintf("record login of account %d", id),
		`UPDATE accounts SET failed_attempts = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`, id, q.t(at))
}

// Session is a signed-in browser. The token itself is never stored: only
// its SHA-256 hash, which is also the key it is looked up by.
type Session struct {
	TokenHash  []byte    `json:"-"`
	AccountID  int64     `json:"account_id"`
	CSRFSecret []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute end of the session, whatever its activity.
	ExpiresAt time.Time `json:"expires_at"`
	IP        string    `json:"ip"`
	UserAgent string    `json:"user_agent"`
}

const sessionCols = `s.token_hash, s.account_id, s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent`

// CreateSession stores a new session.
func (q *Queries) CreateSession(ctx context.Context, s Session) error {
	if len(s.TokenHash) == 0 || len(s.CSRFSecret) == 0 || s.ExpiresAt.IsZero() || s.CreatedAt.IsZero() {
		return fmt.Errorf("store: create session: token hash, CSRF secret and times are required: %w", ErrInvalid)
	}
	if s.LastSeenAt.IsZero() {
		s.LastSeenAt = s.CreatedAt
	}
	_, err := q.exec(ctx, `INSERT INTO sessions (token_hash, account_id, csrf_secret, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.TokenHash, s.AccountID, s.CSRFSecret, q.t(s.CreatedAt),
		q.t(s.LastSeenAt), q.t(s.ExpiresAt), s.IP, s.UserAgent)
	if err != nil {
		return fmt.Errorf("store: create session for account %d: %w", s.AccountID, q.s.classify(err, ErrNotFound))
	}
	return nil
}

// LookupSession returns the session whose token hashes to tokenHash, and its
// account. It does not judge expiry: the caller compares the times.
func (q *Queries) LookupSession(ctx context.Context, tokenHash []byte) (Session, Account, error) {
	var s Session
	var a Account
	row := q.row(ctx, false, `SELECT `+sessionCols+`, a.id, a.username, a.role, a.password_hash, a.failed_attempts,
		a.locked_until, a.disabled_at, a.last_login_at, a.password_changed_at, a.created_at
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, tokenHash)
	var role string
	err := row.Scan(&s.TokenHash, &s.AccountID, &s.CSRFSecret, tcol(&s.CreatedAt), tcol(&s.LastSeenAt),
		tcol(&s.ExpiresAt), &s.IP, &s.UserAgent,
		&a.ID, &a.Username, &role, &a.PasswordHash, &a.FailedAttempts, tcol(&a.LockedUntil),
		tcol(&a.DisabledAt), tcol(&a.LastLoginAt), tcol(&a.PasswordChangedAt), tcol(&a.CreatedAt))
	a.Role = Role(role)
	if err != nil {
		return Session{}, Account{}, fmt.Errorf("store: session: %w", q.s.classify(err, ErrNotFound))
	}
	return s, a, nil
}

// TouchSession records activity on a session.
func (q *Queries) TouchSession(ctx context.Context, tokenHash []byte, at time.Time) error {
	return q.exec1(ctx, "touch session", `UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash, q.t(at))
}

// DeleteSession ends a session. Ending one that does not exist is not an
// error.
func (q *Queries) DeleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := q.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// DeleteAccountSessions ends every session of an account except the one
// whose hash is keep (nil keeps none), and returns how many ended.
func (q *Queries) DeleteAccountSessions(ctx context.Context, accountID int64, keep []byte) (int64, error) {
	query, args := `DELETE FROM sessions WHERE account_id = $1`, []any{accountID}
	if len(keep) > 0 {
		query, args = query+` AND token_hash <> $2`, append(args, keep)
	}
	res, err := q.exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: delete sessions of account %d: %w", accountID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// DeleteExpiredSessions removes sessions past their absolute end at now or
// idle since before idleSince, and returns how many it removed.
func (q *Queries) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	res, err := q.exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2`, q.t(now), q.t(idleSince))
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// APIToken is a credential for scripts. Like sessions, only the SHA-256 of
// the token is stored; Prefix is a few leading characters kept to tell
// tokens apart in lists.
type APIToken struct {
	ID         int64     `json:"id"`
	Hash       []byte    `json:"-"`
	Prefix     string    `json:"prefix"`
	Name       string    `json:"name"`
	AccountID  int64     `json:"account_id"`
	Role       Role      `json:"role"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

const (
	tokenColsBare = `id, token_hash, prefix, name, account_id, role, created_at, last_used_at, expires_at, revoked_at`
	tokenCols     = `t.id, t.token_hash, t.prefix, t.name, t.account_id, t.role, t.created_at, t.last_used_at, t.expires_at, t.revoked_at`
)

func scanToken(r scanner, t *APIToken, extra ...any) error {
	var role string
	err := r.Scan(append([]any{&t.ID, &t.Hash, &t.Prefix, &t.Name, &t.AccountID, &role, tcol(&t.CreatedAt),
		tcol(&t.LastUsedAt), tcol(&t.ExpiresAt), tcol(&t.RevokedAt)}, extra...)...)
	t.Role = Role(role)
	return err
}

// MaxTokenName is the longest API token name, in bytes.
const MaxTokenName = 100

// CreateAPIToken stores a token; ID, LastUsedAt and RevokedAt are ignored.
func (q *Queries) CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error) {
	switch {
	case len(t.Hash) == 0 || t.CreatedAt.IsZero():
		return APIToken{}, fmt.Errorf("store: create API token: hash and creation time are required: %w", ErrInvalid)
	case t.Name == "" || len(t.Name) > MaxTokenName || !utf8.ValidString(t.Name):
		return APIToken{}, fmt.Errorf("store: create API token: name must be 1 to %d bytes: %w", MaxTokenName, ErrInvalid)
	case !t.Role.Valid():
		return APIToken{}, fmt.Errorf("store: create API token: role %q: %w", t.Role, ErrInvalid)
	}
	var out APIToken
	err := scanToken(q.row(ctx, true, `INSERT INTO api_tokens (token_hash, prefix, name, account_id, role, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+tokenColsBare,
		t.Hash, t.Prefix, t.Name, t.AccountID, string(t.Role), q.t(t.CreatedAt), q.t(t.ExpiresAt)), &out)
	if err != nil {
		return APIToken{}, fmt.Errorf("store: create API token %q: %w", t.Name, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// LookupAPIToken returns the token with the given hash and its account,
// revoked and expired ones included: the caller judges.
func (q *Queries) LookupAPIToken(ctx context.Context, hash []byte) (APIToken, Account, error) {
	var t APIToken
	var a Account
	var role string
	err := scanToken(q.row(ctx, false, `SELECT `+tokenCols+`, a.id, a.username, a.role, a.password_hash, a.failed_attempts,
		a.locked_until, a.disabled_at, a.last_login_at, a.password_changed_at, a.created_at
		FROM api_tokens t JOIN accounts a ON a.id = t.account_id WHERE t.token_hash = $1`, hash), &t,
		&a.ID, &a.Username, &role, &a.PasswordHash, &a.FailedAttempts, tcol(&a.LockedUntil),
		tcol(&a.DisabledAt), tcol(&a.LastLoginAt), tcol(&a.PasswordChangedAt), tcol(&a.CreatedAt))
	a.Role = Role(role)
	if err != nil {
		return APIToken{}, Account{}, fmt.Errorf("store: API token: %w", q.s.classify(err, ErrNotFound))
	}
	return t, a, nil
}

// TouchAPIToken records a use of a token.
func (q *Queries) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return q.exec1(ctx, fmt.Sprintf("touch API token %d", id), `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, q.t(at))
}

// RevokeAPIToken revokes a token; revoking one twice is ErrConflict. A
// nonzero accountID restricts the change to that account's tokens.
func (q *Queries) RevokeAPIToken(ctx context.Context, id, accountID int64, at time.Time) error {
	return q.inTx(ctx, func(q *Queries) error {
		var owner int64
		var revoked time.Time
		err := q.row(ctx, false, `SELECT account_id, revoked_at FROM api_tokens WHERE id = $1`+q.forUpdate(), id).
			Scan(&owner, tcol(&revoked))
		if err != nil || (accountID != 0 && owner != accountID) {
			if err == nil {
				err = ErrNotFound
			}
			return fmt.Errorf("store: revoke API token %d: %w", id, q.s.classify(err, ErrNotFound))
		}
		if !revoked.IsZero() {
			return fmt.Errorf("store: revoke API token %d: already revoked: %w", id, ErrConflict)
		}
		return q.exec1(ctx, fmt.Sprintf("revoke API token %d", id), `UPDATE api_tokens SET revoked_at = $2 WHERE id = $1`, id, q.t(at))
	})
}

// ListAPITokens returns the tokens of one account, or of all accounts when
// accountID is 0, newest first.
func (q *Queries) ListAPITokens(ctx context.Context, accountID int64) ([]APIToken, error) {
	var w where
	if accountID != 0 {
		w.add("t.account_id = ?", accountID)
	}
	rows, err := q.rows(ctx, `SELECT `+tokenCols+` FROM api_tokens t`+w.sql()+` ORDER BY t.id DESC`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: list API tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		var t APIToken
		if err := scanToken(rows, &t); err != nil {
			return nil, fmt.Errorf("store: list API tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list API tokens: %w", err)
	}
	return out, nil
}

// CreateSetupToken stores the one-time link that creates the first admin,
// replacing any earlier unused one, so that only the newest printed link
// works.
func (q *Queries) CreateSetupToken(ctx context.Context, hash []byte, createdAt, expiresAt time.Time) error {
	if len(hash) == 0 || createdAt.IsZero() || !expiresAt.After(createdAt) {
		return fmt.Errorf("store: create setup token: hash and a positive lifetime are required: %w", ErrInvalid)
	}
	return q.inTx(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, `DELETE FROM setup_tokens WHERE used_at IS NULL`); err != nil {
			return fmt.Errorf("store: create setup token: %w", err)
		}
		if _, err := q.exec(ctx, `INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)`,
			hash, q.t(createdAt), q.t(expiresAt)); err != nil {
			return fmt.Errorf("store: create setup token: %w", q.s.classify(err, ErrNotFound))
		}
		return nil
	})
}

// ConsumeSetupToken spends a setup token and creates the first admin account
// in one transaction. An unknown token is ErrNotFound; a used or expired one
// ErrExpired; a database that already has an account ErrConflict. n.Role is
// forced to RoleAdmin.
func (q *Queries) ConsumeSetupToken(ctx context.Context, hash []byte, at time.Time, n NewAccount) (Account, error) {
	var out Account
	err := q.inTx(ctx, func(q *Queries) error {
		var expires, used time.Time
		err := q.row(ctx, false, `SELECT expires_at, used_at FROM setup_tokens WHERE token_hash = $1`+q.forUpdate(), hash).
			Scan(tcol(&expires), tcol(&used))
		if err != nil {
			return fmt.Errorf("store: setup token: %w", q.s.classify(err, ErrNotFound))
		}
		if !used.IsZero() || !at.Before(expires) {
			return fmt.Errorf("store: setup token: %w", ErrExpired)
		}
		var count int
		if err := q.row(ctx, false, `SELECT count(*) FROM accounts`).Scan(&count); err != nil {
			return fmt.Errorf("store: setup token: %w", err)
		}
		if count > 0 {
			return fmt.Errorf("store: setup token: an account exists already: %w", ErrConflict)
		}
		n.Role = RoleAdmin
		if n.CreatedAt.IsZero() {
			n.CreatedAt = at
		}
		a, err := q.CreateAccount(ctx, n)
		if err != nil {
			return err
		}
		if _, err := q.exec(ctx, `UPDATE setup_tokens SET used_at = $2, account_id = $3 WHERE token_hash = $1`,
			hash, q.t(at), a.ID); err != nil {
			return fmt.Errorf("store: setup token: %w", err)
		}
		out = a
		return nil
	})
	return out, err
}
