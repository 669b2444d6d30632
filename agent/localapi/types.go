package localapi

import "time"

// States a terminal can be in (Status.State). Licensed is true exactly for
// StateLicensed and StateGrace.
const (
	StateLicensed     = "licensed"          // a valid license for this machine
	StateGrace        = "grace"             // expired, within the order's grace period: still licensed
	StateUnlicensed   = "unlicensed"        // no license held
	StateExpired      = "expired"           // past the end of the license and its grace
	StateNotYetValid  = "not-yet-valid"     // before the license's start
	StateWrongMachine = "wrong-machine"     // the license or the state belongs to another machine
	StateClockBack    = "clock-turned-back" // the clock is behind the trusted time beyond the tolerance
	StateUntrusted    = "untrusted"         // not signed by a trusted root, or no root configured
	StateInvalid      = "invalid"           // a signature or a chain rule does not hold
	StateDamaged      = "state-damaged"     // the state directory is corrupt or was edited
)

// Status is the answer to GET /v1/status: whether the terminal is licensed,
// for what, until when, and why not. Times are UTC in RFC 3339; fields that
// do not apply are left out, except those marked always present.
type Status struct {
	// Licensed is true when applications may run: State is "licensed" or
	// "grace". Always present.
	Licensed bool `json:"licensed"`
	// State is one of the State constants. Always present.
	State string `json:"state"`
	// Reason says in one sentence why the terminal is not licensed.
	Reason string `json:"reason,omitempty"`
	// Hint is the next step a person can take when not licensed.
	Hint string `json:"hint,omitempty"`
	// Product is the product's short numeric id; 0 when no license is held.
	// Always present.
	Product     uint16 `json:"product"`
	ProductName string `json:"product_name,omitempty"`
	// Features granted, name to value; empty when not licensed. Always
	// present.
	Features map[string]string `json:"features"`
	// Mode is the order's activation mode (permanent, periodic,
	// concurrent, unlimited, preactivation), or "standalone" for a license
	// the vendor signed directly.
	Mode string `json:"mode,omitempty"`
	// Kind is "device-license" or "lease".
	Kind string `json:"kind,omitempty"`
	// Classical is set when the terminal was activated with a typed
	// confirmation code: the license rests on a classical signature under
	// the order until the full, post-quantum signed license replaces it.
	Classical bool   `json:"classical,omitempty"`
	LicenseID string `json:"license_id,omitempty"`
	Order     string `json:"order,omitempty"`
	// Signer is the key id of the key that signed the license.
	Signer    string     `json:"signer,omitempty"`
	IssuedAt  *time.Time `json:"issued_at,omitempty"`
	NotBefore *time.Time `json:"not_before,omitempty"`
	// ExpiresAt is the license's end; null when it has none or no license
	// is held. Always present.
	ExpiresAt *time.Time `json:"expires_at"`
	// GraceEndsAt is when the grace period after ExpiresAt ends, when the
	// order grants one.
	GraceEndsAt *time.Time `json:"grace_ends_at,omitempty"`
	// RenewAfter is when a lease should be renewed.
	RenewAfter *time.Time `json:"renew_after,omitempty"`
	// DaysLeft is the number of whole days until ExpiresAt (0 on the last
	// day and in grace); null when there is no end. Always present.
	DaysLeft *int `json:"days_left"`
	// Warnings are sentences for people: expiry near, grace, renewal due,
	// clock behind, weak identity. Never null. Always present.
	Warnings []string `json:"warnings"`
	// Binding explains how the machine matches the license's birth record.
	Binding *Binding `json:"binding,omitempty"`
	// Clock reports the clock check. Always present.
	Clock Clock `json:"clock"`
	// Identity describes what the machine shows of itself. Always present.
	Identity Identity `json:"identity"`
	// Pending lists requests made with `licetd request` that no license
	// has answered yet.
	Pending []Pending `json:"pending_requests,omitempty"`
	// CheckedAt is the instant of the answer (the system clock). Always
	// present.
	CheckedAt time.Time `json:"checked_at"`
}

// Binding is the outcome of matching the machine against the birth record
// the license is bound to.
type Binding struct {
	Policy   string   `json:"policy"`             // exact, fuzzy or loose
	Match    bool     `json:"match"`              // the machine is the one the license was made for
	Digest   string   `json:"digest,omitempty"`   // the birth-record digest the license names (hex)
	Instance string   `json:"instance,omitempty"` // the instance id, in identity mode
	Summary  string   `json:"summary"`            // "match (fuzzy): anchors 4/4, nic+disk 3/4 (need 2)"
	Lines    []string `json:"lines,omitempty"`    // one line per component: matched, missing, added
}

// Clock reports the system clock against the trusted time: the latest of
// every clock reading and every signed issue time the terminal has seen.
type Clock struct {
	Now         time.Time `json:"now"`                   // the system clock
	TrustedTime time.Time `json:"trusted_time,omitzero"` // the high-water mark
	Behind      int64     `json:"behind_seconds"`        // how far Now is behind TrustedTime, 0 when not
	TurnedBack  bool      `json:"turned_back"`           // Behind exceeds the tolerance
	Tolerance   int64     `json:"tolerance_seconds"`     // allowed Behind
	Policy      string    `json:"policy"`                // deny or warn
	Error       string    `json:"error,omitempty"`       // the clock record cannot be read
}

// Identity is what the machine shows of itself.
type Identity struct {
	// Weak is set when the machine shows too little identifying hardware
	// to be told from its copies (a VM template, a CI runner).
	Weak bool `json:"weak"`
	// Missing names each source group that gave nothing, with why.
	Missing []string `json:"missing_sources,omitempty"`
	// Instance is set in identity mode (containers, cloud desktops).
	Instance string `json:"instance,omitempty"`
	// Components is the number of identifying components found.
	Components int `json:"components"`
}

// Pending is a request that waits for its license.
type Pending struct {
	Product    uint16    `json:"product"`
	DeviceCode string    `json:"device_code"`
	CreatedAt  time.Time `json:"created_at"`
}

// Feature is the answer to GET /v1/features/{name}.
type Feature struct {
	Name string `json:"name"`
	// Granted is true when the terminal is licensed and the license grants
	// the feature.
	Granted bool `json:"granted"`
	// Value is the feature's value in the license ("" when not granted).
	Value    string `json:"value,omitempty"`
	Licensed bool   `json:"licensed"`
	State    string `json:"state"`
	Reason   string `json:"reason,omitempty"`
}

// Problem is an error answer, in the shape of RFC 9457 problem details.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Code   string `json:"code"` // stable: not-found, method-not-allowed, no-license
	Detail string `json:"detail,omitempty"`
}

func (p *Problem) Error() string {
	s := "localapi: " + p.Code
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}
