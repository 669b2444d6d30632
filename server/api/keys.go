package api

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/server/store"
)

// rootKey is a vendor root key as the API shows it: public half only.
type rootKey struct {
	KeyID     string     `json:"key_id"`
	PublicKey string     `json:"public_key" doc:"licet-pub1:... text form"`
	Active    bool       `json:"active" doc:"the key new licenses are signed with"`
	CreatedAt time.Time  `json:"created_at"`
	RetiredAt *time.Time `json:"retired_at,omitempty"`
}

func rootKeyOf(k store.RootKey) (rootKey, error) {
	pub, err := cose.ParsePublicKey(k.PublicKey)
	if err != nil {
		return rootKey{}, err
	}
	return rootKey{KeyID: hex.EncodeToString(k.KID), PublicKey: pub.String(), Active: k.Active,
		CreatedAt: k.CreatedAt, RetiredAt: optTime(k.RetiredAt)}, nil
}

type rotateRequest struct {
	Passphrase string `json:"passphrase" doc:"the passphrase that seals the root keys, asked again to confirm"`
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.store.RootKeys(r.Context())
	if err != nil {
		return storeErr(err, "key")
	}
	out := list[rootKey]{Items: make([]rootKey, 0, len(ks))}
	for _, k := range ks {
		rk, err := rootKeyOf(k)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, rk)
	}
	return writeJSON(w, http.StatusOK, out)
}

// trust writes every root public key, oldest first, one per line: the
// trust file verifiers are installed with.
func (a *API) trust(w http.ResponseWriter, r *http.Request) error {
	ks, err := a.store.RootKeys(r.Context())
	if err != nil {
		return storeErr(err, "key")
	}
	var b strings.Builder
	for _, k := range ks {
		pub, err := cose.ParsePublicKey(k.PublicKey)
		if err != nil {
			return err
		}
		b.WriteString(pub.String())
		b.WriteByte('\n')
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="licet.pub"`)
	w.Write([]byte(b.String()))
	return nil
}

func (a *API) rotateKey(w http.ResponseWriter, r *http.Request) error {
	var in rotateRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Passphrase == "" {
		return invalid{{Field: "passphrase", Message: "is required"}}.err()
	}
	var priv *cose.PrivateKey
	err := a.inTx(r, func(q *store.Queries, au *auditor) error {
		old := a.keys.Active().Public().ID()
		var err error
		if priv, err = a.keys.rotate(r.Context(), q, []byte(in.Passphrase), a.rand, a.now()); err != nil {
			return err
		}
		id := priv.Public().ID()
		return au.log(q, "key.rotate", "key:"+id.String(), map[string]any{"retired": old.String()})
	})
	if errors.Is(err, ErrWrongPassphrase) {
		a.inTx(r, func(q *store.Queries, au *auditor) error {
			return au.log(q, "key.rotate.failure", "", map[string]any{"reason": "wrong passphrase"})
		})
		return &Error{Status: http.StatusForbidden, Code: CodeWrongPassphrase, Public: "the passphrase does not open the root key"}
	}
	if err != nil {
		return storeErr(err, "key")
	}
	a.keys.use(priv)
	rec, err := a.store.RootKey(r.Context(), func() []byte { id := priv.Public().ID(); return id[:] }())
	if err != nil {
		return storeErr(err, "key")
	}
	out, err := rootKeyOf(rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, out)
}
