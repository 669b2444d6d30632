package auth

import (
	"fmt"
	"sync"
	"time"
)

// Limiter is a set of token buckets keyed by a string (a client address,
// an account): each key may spend Burst requests at once, refilled at one
// per Every. It holds at most MaxKeys buckets; when full it forgets the
// buckets that have refilled, then arbitrary ones. Safe for concurrent use.
type Limiter struct {
	every   time.Duration
	burst   float64
	now     func() time.Time
	maxKeys int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// DefaultMaxKeys bounds a Limiter's memory.
const DefaultMaxKeys = 10000

// NewLimiter returns a limiter refilling one request per every, up to
// burst, reading time from now (time.Now when nil).
func NewLimiter(every time.Duration, burst int, now func() time.Time) (*Limiter, error) {
	if every <= 0 || burst < 1 {
		return nil, fmt.Errorf("auth: rate limit of %d per %s: want a positive interval and a burst of at least 1", burst, every)
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{every: every, burst: float64(burst), now: now, maxKeys: DefaultMaxKeys, buckets: map[string]*bucket{}}, nil
}

// Allow spends one request of key. When none is left it returns false and
// how long until one is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= l.maxKeys {
			l.evict(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.every))
	return false, max(wait, time.Second/10)
}

// Check reports whether key has a request left without spending it, and
// when none is left, how long until one is. It suits limits on failures:
// Check before the attempt, Allow once it has failed.
func (l *Limiter) Check(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		return true, 0
	}
	l.refill(b, now)
	if b.tokens >= 1 {
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) * float64(l.every))
	return false, max(wait, time.Second/10)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(l.burst, b.tokens+float64(d)/float64(l.every))
		b.at = now
	}
}

// evict forgets full buckets, and if that frees nothing, a tenth of all.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	n := len(l.buckets) / 10
	for k := range l.buckets {
		if len(l.buckets) < l.maxKeys || n <= 0 {
			break
		}
		delete(l.buckets, k)
		n--
	}
}

// Reset forgets key's bucket (after a successful login, for instance).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}
