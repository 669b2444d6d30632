package api

import (
	"encoding/json"
	"net/http"

	"licet.dev/licet/server/store"
)

// auditor writes the audit entries of one request through package auth:
// who (the principal), from where (client address and user agent), when
// (the clock).
type auditor struct {
	a *API
	r *http.Request
}

// log appends one entry through q, so that it commits with the change it
// records. detail must hold no secret.
func (au *auditor) log(q *store.Queries, action, target string, detail any) error {
	return au.a.auth.Record(au.r.Context(), q, au.r, action, target, detail)
}

// inTx runs fn in one transaction with an auditor for r.
func (a *API) inTx(r *http.Request, fn func(q *store.Queries, au *auditor) error) error {
	au := &auditor{a: a, r: r}
	return a.store.InTx(r.Context(), func(q *store.Queries) error { return fn(q, au) })
}

// auditEntry is an audit log line as the API shows it.
type auditEntry struct {
	ID        int64           `json:"id"`
	At        string          `json:"at" doc:"RFC 3339"`
	ActorID   int64           `json:"actor_id,omitempty"`
	Actor     string          `json:"actor" doc:"username, \"alice (token deploy)\", \"system\" or \"anonymous\""`
	Action    string          `json:"action" doc:"dotted verb such as order.create or login.failure"`
	Target    string          `json:"target,omitempty" doc:"object acted on, such as order:42"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	IP        string          `json:"ip,omitempty"`
	UserAgent string          `json:"user_agent,omitempty"`
}

func auditOf(e store.AuditEntry) auditEntry {
	return auditEntry{ID: e.ID, At: e.At.Format("2006-01-02T15:04:05.000000Z07:00"), ActorID: e.ActorID, Actor: e.Actor,
		Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP, UserAgent: e.UserAgent}
}

func (a *API) listAudit(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	f := store.AuditFilter{ListOptions: lo, Action: r.URL.Query().Get("action"),
		Target: r.URL.Query().Get("target"), Query: r.URL.Query().Get("q")}
	if f.ActorID, err = queryInt(r, "actor"); err != nil {
		return err
	}
	if f.Since, err = queryTime(r, "since"); err != nil {
		return err
	}
	if f.Until, err = queryTime(r, "until"); err != nil {
		return err
	}
	p, err := a.store.ListAudit(r.Context(), f)
	if err != nil {
		return storeErr(err, "audit entry")
	}
	return writeJSON(w, http.StatusOK, pageOf(p, auditOf))
}
