package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// RootKey is a vendor signing key. The private half is stored only sealed
// (encrypted under the vendor passphrase by the caller). At most one key is
// active, the one new licenses are signed with; retired keys stay, so their
// public halves remain available to verifiers.
type RootKey struct {
	KID              []byte    `json:"kid"`
	PublicKey        []byte    `json:"public_key"`
	SealedPrivateKey []byte    `json:"-"`
	CreatedAt        time.Time `json:"created_at"`
	RetiredAt        time.Time `json:"retired_at,omitzero"`
	Active           bool      `json:"active"`
}

const rootKeyCols = `kid, public_key, sealed_private_key, created_at, retired_at, active`

func scanRootKey(r scanner, k *RootKey) error {
	return r.Scan(&k.KID, &k.PublicKey, &k.SealedPrivateKey, tcol(&k.CreatedAt), tcol(&k.RetiredAt), &k.Active)
}

func checkRootKey(k RootKey) error {
	if len(k.KID) == 0 || len(k.PublicKey) == 0 || len(k.SealedPrivateKey) == 0 || k.CreatedAt.IsZero() {
		return fmt.Errorf("kid, public key, sealed private key and creation time are required: %w", ErrInvalid)
	}
	return nil
}

// AddRootKey stores a key as given. Adding an active key while another is
// active is ErrConflict (use RotateRootKey); a known kid is ErrConflict.
func (q *Queries) AddRootKey(ctx context.Context, k RootKey) error {
	if err := checkRootKey(k); err != nil {
		return fmt.Errorf("store: add root key: %w", err)
	}
	_, err := q.exec(ctx, `INSERT INTO root_keys (`+rootKeyCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		k.KID, k.PublicKey, k.SealedPrivateKey, q.t(k.CreatedAt), q.t(k.RetiredAt), k.Active)
	if err != nil {
		return fmt.Errorf("store: add root key %s: %w", hex.EncodeToString(k.KID), q.s.classify(err, ErrNotFound))
	}
	return nil
}

// RotateRootKey retires the active key (if any) at time at and makes k the
// active key, in one transaction. k.Active and k.RetiredAt are ignored.
func (q *Queries) RotateRootKey(ctx context.Context, k RootKey, at time.Time) error {
	if err := checkRootKey(k); err != nil {
		return fmt.Errorf("store: rotate root key: %w", err)
	}
	return q.inTx(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, `UPDATE root_keys SET active = FALSE, retired_at = $1 WHERE active`, q.t(at)); err != nil {
			return fmt.Errorf("store: rotate root key: retiring: %w", err)
		}
		k.Active, k.RetiredAt = true, time.Time{}
		return q.AddRootKey(ctx, k)
	})
}

// ActiveRootKey returns the key new licenses are signed with; ErrNotFound
// when there is none yet.
func (q *Queries) ActiveRootKey(ctx context.Context) (RootKey, error) {
	var k RootKey
	if err := scanRootKey(q.row(ctx, false, `SELECT `+rootKeyCols+` FROM root_keys WHERE active`), &k); err != nil {
		return RootKey{}, fmt.Errorf("store: active root key: %w", q.s.classify(err, ErrNotFound))
	}
	return k, nil
}

// RootKey returns the key with the given kid, active or retired.
func (q *Queries) RootKey(ctx context.Context, kid []byte) (RootKey, error) {
	var k RootKey
	if err := scanRootKey(q.row(ctx, false, `SELECT `+rootKeyCols+` FROM root_keys WHERE kid = $1`, kid), &k); err != nil {
		return RootKey{}, fmt.Errorf("store: root key %s: %w", hex.EncodeToString(kid), q.s.classify(err, ErrNotFound))
	}
	return k, nil
}

// RootKeys returns every key, oldest first: the trust set a verifier needs.
func (q *Queries) RootKeys(ctx context.Context) ([]RootKey, error) {
	rows, err := q.rows(ctx, `SELECT `+rootKeyCols+` FROM root_keys ORDER BY created_at, kid`)
	if err != nil {
		return nil, fmt.Errorf("store: root keys: %w", err)
	}
	defer rows.Close()
	out := []RootKey{}
	for rows.Next() {
		var k RootKey
		if err := scanRootKey(rows, &k); err != nil {
			return nil, fmt.Errorf("store: root keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: root keys: %w", err)
	}
	return out, nil
}
