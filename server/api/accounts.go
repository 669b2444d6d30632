package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

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
	username := store.NormalizeUsername(in.Username)
	if username == "" {
		v.add("username", "is required")
	}
	if !store.Role(in.Role).Valid() {
		v.add("role", "must be admin, operator or auditor")
	}
	checkNewPassword("password", in.Password, username, &v)
	if err := v.err(); err != nil {
		return err
	}
	hash, err := hashPassword(a.rand, in.Password)
	if err != nil {
		return err
	}
	var out store.Account
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		out, err = q.CreateAccount(r.Context(), store.NewAccount{Username: username, Role: store.Role(in.Role),
			PasswordHash: hash, CreatedAt: a.now()})
		if err != nil {
			return err
		}
		return au.log(q, "account.create", fmt.Sprintf("account:%d", out.ID), map[string]any{"username": out.Username, "role": in.Role})
	})
	if err != nil {
		return storeErr(err, "account")
	}
	return writeJSON(w, http.StatusCreated, accountOf(out))
}

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
	var v invalid
	if in.Role != nil && !store.Role(*in.Role).Valid() {
		v.add("role", "must be admin, operator or auditor")
	}
	if id == p.AccountID && ((in.Role != nil && *in.Role != roleAdmin) || (in.Disabled != nil && *in.Disabled)) {
		v.add("role", "an admin cannot demote or disable their own account")
	}
	var hash string
	if in.Password != nil {
		checkNewPassword("password", *in.Password, "", &v)
	}
	if err := v.err(); err != nil {
		return err
	}
	if in.Password != nil {
		if hash, err = hashPassword(a.rand, *in.Password); err != nil {
			return err
		}
	}
	now := a.now()
	var out store.Account
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		ctx := r.Context()
		if _, err := q.Account(ctx, id); err != nil {
			return err
		}
		if in.Role != nil {
			if err := q.SetRole(ctx, id, store.Role(*in.Role)); err != nil {
				return err
			}
		}
		if in.Password != nil {
			if err := q.SetPassword(ctx, id, hash, now); err != nil {
				return err
			}
			if _, err := q.DeleteAccountSessions(ctx, id, nil); err != nil {
				return err
			}
		}
		if in.Disabled != nil {
			at := time.Time{}
			if *in.Disabled {
				at = now
			}
			if err := q.SetDisabled(ctx, id, at); err != nil {
				return err
			}
		}
		var err error
		if out, err = q.Account(ctx, id); err != nil {
			return err
		}
		return au.log(q, "account.update", fmt.Sprintf("account:%d", id), changed(map[string]bool{
			"role": in.Role != nil, "password": in.Password != nil, "disabled": in.Disabled != nil}))
	})
	a.tokens.forget()
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
	if id == principalOf(r).AccountID {
		return errConflict("an admin cannot disable their own account", nil)
	}
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		if err := q.SetDisabled(r.Context(), id, a.now()); err != nil {
			return err
		}
		return au.log(q, "account.disable", fmt.Sprintf("account:%d", id), nil)
	})
	a.tokens.forget()
	if err != nil {
		return storeErr(err, "account")
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

var roleRank = map[string]int{roleAuditor: 1, roleOperator: 2, roleAdmin: 3}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	p := principalOf(r)
	acct := p.AccountID
	if p.Role == roleAdmin && r.URL.Query().Get("all") == "true" {
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

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	var in tokenCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	p := principalOf(r)
	var v invalid
	if in.Name == "" {
		v.add("name", "is required")
	}
	role := in.Role
	if role == "" {
		role = p.Role
	}
	if !store.Role(role).Valid() {
		v.add("role", "must be admin, operator or auditor")
	} else if roleRank[role] > roleRank[p.Role] {
		v.add("role", "cannot exceed your own role (%s)", p.Role)
	}
	if in.ExpiresDays < 0 || in.ExpiresDays > 3650 {
		v.add("expires_days", "must be 0 to 3650")
	}
	if err := v.err(); err != nil {
		return err
	}
	sec, h, err := randomToken(a.rand)
	if err != nil {
		return err
	}
	sec = tokenPrefix + sec
	h = hashToken(sec)
	now := a.now()
	t := store.APIToken{Hash: h, Prefix: sec[:len(tokenPrefix)+6], Name: in.Name, AccountID: p.AccountID,
		Role: store.Role(role), CreatedAt: now}
	if in.ExpiresDays > 0 {
		t.ExpiresAt = now.Add(time.Duration(in.ExpiresDays) * day)
	}
	var out store.APIToken
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		if out, err = q.CreateAPIToken(r.Context(), t); err != nil {
			return err
		}
		return au.log(q, "token.create", "token:"+strconv.FormatInt(out.ID, 10), map[string]any{"name": in.Name, "role": role})
	})
	if err != nil {
		return storeErr(err, "token")
	}
	return writeJSON(w, http.StatusCreated, tokenCreated{Token: tokenOf(out), Secret: sec})
}

func (a *API) deleteToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "token")
	if err != nil {
		return err
	}
	p := principalOf(r)
	owner := p.AccountID
	if p.Role == roleAdmin {
		owner = 0
	}
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		if err := q.RevokeAPIToken(r.Context(), id, owner, a.now()); err != nil {
			return err
		}
		return au.log(q, "token.revoke", "token:"+strconv.FormatInt(id, 10), nil)
	})
	a.tokens.forget()
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("token")
	}
	if err != nil {
		return storeErr(err, "token")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
