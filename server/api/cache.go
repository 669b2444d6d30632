package api

import (
	"context"
	"sync"
	"time"

	"licet.dev/licet/server/store"
)

// issuing is what issuing a license under an order reads from the
// database: the order (with its product's name), its product's short id and
// its parsed terms.
type issuing struct {
	order    store.Order
	short    uint16
	terms    orderTerms
	features map[string]string
	loaded   time.Time
}

// orderCacheTTL bounds how long a server signs with order terms or a
// product name that another server sharing the database has changed.
// Nothing that decides a seat is cached: Activate reads the order's status,
// window and seats inside its transaction.
const orderCacheTTL = 5 * time.Second

// orderCache keeps the issuing data of recently used orders, so that an
// issuance does not read the order and its product again each time.
type orderCache struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[int64]*issuing
}

func newOrderCache(now func() time.Time) *orderCache {
	return &orderCache{now: now, m: map[int64]*issuing{}}
}

// get returns the issuing data of order id, from the cache when fresh.
func (c *orderCache) get(ctx context.Context, st *store.Store, id int64) (*issuing, error) {
	now := c.now()
	c.mu.Lock()
	it := c.m[id]
	c.mu.Unlock()
	if it != nil && now.Sub(it.loaded) < orderCacheTTL && !now.Before(it.loaded) {
		return it, nil
	}
	o, err := st.Order(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := st.Product(ctx, o.ProductID)
	if err != nil {
		return nil, err
	}
	terms, features, err := termsOf(o)
	if err != nil {
		return nil, err
	}
	it = &issuing{order: o, short: p.ShortID, terms: terms, features: features, loaded: now}
	c.mu.Lock()
	if len(c.m) >= 4096 {
		clear(c.m)
	}
	c.m[id] = it
	c.mu.Unlock()
	return it, nil
}

// forget drops everything: an order or a product changed here.
func (c *orderCache) forget() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
