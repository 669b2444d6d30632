package auth

import (
	"sync"
	"time"

	"licet.dev/licet/server/store"
)

// tokenCacheMax bounds the tokens a tokenCache holds; when full it starts
// over.
const tokenCacheMax = 4096

// tokenCache keeps API tokens and their accounts by the SHA-256 of the
// secret (Config.TokenCache). The zero value is an empty cache.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]*cachedToken
}

type cachedToken struct {
	token  store.APIToken
	acct   store.Account
	loaded time.Time
}

// get returns the token whose secret hashes to hash and its account when
// they were loaded less than ttl before now.
func (c *tokenCache) get(hash []byte, now time.Time, ttl time.Duration) (store.APIToken, store.Account, bool) {
	if ttl <= 0 {
		return store.APIToken{}, store.Account{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ct := c.m[string(hash)]
	if ct == nil || now.Before(ct.loaded) || now.Sub(ct.loaded) >= ttl {
		return store.APIToken{}, store.Account{}, false
	}
	return ct.token, ct.acct, true
}

func (c *tokenCache) put(hash []byte, t store.APIToken, acct store.Account, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= tokenCacheMax {
		c.m = map[string]*cachedToken{}
	}
	c.m[string(hash)] = &cachedToken{token: t, acct: acct, loaded: now}
}

// touched records a last use written to the store.
func (c *tokenCache) touched(hash []byte, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ct := c.m[string(hash)]; ct != nil {
		ct.token.LastUsedAt = at
	}
}

// forget drops every token: a token, a role or an account changed.
func (c *tokenCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
