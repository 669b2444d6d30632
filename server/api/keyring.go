package api

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"licet.dev/licet/codec/confirm"
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

	// Confirmation keys opened so far, by public key (hex): each is opened
	// once per process, since opening runs Argon2id.
	confirmMu sync.Mutex
	confirm   map[string]*confirm.PrivateKey
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

// ConfirmKey returns the confirmation key with public key pub, opening it
// from its sealed form the first time.
func (k *Keyring) ConfirmKey(ctx context.Context, pub []byte) (*confirm.PrivateKey, error) {
	k.confirmMu.Lock()
	defer k.confirmMu.Unlock()
	if key := k.confirm[hex.EncodeToString(pub)]; key != nil {
		return key, nil
	}
	rec, err := k.store.ConfirmKey(ctx, pub)
	if err != nil {
		return nil, err
	}
	raw, err := keyseal.Open(k.passphrase, rec.SealedPrivateKey)
	if errors.Is(err, keyseal.ErrWrongPassphrase) {
		return nil, fmt.Errorf("opening confirmation key %x: %w", pub, ErrWrongPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("opening confirmation key %x: %w", pub, err)
	}
	defer clear(raw)
	key, err := confirm.ParsePrivateKey(raw)
	if err != nil {
		return nil, fmt.Errorf("opening confirmation key %x: %w", pub, err)
	}
	if !bytes.Equal(key.Public().Bytes(), pub) {
		return nil, fmt.Errorf("opening confirmation key %x: the sealed key does not match its public key", pub)
	}
	k.remember(key)
	return key, nil
}

func (k *Keyring) remember(key *confirm.PrivateKey) {
	if k.confirm == nil {
		k.confirm = map[string]*confirm.PrivateKey{}
	}
	k.confirm[hex.EncodeToString(key.Public().Bytes())] = key
}

// CurrentConfirmKey returns the public half of the confirmation key that
// new orders name: the newest one, made and sealed under the root key's
// passphrase (codec/keyseal, as the root key) when there is none yet. One
// key serves every order, as the confirm.key that 'licet issue order
// --confirm' keeps next to the vendor key does.
func (k *Keyring) CurrentConfirmKey(ctx context.Context, rand io.Reader, now time.Time) (*confirm.PublicKey, error) {
	k.confirmMu.Lock()
	defer k.confirmMu.Unlock()
	rec, err := k.store.LatestConfirmKey(ctx)
	if err == nil {
		return confirm.ParsePublicKey(rec.PublicKey)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	key, err := confirm.GenerateKey(rand)
	if err != nil {
		return nil, err
	}
	plain := key.Bytes()
	sealed, err := keyseal.Seal(rand, k.passphrase, plain)
	clear(plain)
	if err != nil {
		return nil, fmt.Errorf("sealing the confirmation key: %w", err)
	}
	if err := k.store.AddConfirmKey(ctx, store.ConfirmKey{PublicKey: key.Public().Bytes(), SealedPrivateKey: sealed, CreatedAt: now}); err != nil {
		return nil, fmt.Errorf("storing the confirmation key: %w", err)
	}
	k.remember(key)
	return key.Public(), nil
}
