package store

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"
)

// ConfirmKey is a key that makes confirmation codes (package codec/confirm)
// for the orders that name its public key. Like a root key, its private half
// is stored only sealed by the caller.
type ConfirmKey struct {
	PublicKey        []byte    `json:"public_key"`
	SealedPrivateKey []byte    `json:"-"`
	CreatedAt        time.Time `json:"created_at"`
}

const confirmKeyCols = `public_key, sealed_private_key, created_at`

func scanConfirmKey(r scanner, k *ConfirmKey) error {
	return r.Scan(&k.PublicKey, &k.SealedPrivateKey, tcol(&k.CreatedAt))
}

// AddConfirmKey stores a confirmation key; a known public key is
// ErrConflict.
func (q *Queries) AddConfirmKey(ctx context.Context, k ConfirmKey) error {
	if len(k.PublicKey) == 0 || len(k.PublicKey) > 64 || len(k.SealedPrivateKey) == 0 || k.CreatedAt.IsZero() {
		return fmt.Errorf("store: add confirmation key: public key, sealed private key and creation time are required: %w", ErrInvalid)
	}
	_, err := q.exec(ctx, `INSERT INTO confirm_keys (`+confirmKeyCols+`) VALUES ($1, $2, $3)`,
		k.PublicKey, k.SealedPrivateKey, q.t(k.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: add confirmation key %s: %w", hex.EncodeToString(k.PublicKey), q.s.classify(err, ErrNotFound))
	}
	return nil
}

// ConfirmKey returns the confirmation key with the given public key.
func (q *Queries) ConfirmKey(ctx context.Context, pub []byte) (ConfirmKey, error) {
	var k ConfirmKey
	if err := scanConfirmKey(q.row(ctx, false, `SELECT `+confirmKeyCols+` FROM confirm_keys WHERE public_key = $1`, pub), &k); err != nil {
		return ConfirmKey{}, fmt.Errorf("store: confirmation key %s: %w", hex.EncodeToString(pub), q.s.classify(err, ErrNotFound))
	}
	return k, nil
}

// LatestConfirmKey returns the newest confirmation key, the one new orders
// name; ErrNotFound when there is none yet.
func (q *Queries) LatestConfirmKey(ctx context.Context) (ConfirmKey, error) {
	var k ConfirmKey
	err := scanConfirmKey(q.row(ctx, false, `SELECT `+confirmKeyCols+` FROM confirm_keys ORDER BY created_at DESC, public_key LIMIT 1`), &k)
	if err != nil {
		return ConfirmKey{}, fmt.Errorf("store: latest confirmation key: %w", q.s.classify(err, ErrNotFound))
	}
	return k, nil
}
