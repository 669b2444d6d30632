package store

import (
	"context"
	"fmt"
	"time"
)

// Pairing links a signed-in desktop page with a phone for a short while:
// the phone holds a random token (the store keeps only its hash) and posts
// what it scans; the desktop receives it as events.
type Pairing struct {
	ID        int64     `json:"id"`
	TokenHash []byte    `json:"-"`
	AccountID int64     `json:"account_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// PairedAt is when a phone first announced itself; zero until then.
	PairedAt time.Time `json:"paired_at,omitzero"`
}

// PairingEvent is one message for the desktop of a pairing.
type PairingEvent struct {
	ID        int64     `json:"id"`
	PairingID int64     `json:"pairing_id"`
	Kind      string    `json:"kind"`
	Payload   string    `json:"payload"`
	At        time.Time `json:"at"`
}

// MaxPairingPayload bounds an event's payload, in bytes.
const MaxPairingPayload = 4 << 10

const pairingCols = `id, token_hash, account_id, created_at, expires_at, paired_at`

func scanPairing(r scanner, p *Pairing) error {
	return r.Scan(&p.ID, &p.TokenHash, &p.AccountID, tcol(&p.CreatedAt), tcol(&p.ExpiresAt), tcol(&p.PairedAt))
}

// CreatePairing stores a new pairing; ID and PairedAt are ignored. A
// missing account is ErrNotFound, a known token hash ErrConflict.
func (q *Queries) CreatePairing(ctx context.Context, p Pairing) (Pairing, error) {
	switch {
	case len(p.TokenHash) == 0 || len(p.TokenHash) > 64:
		return Pairing{}, fmt.Errorf("store: create pairing: token hash must be 1 to 64 bytes: %w", ErrInvalid)
	case p.CreatedAt.IsZero() || !norm(p.ExpiresAt).After(norm(p.CreatedAt)):
		return Pairing{}, fmt.Errorf("store: create pairing: creation time and a later expiry are required: %w", ErrInvalid)
	}
	var out Pairing
	err := scanPairing(q.row(ctx, true, `INSERT INTO pairings (token_hash, account_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4) RETURNING `+pairingCols, p.TokenHash, p.AccountID, q.t(p.CreatedAt), q.t(p.ExpiresAt)), &out)
	if err != nil {
		return Pairing{}, fmt.Errorf("store: create pairing for account %d: %w", p.AccountID, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// Pairing returns the pairing with the given id, expired or not.
func (q *Queries) Pairing(ctx context.Context, id int64) (Pairing, error) {
	var p Pairing
	if err := scanPairing(q.row(ctx, false, `SELECT `+pairingCols+` FROM pairings WHERE id = $1`, id), &p); err != nil {
		return Pairing{}, fmt.Errorf("store: pairing %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return p, nil
}

// PairingByTokenHash returns the pairing whose token has the given hash,
// expired or not: the caller judges.
func (q *Queries) PairingByTokenHash(ctx context.Context, hash []byte) (Pairing, error) {
	var p Pairing
	if err := scanPairing(q.row(ctx, false, `SELECT `+pairingCols+` FROM pairings WHERE token_hash = $1`, hash), &p); err != nil {
		return Pairing{}, fmt.Errorf("store: pairing by token: %w", q.s.classify(err, ErrNotFound))
	}
	return p, nil
}

// MarkPaired records that a phone announced itself at time at, keeping the
// first such time; first reports whether this was the first.
func (q *Queries) MarkPaired(ctx context.Context, id int64, at time.Time) (first bool, err error) {
	res, err := q.exec(ctx, `UPDATE pairings SET paired_at = $2 WHERE id = $1 AND paired_at IS NULL`, id, q.t(at))
	if err != nil {
		return false, fmt.Errorf("store: mark pairing %d paired: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: mark pairing %d paired: %w", id, err)
	}
	if n == 0 {
		if _, err := q.Pairing(ctx, id); err != nil {
			return false, fmt.Errorf("store: mark pairing %d paired: %w", id, err)
		}
	}
	return n == 1, nil
}

// AddPairingEvent appends an event to a pairing; ID is ignored. A missing
// pairing is ErrNotFound.
func (q *Queries) AddPairingEvent(ctx context.Context, e PairingEvent) (PairingEvent, error) {
	switch {
	case e.Kind == "" || len(e.Kind) > 32:
		return PairingEvent{}, fmt.Errorf("store: add pairing event: kind must be 1 to 32 bytes: %w", ErrInvalid)
	case len(e.Payload) > MaxPairingPayload:
		return PairingEvent{}, fmt.Errorf("store: add pairing event: payload longer than %d bytes: %w", MaxPairingPayload, ErrInvalid)
	case e.At.IsZero():
		return PairingEvent{}, fmt.Errorf("store: add pairing event: time is required: %w", ErrInvalid)
	}
	var out PairingEvent
	err := q.row(ctx, true, `INSERT INTO pairing_events (pairing_id, kind, payload, at) VALUES ($1, $2, $3, $4)
		RETURNING id, pairing_id, kind, payload, at`, e.PairingID, e.Kind, e.Payload, q.t(e.At)).
		Scan(&out.ID, &out.PairingID, &out.Kind, &out.Payload, tcol(&out.At))
	if err != nil {
		return PairingEvent{}, fmt.Errorf("store: add event to pairing %d: %w", e.PairingID, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// PairingEvents returns up to limit events of a pairing with ids above
// after, oldest first.
func (q *Queries) PairingEvents(ctx context.Context, pairingID, after int64, limit int) ([]PairingEvent, error) {
	if limit < 1 || limit > MaxLimit {
		return nil, fmt.Errorf("store: pairing events: limit %d: want 1 to %d: %w", limit, MaxLimit, ErrInvalid)
	}
	rows, err := q.rows(ctx, `SELECT id, pairing_id, kind, payload, at FROM pairing_events
		WHERE pairing_id = $1 AND id > $2 ORDER BY id LIMIT $3`, pairingID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: events of pairing %d: %w", pairingID, err)
	}
	defer rows.Close()
	out := []PairingEvent{}
	for rows.Next() {
		var e PairingEvent
		if err := rows.Scan(&e.ID, &e.PairingID, &e.Kind, &e.Payload, tcol(&e.At)); err != nil {
			return nil, fmt.Errorf("store: events of pairing %d: %w", pairingID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: events of pairing %d: %w", pairingID, err)
	}
	return out, nil
}

// DeleteExpiredPairings removes the pairings that expired before time
// before, with their events, and returns how many.
func (q *Queries) DeleteExpiredPairings(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := q.inTx(ctx, func(q *Queries) error {
		if _, err := q.exec(ctx, `DELETE FROM pairing_events WHERE pairing_id IN (SELECT id FROM pairings WHERE expires_at < $1)`,
			q.t(before)); err != nil {
			return err
		}
		res, err := q.exec(ctx, `DELETE FROM pairings WHERE expires_at < $1`, q.t(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: delete expired pairings: %w", err)
	}
	return n, nil
}
