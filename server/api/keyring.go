package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/keyseal"
	"licet.dev/licet/server/store"
)

// ErrWrongPassphrase means the passphrase does not open the vendor root key.
var ErrWrongPassphrase = errors.New("the passphrase does not open the vendor root key")

// Keyring holds the active vendor root key, opened from its sealed form in
// the store. It keeps the passphrase in memory, never in logs, so that a
// replica sharing the database can open a key another replica rotated to.
type Keyring struct {
	store      *store.Store
	passphrase []byte

	mu     sync.RWMutex
	active *cose.PrivateKey
}

// OpenKeyring opens the active root key, creating and sealing one when the
// store has none (first start). passphrase is asked with confirm set only
// then. created reports a first start.
func OpenKeyring(ctx context.Context, st *store.Store, passphrase func(confirm bool) ([]byte, error),
	rand io.Reader, now time.Time) (k *Keyring, created bool, err error) {
	rk, err := st.ActiveRootKey(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		pass, err := passphrase(true)
		if err != nil {
			return nil, false, err
		}
		if len(pass) == 0 {
			return nil, false, errors.New("the passphrase is empty")
		}
		priv, rec, err := newRootKey(rand, pass, now)
		if err != nil {
			return nil, false, err
		}
		if err := st.AddRootKey(ctx, rec); err != nil {
			return nil, false, fmt.Errorf("storing the new root key: %w", err)
		}
		return &Keyring{store: st, passphrase: pass, active: priv}, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("reading the root key: %w", err)
	}
	pass, err := passphrase(false)
	if err != nil {
		return nil, false, err
	}
	priv, err := openRootKey(rk, pass)
	if err != nil {
		return nil, false, err
	}
	return &Keyring{store: st, passphrase: pass, active: priv}, false, nil
}

func newRootKey(rand io.Reader, pass []byte, now time.Time) (*cose.PrivateKey, store.RootKey, error) {
	priv, err := cose.GenerateKey(rand)
	if err != nil {
		return nil, store.RootKey{}, fmt.Errorf("generating the root key: %w", err)
	}
	sealed, err := keyseal.Seal(rand, pass, priv.Bytes())
	if err != nil {
		return nil, store.RootKey{}, fmt.Errorf("sealing the root key: %w", err)
	}
	id := priv.Public().ID()
	return priv, store.RootKey{KID: id[:], PublicKey: priv.Public().Bytes(), SealedPrivateKey: sealed,
		CreatedAt: now, Active: true}, nil
}

func openRootKey(rk store.RootKey, pass []byte) (*cose.PrivateKey, error) {
	raw, err := keyseal.Open(pass, rk.SealedPrivateKey)
	if errors.Is(err, keyseal.ErrWrongPassphrase) {
		return nil, ErrWrongPassphrase
	}
	if err != nil {
		return nil, fmt.Errorf("opening the root key: %w", err)
	}
	priv, err := cose.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("opening the root key: %w", err)
	}
	if !bytes.Equal(priv.Public().Bytes(), rk.PublicKey) {
		return nil, errors.New("opening the root key: the sealed key does not match its public key")
	}
	return priv, nil
}

// Active returns the key new licenses are signed with.
func (k *Keyring) Active() *cose.PrivateKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.active
}

// Refresh reopens the active key when another server sharing the database
// rotated it.
func (k *Keyring) Refresh(ctx context.Context) error {
	rk, err := k.store.ActiveRootKey(ctx)
	if err != nil {
		return err
	}
	cur := k.Active().Public().ID()
	if bytes.Equal(rk.KID, cur[:]) {
		return nil
	}
	priv, err := openRootKey(rk, k.passphrase)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.active = priv
	k.mu.Unlock()
	return nil
}

// rotate checks pass against the active key, then makes a new key active.
// The caller audits it in the same transaction (q).
func (k *Keyring) rotate(ctx context.Context, q *store.Queries, pass []byte, rand io.Reader, now time.Time) (*cose.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	cur, err := q.ActiveRootKey(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := openRootKey(cur, pass); err != nil {
		return nil, err
	}
	priv, rec, err := newRootKey(rand, pass, now)
	if err != nil {
		return nil, err
	}
	if err := q.RotateRootKey(ctx, rec, now); err != nil {
		return nil, err
	}
	return priv, nil
}

// use makes priv the active key after its rotation committed.
func (k *Keyring) use(priv *cose.PrivateKey) {
	k.mu.Lock()
	k.active = priv
	k.mu.Unlock()
}
