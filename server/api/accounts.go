package api

import (
	"errors"
	"net/http"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
)

type accountCreate struct {
	Username string `json:"username"`
	Password string `json:"password" doc:"at least 12 characters"`
	Role     string `json:"role" enum:"admin|operator|auditor"`
}

type accountPatch struct {
	Role     *string `json:"role,omitempty" enum:"admin|operator|auditor"`
	Password *string `json:"password,omitempty"`
	Disabled *bool   `json:"disabled,omitempty"`
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	f := store.AccountFilter{ListOptions: lo, Query: r.URL.Query().Get("q"), Role: store.Role(r.URL.Query().Get("role"))}
	if f.Role != "" && !f.Role.Valid() {
		return errBadRequest("role must be admin, operator or auditor", nil)
	}
	p, err := a.store.ListAccounts(r.Context(), f)
	if err != nil {
		return storeErr(err, "account")
	}
	return writeJSON(w, http.StatusOK, pageOf(p, accountOf))
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request) error {
	var in accountCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v invalid
	username := checkUsername(&v, in.Username)
	checkNewAccount(&v, username, &in.Role, &in.Password)
	if err := v.err(); err != nil {
		return err
	}
	out, err := a.auth.CreateAccount(r.Context(), principalOf(r), username, store.Role(in.Role), in.Password, a.auth.Meta(r))
	if err != nil {
		return authErr(err)
	}
	return writeJSON(w, http.StatusCreated, accountOf(out))
}

// patchAccount changes an account's role, password (an administrator's
// reset, which ends the account's sessions) and disabled state, each
// audited on its own, in that order. Everything is checked before the
// first change.
func (a *API) patchAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "account")
	if err != nil {
		return err
	}
	var in accountPatch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := principalOf(r)
	ctx := r.Context()
	acct, err := a.store.Account(ctx, id)
	if err != nil {
		return storeErr(err, "account")
	}
	var v invalid
	checkNewAccount(&v, acct.Username, in.Role, in.Password)
	if id == p.AccountID && ((in.Role != nil && *in.Role != string(store.RoleAdmin)) || (in.Disabled != nil && *in.Disabled)) {
		v.add("role", "an admin cannot demote or disable their own account")
	}
	if err := v.err(); err != nil {
		return err
	}
	m := a.auth.Meta(r)
	if in.Role != nil && store.Role(*in.Role) != acct.Role {
		if err := a.auth.SetRole(ctx, p, id, store.Role(*in.Role), m); err != nil {
			return authErr(err)
		}
	}
	if in.Password != nil {
		if err := a.auth.ResetPassword(ctx, p, id, *in.Password, m); err != nil {
			return authErr(err)
		}
	}
	if in.Disabled != nil && *in.Disabled != acct.Disabled() {
		if err := a.auth.SetDisabled(ctx, p, id, *in.Disabled, m); err != nil {
			return authErr(err)
		}
	}
	out, err := a.store.Account(ctx, id)
	if err != nil {
		return storeErr(err, "account")
	}
	return writeJSON(w, http.StatusOK, accountOf(out))
}

// deleteAccount disables an account: accounts are kept so that the audit
// log keeps naming who did what.
func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "account")
	if err != nil {
		return err
	}
	p := principalOf(r)
	if id == p.AccountID {
		return errConflict("an admin cannot disable their own account", nil)
	}
	if err := a.auth.SetDisabled(r.Context(), p, id, true, a.auth.Meta(r)); err != nil {
		return authErr(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// token is an API token as the API lists it; the secret is shown once.
type token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix" doc:"first characters of the secret, to tell tokens apart"`
	AccountID  int64      `json:"account_id"`
	Role       string     `json:"role" enum:"admin|operator|auditor"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOf(t store.APIToken) token {
	return token{ID: t.ID, Name: t.Name, Prefix: t.Prefix, AccountID: t.AccountID, Role: string(t.Role), CreatedAt: t.CreatedAt,
		LastUsedAt: optTime(t.LastUsedAt), ExpiresAt: optTime(t.ExpiresAt), RevokedAt: optTime(t.RevokedAt)}
}

type tokenCreate struct {
	Name        string `json:"name"`
	Role        string `json:"role,omitempty" enum:"admin|operator|auditor" doc:"default and at most: the creator's role"`
	ExpiresDays int    `json:"expires_days,omitempty" doc:"0: no expiry"`
}

type tokenCreated struct {
	Token  token  `json:"token"`
	Secret string `json:"secret" doc:"licet_...: shown only in this response; send as Authorization: Bearer"`
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	acct := p.AccountID
	if p.Can(auth.PermAccounts) && r.URL.Query().Get("all") == "true" {
		acct = 0
	}
	ts, err := a.store.ListAPITokens(r.Context(), acct)
	if err != nil {
		return storeErr(err, "token")
	}
	out := list[token]{Items: make([]token, len(ts))}
	for i, t := range ts {
		out.Items[i] = tokenOf(t)
	}
	return writeJSON(w, http.StatusOK, out)
}

// createToken makes an API token. Only a browser session may (a leaked
// token cannot mint others: 403), with the creator's own role, or any role
// for an admin.
func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := principalOf(r)
	var v invalid
	if in.Name == "" {
		v.add("name", "is required")
	} else if len(in.Name) > store.MaxName {
		v.add("name", "must be at most %d bytes", store.MaxName)
	}
	role := store.Role(in.Role)
	if role == "" {
		role = p.Role
	}
	switch {
	case !role.Valid():
		v.add("role", "must be admin, operator or auditor")
	case role != p.Role && p.Role != store.RoleAdmin:
		v.add("role", "must be your own role (%s): only an admin may make tokens of other roles", p.Role)
	}
	if in.ExpiresDays < 0 || in.ExpiresDays > 3650 {
		v.add("expires_days", "must be 0 to 3650")
	}
	if err := v.err(); err != nil {
		return err
	}
	var exp time.Time
	if in.ExpiresDays > 0 {
		exp = a.now().Add(time.Duration(in.ExpiresDays) * day)
	}
	sec, out, err := a.auth.CreateAPIToken(r.Context(), p, in.Name, role, exp, a.auth.Meta(r))
	if err != nil {
		return authErr(err)
	}
	return writeJSON(w, http.StatusCreated, tokenCreated{Token: tokenOf(out), Secret: sec.Reveal()})
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	err = a.auth.RevokeAPIToken(r.Context(), principalOf(r), id, a.auth.Meta(r))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("token")
	}
	if err != nil {
		return authErr(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
