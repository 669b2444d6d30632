// Package hub pairs a vendor's desktop page with a phone, so that what the
// phone's camera reads from a terminal (its request URL) appears on the
// desktop at once (docs/api.md, "Phone pairing").
//
// The desktop asks for a pairing and shows its phone URL as a QR code; the
// URL carries a random 32-byte token, which is the phone's only credential.
// The phone announces itself ([Hub.Hello]) and posts request URLs
// ([Hub.Request]); the desktop page holds a websocket ([Hub.Serve]) on which
// the hub pushes each of them as a JSON message, and an "expired" message
// when the pairing ends.
//
// Pairings and their events live in the database (package store), the
// token only as its SHA-256 hash, so that servers sharing a database accept
// a phone's post wherever it lands. Each server runs one Hub: a post that
// lands on the server holding the desktop's websocket is pushed at once;
// one that lands elsewhere is found by the holder's poll of the database
// ([Hub.Sweep], every Config.Poll), so it arrives within that interval.
package hub

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/server/store"
)

// Defaults of Config.
const (
	DefaultTTL  = 10 * time.Minute
	DefaultPoll = time.Second
)

// TokenLen is the length of a pairing token: 32 random bytes in Crockford
// base32, upper case, so that the phone URL suits a QR code's alphanumeric
// mode.
const TokenLen = 52

// Outcomes callers branch on.
var (
	// ErrNotFound means no pairing has the token or id given (or the
	// token is malformed).
	ErrNotFound = errors.New("hub: no such pairing")
	// ErrExpired means the pairing has ended.
	ErrExpired = errors.New("hub: the pairing has expired")
	// ErrRequest means a posted URL is not a terminal's request URL.
	ErrRequest = errors.New("hub: not a terminal's request URL")
	// ErrClosed means the hub is shutting down.
	ErrClosed = errors.New("hub: closed")
)

// Config holds a hub's settings; zero fields take defaults.
type Config struct {
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
	// TTL is the life of a pairing (DefaultTTL).
	TTL time.Duration
	// Poll is how often Run looks for events that other servers recorded
	// and for pairings that expired (DefaultPoll).
	Poll time.Duration
	// WriteTimeout bounds one websocket write (10 s).
	WriteTimeout time.Duration
	Log          *slog.Logger
}

// Hub holds this server's desktop websockets and the pairings they wait on.
type Hub struct {
	store *store.Store
	cfg   Config

	mu     sync.Mutex
	subs   map[int64]map[*sub]struct{} // by pairing id
	closed bool
}

// New returns a hub on st.
func New(st *store.Store, cfg Config) *Hub {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Hub{store: st, cfg: cfg, subs: map[int64]map[*sub]struct{}{}}
}

// TTL returns the life of a new pairing.
func (h *Hub) TTL() time.Duration { return h.cfg.TTL }

// Message is what the desktop's websocket receives, one JSON text message
// each.
type Message struct {
	// Type is "paired" (a phone announced itself), "request" (a phone
	// read a terminal's request URL) or "expired" (the pairing ended; the
	// server closes the websocket after it).
	Type string `json:"type"`
	// ID orders the recorded events of a pairing; pass the last one seen as
	// ?after= when reconnecting. Absent in "expired".
	ID         int64     `json:"id,omitempty"`
	RequestURL string    `json:"request_url,omitempty"`
	At         time.Time `json:"at,omitzero"`
}

// Event kinds as recorded in the store.
const (
	kindPaired  = "paired"
	kindRequest = "request"
	kindExpired = "expired"
)

func messageOf(e store.PairingEvent) Message {
	m := Message{Type: e.Kind, ID: e.ID, At: e.At}
	if e.Kind == kindRequest {
		m.RequestURL = e.Payload
	}
	return m
}

// crockford is the base32 alphabet of tokens (as device codes and request
// URLs use).
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func newToken(rnd io.Reader) (string, error) {
	var b [32]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		return "", fmt.Errorf("hub: making a token: %w", err)
	}
	var sb strings.Builder
	var acc uint32
	bits := 0
	for _, x := range b {
		acc = acc<<8 | uint32(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			sb.WriteByte(crockford[acc>>bits&31])
		}
	}
	sb.WriteByte(crockford[acc<<(5-bits)&31])
	return sb.String(), nil
}

// tokenHash returns the SHA-256 of a well-formed token, or nil.
func tokenHash(tok string) []byte {
	if len(tok) != TokenLen {
		return nil
	}
	for i := 0; i < len(tok); i++ {
		if strings.IndexByte(crockford, tok[i]) < 0 {
			return nil
		}
	}
	h := sha256.Sum256([]byte(tok))
	return h[:]
}

// Create makes a pairing for an account through q (so that the caller can
// audit it in the same transaction) and returns it with its token, which
// is shown once and kept only hashed.
func (h *Hub) Create(ctx context.Context, q *store.Queries, accountID int64) (store.Pairing, string, error) {
	tok, err := newToken(h.cfg.Rand)
	if err != nil {
		return store.Pairing{}, "", err
	}
	now := h.cfg.Now()
	p, err := q.CreatePairing(ctx, store.Pairing{TokenHash: tokenHash(tok), AccountID: accountID,
		CreatedAt: now, ExpiresAt: now.Add(h.cfg.TTL)})
	if err != nil {
		return store.Pairing{}, "", err
	}
	return p, tok, nil
}

// live checks that p has not expired.
func (h *Hub) live(p store.Pairing) error {
	if !h.cfg.Now().Before(p.ExpiresAt) {
		return fmt.Errorf("%w at %s", ErrExpired, p.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// Find returns the live pairing of a token. The error matches ErrNotFound
// or ErrExpired.
func (h *Hub) Find(ctx context.Context, token string) (store.Pairing, error) {
	th := tokenHash(token)
	if th == nil {
		return store.Pairing{}, ErrNotFound
	}
	p, err := h.store.PairingByTokenHash(ctx, th)
	if errors.Is(err, store.ErrNotFound) {
		return store.Pairing{}, ErrNotFound
	}
	if err != nil {
		return store.Pairing{}, err
	}
	return p, h.live(p)
}

// Pairing returns the live pairing with the given id, if it belongs to
// accountID. The error matches ErrNotFound or ErrExpired.
func (h *Hub) Pairing(ctx context.Context, id, accountID int64) (store.Pairing, error) {
	p, err := h.store.Pairing(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && p.AccountID != accountID {
		return store.Pairing{}, ErrNotFound
	}
	if err != nil {
		return store.Pairing{}, err
	}
	return p, h.live(p)
}

// Hello records that the phone holding token opened its page; the first
// time, the desktop gets a "paired" message. first reports that.
func (h *Hub) Hello(ctx context.Context, token string) (p store.Pairing, first bool, err error) {
	p, err = h.Find(ctx, token)
	if err != nil {
		return p, false, err
	}
	now := h.cfg.Now()
	first, err = h.store.MarkPaired(ctx, p.ID, now)
	if err != nil || !first {
		return p, first, err
	}
	e, err := h.store.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID, Kind: kindPaired, At: now})
	if err != nil {
		return p, first, err
	}
	h.publish(e)
	return p, true, nil
}

// Request hands the request URL a phone read to the desktop of the pairing
// that token names. The URL must be a terminal's request URL
// (airgap.ParseRequestURL) holding a request bundle; the desktop receives
// its normalized (upper-case) form. The error matches ErrNotFound,
// ErrExpired or ErrRequest.
func (h *Hub) Request(ctx context.Context, token, requestURL string) (store.Pairing, string, error) {
	norm, err := CheckRequestURL(requestURL)
	if err != nil {
		return store.Pairing{}, "", err
	}
	p, err := h.Find(ctx, token)
	if err != nil {
		return p, "", err
	}
	e, err := h.store.AddPairingEvent(ctx, store.PairingEvent{PairingID: p.ID, Kind: kindRequest, Payload: norm, At: h.cfg.Now()})
	if err != nil {
		return p, "", err
	}
	h.publish(e)
	return p, norm, nil
}

// CheckRequestURL returns the normalized form of a terminal's request URL,
// or an error matching ErrRequest that says what is wrong.
func CheckRequestURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > store.MaxPairingPayload {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrRequest, store.MaxPairingPayload)
	}
	portal, raw, err := airgap.ParseRequestURL(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrRequest, err)
	}
	if _, err := codec.DecodeRequestBundle(raw); err != nil {
		return "", fmt.Errorf("%w: %w", ErrRequest, err)
	}
	norm, err := airgap.RequestURL(portal, raw)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrRequest, err)
	}
	return norm, nil
}

// sub is one desktop websocket waiting on a pairing.
type sub struct {
	pairing store.Pairing
	c       chan Message // closed by the hub after "expired" or on Close
	mu      sync.Mutex
	seen    map[int64]bool
	// polled is the highest event id read from the store for this
	// subscriber; events published here may be newer, so they do not move
	// it, and seen keeps them from being sent twice.
	polled int64
	done   bool
}

// mark records that event id is being delivered; false when it was before.
func (s *sub) mark(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[id] {
		return false
	}
	s.seen[id] = true
	return true
}

// advance moves the store cursor past id.
func (s *sub) advance(id int64) {
	s.mu.Lock()
	s.polled = max(s.polled, id)
	s.mu.Unlock()
}

// offer queues m unless it was offered before. A subscriber too slow to
// keep up is dropped: its websocket closes and the page reconnects with
// ?after=.
func (s *sub) offer(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done || m.ID != 0 && s.seen[m.ID] {
		return true
	}
	if m.ID != 0 {
		s.seen[m.ID] = true
	}
	select {
	case s.c <- m:
		return true
	default:
		s.done = true
		close(s.c)
		return false
	}
}

// end sends m (if not zero) and closes the subscriber's channel.
func (s *sub) end(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return
	}
	if m.Type != "" {
		select {
		case s.c <- m:
		default:
		}
	}
	s.done = true
	close(s.c)
}

func (h *Hub) subscribe(p store.Pairing, after int64) (*sub, error) {
	s := &sub{pairing: p, c: make(chan Message, 64), seen: map[int64]bool{}, polled: after}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	m := h.subs[p.ID]
	if m == nil {
		m = map[*sub]struct{}{}
		h.subs[p.ID] = m
	}
	m[s] = struct{}{}
	return s, nil
}

func (h *Hub) unsubscribe(s *sub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.subs[s.pairing.ID]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.pairing.ID)
		}
	}
	s.end(Message{})
}

// subscribers returns the subscribers of a pairing (all when id is 0).
func (h *Hub) subscribers(id int64) []*sub {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*sub
	for pid, m := range h.subs {
		if id != 0 && pid != id {
			continue
		}
		for s := range m {
			out = append(out, s)
		}
	}
	return out
}

// publish pushes an event recorded on this server to its subscribers here.
func (h *Hub) publish(e store.PairingEvent) {
	for _, s := range h.subscribers(e.PairingID) {
		s.offer(messageOf(e))
	}
}

// Subscribers returns the number of websockets this hub holds.
func (h *Hub) Subscribers() int { return len(h.subscribers(0)) }

// Sweep ends the websockets of expired pairings with an "expired" message
// and delivers events that other servers recorded since the last sweep.
// Run calls it every Config.Poll; tests call it after moving their clock.
func (h *Hub) Sweep(ctx context.Context) error {
	now := h.cfg.Now()
	byPairing := map[int64][]*sub{}
	for _, s := range h.subscribers(0) {
		byPairing[s.pairing.ID] = append(byPairing[s.pairing.ID], s)
	}
	var errs []error
	for id, subs := range byPairing {
		if !now.Before(subs[0].pairing.ExpiresAt) {
			for _, s := range subs {
				s.end(Message{Type: kindExpired, At: subs[0].pairing.ExpiresAt})
			}
			continue
		}
		after := subs[0].cursor()
		for _, s := range subs[1:] {
			after = min(after, s.cursor())
		}
		evs, err := h.store.PairingEvents(ctx, id, after, store.MaxLimit)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range evs {
			for _, s := range subs {
				s.offer(messageOf(e))
				s.advance(e.ID)
			}
		}
	}
	return errors.Join(errs...)
}

func (s *sub) cursor() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polled
}

// Run sweeps every Config.Poll until ctx is done, then closes the hub.
func (h *Hub) Run(ctx context.Context) {
	t := time.NewTicker(h.cfg.Poll)
	defer t.Stop()
	defer h.Close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.Sweep(ctx); err != nil && ctx.Err() == nil {
				h.cfg.Log.Warn("pairing sweep", "err", err)
			}
		}
	}
}

// Close ends every websocket of the hub (the server is shutting down);
// pages reconnect to another server or after the restart.
func (h *Hub) Close() {
	h.mu.Lock()
	h.closed = true
	var all []*sub
	for _, m := range h.subs {
		for s := range m {
			all = append(all, s)
		}
	}
	h.subs = map[int64]map[*sub]struct{}{}
	h.mu.Unlock()
	for _, s := range all {
		s.end(Message{})
	}
}

// Serve turns the request into the desktop's websocket for pairing p and
// pushes its messages until the pairing expires, the page goes away or the
// hub closes: first the recorded events after the id after (those the page
// has not seen), then each new one as it comes.
//
// The caller has authenticated the request, checked that p belongs to the
// caller and is live, and checked the Origin header: Serve accepts the
// websocket from any origin.
func (h *Hub) Serve(w http.ResponseWriter, r *http.Request, p store.Pairing, after int64) error {
	// A websocket outlives the server's read and write timeouts, which
	// were set on the connection before the handler ran.
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Time{})
	rc.SetWriteDeadline(time.Time{})
	s, err := h.subscribe(p, after)
	if err != nil {
		return err
	}
	defer h.unsubscribe(s)
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return err
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())

	backlog, err := h.store.PairingEvents(ctx, p.ID, after, store.MaxLimit)
	if err != nil {
		c.Close(websocket.StatusInternalError, "reading the pairing's events")
		return err
	}
	for _, e := range backlog {
		s.advance(e.ID)
		if s.mark(e.ID) {
			if err := h.write(ctx, c, messageOf(e)); err != nil {
				return nil
			}
		}
	}
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case m, ok := <-s.c:
			if !ok {
				c.Close(websocket.StatusGoingAway, "the server is going away or the page is too slow; reconnect")
				return nil
			}
			if err := h.write(ctx, c, m); err != nil {
				return nil
			}
			if m.Type == kindExpired {
				c.Close(websocket.StatusNormalClosure, "the pairing has expired")
				return nil
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
			err := c.Ping(pctx)
			cancel()
			if err != nil {
				return nil
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (h *Hub) write(ctx context.Context, c *websocket.Conn, m Message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, h.cfg.WriteTimeout)
	defer cancel()
	return c.Write(wctx, websocket.MessageText, b)
}
