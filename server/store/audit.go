package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one line of the audit log: who did what to which object,
// when and from where. The log is append-only: the database refuses updates
// and deletes of its rows.
type AuditEntry struct {
	ID int64     `json:"id"`
	At time.Time `json:"at"`
	// ActorID is the account that acted, 0 for none (the system, or an
	// anonymous request such as a failed login).
	ActorID int64 `json:"actor_id,omitempty"`
	// Actor names the actor as people read it: a username, "alice (token
	// deploy)", "system".
	Actor string `json:"actor"`
	// Action is a dotted verb such as "order.create" or "login.failure".
	Action string `json:"action"`
	// Target names the object acted on, such as "order:42"; may be empty.
	Target string `json:"target,omitempty"`
	// Detail is a JSON object with what else matters; never a secret.
	Detail    json.RawMessage `json:"detail,omitempty"`
	IP        string          `json:"ip,omitempty"`
	UserAgent string          `json:"user_agent,omitempty"`
}

// Limits on audit fields, in bytes; longer user agents are cut.
const (
	maxAuditText      = 200
	maxAuditUserAgent = 300
	maxAuditDetail    = 16 << 10
)

const auditCols = `id, at, actor_id, actor, action, target, detail, ip, user_agent`

func scanAudit(r scanner, e *AuditEntry) error {
	var actor *int64
	var detail string
	err := r.Scan(&e.ID, tcol(&e.At), &actor, &e.Actor, &e.Action, &e.Target, &detail, &e.IP, &e.UserAgent)
	if actor != nil {
		e.ActorID = *actor
	}
	e.Detail = json.RawMessage(detail)
	return err
}

// AppendAudit adds an entry (its ID is ignored) and returns it as stored.
func (q *Queries) AppendAudit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	switch {
	case e.At.IsZero() || e.Action == "" || e.Actor == "":
		return AuditEntry{}, fmt.Errorf("store: append audit: time, actor and action are required: %w", ErrInvalid)
	case len(e.Action) > maxAuditText || len(e.Actor) > maxAuditText || len(e.Target) > maxAuditText || len(e.IP) > maxAuditText:
		return AuditEntry{}, fmt.Errorf("store: append audit: actor, action, target and ip are limited to %d bytes: %w", maxAuditText, ErrInvalid)
	case len(e.Detail) > maxAuditDetail:
		return AuditEntry{}, fmt.Errorf("store: append audit: detail longer than %d bytes: %w", maxAuditDetail, ErrInvalid)
	}
	if len(e.UserAgent) > maxAuditUserAgent {
		e.UserAgent = e.UserAgent[:maxAuditUserAgent]
	}
	detail, err := jsonText("detail", e.Detail, "{}")
	if err != nil {
		return AuditEntry{}, fmt.Errorf("store: append audit: %w", err)
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	var out AuditEntry
	err = scanAudit(q.row(ctx, true, `INSERT INTO audit_log (at, actor_id, actor, action, target, detail, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING `+auditCols,
		q.t(e.At), actor, e.Actor, e.Action, e.Target, detail, e.IP, e.UserAgent), &out)
	if err != nil {
		return AuditEntry{}, fmt.Errorf("store: append audit %s: %w", e.Action, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	ListOptions
	ActorID int64
	// Action matches exactly, or every action under a prefix when it ends
	// in "." ("order." matches "order.create" and "order.revoke").
	Action string
	Target string
	// Query matches entries whose actor, action or target contains it.
	Query string
	// Since and Until bound the time: Since <= At < Until.
	Since, Until time.Time
}

// ListAudit returns audit entries, newest first.
func (q *Queries) ListAudit(ctx context.Context, f AuditFilter) (Page[AuditEntry], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[AuditEntry]{}, fmt.Errorf("store: list audit: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if f.ActorID != 0 {
		w.add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		if f.Action[len(f.Action)-1] == '.' {
			w.add(`action LIKE ? ESCAPE '\'`, likePattern(f.Action)[1:])
		} else {
			w.add("action = ?", f.Action)
		}
	}
	if f.Target != "" {
		w.add("target = ?", f.Target)
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(lower(actor) LIKE ? ESCAPE '\' OR lower(action) LIKE ? ESCAPE '\' OR lower(target) LIKE ? ESCAPE '\')`, p, p, p)
	}
	if !f.Since.IsZero() {
		w.add("at >= ?", q.t(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("at < ?", q.t(f.Until))
	}
	rows, err := q.rows(ctx, `SELECT `+auditCols+` FROM audit_log`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[AuditEntry]{}, fmt.Errorf("store: list audit: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := scanAudit(rows, &e); err != nil {
			return Page[AuditEntry]{}, fmt.Errorf("store: list audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return Page[AuditEntry]{}, fmt.Errorf("store: list audit: %w", err)
	}
	return finishPage(out, limit, func(e AuditEntry) int64 { return e.ID }), nil
}
