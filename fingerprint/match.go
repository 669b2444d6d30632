package fingerprint

import (
	"fmt"
	"strings"
)

// Policy decides how much of a birth record must still be present. Its
// values and names are those of codec.MatchPolicy, the policy a license
// names.
type Policy uint8

// Policies. The zero value is Fuzzy, the default.
const (
	// Fuzzy requires every anchor of the birth record (machine-id, DMI,
	// TPM) and at least half of its NICs and disks, rounded up but always
	// allowing one of them to be replaced. Unless the birth record has no
	// hardware component at all, at least one hardware component (DMI,
	// TPM, NIC, disk) must match: a machine-id alone is never enough,
	// since images copy it.
	Fuzzy Policy = iota
	// Exact requires every component of the birth record, the CPU model
	// included. Components that appeared since are allowed.
	Exact
	// Loose requires at least half of the anchors, NICs and disks of the
	// birth record counted together, and like Fuzzy at least one hardware
	// component. It tolerates an OS reinstall (new machine-id) or a
	// mainboard repair on a machine with several parts.
	Loose
)

var policyNames = [...]string{Fuzzy: "fuzzy", Exact: "exact", Loose: "loose"}

// String returns "fuzzy", "exact" or "loose".
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// ParsePolicy parses "exact", "fuzzy" or "loose"; "" means Fuzzy.
func ParsePolicy(s string) (Policy, error) {
	if s == "" {
		return Fuzzy, nil
	}
	for i, n := range policyNames {
		if n == s {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("fingerprint: unknown match policy %q (want exact, fuzzy or loose)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (p Policy) MarshalText() ([]byte, error) {
	if int(p) >= len(policyNames) {
		return nil, fmt.Errorf("fingerprint: unknown match policy %d", uint8(p))
	}
	return []byte(policyNames[p]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Policy) UnmarshalText(b []byte) error {
	q, err := ParsePolicy(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// Status is the outcome for one component.
type Status uint8

// Component outcomes.
const (
	Matched Status = iota + 1 // in the birth record and present now
	Missing                   // in the birth record, not present now
	Added                     // present now, not in the birth record
)

// String returns "matched", "missing" or "added".
func (s Status) String() string {
	switch s {
	case Matched:
		return "matched"
	case Missing:
		return "missing"
	case Added:
		return "added"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Line explains one component.
type Line struct {
	Kind   Kind
	Class  Class
	Hash   Hash
	Status Status
	Source string // where it was read now ("" when missing or unknown)
	Note   string // extra detail, such as why a source is unreadable now
}

// String returns one aligned line such as
// "matched  nic                 3fa2b1c0  sys/class/net/eth0/address".
func (l Line) String() string {
	s := fmt.Sprintf("%-8s %-19s %s", l.Status, l.Kind, l.Hash.Short())
	if l.Source != "" {
		s += "  " + l.Source
	}
	if l.Note != "" {
		s += "  (" + l.Note + ")"
	}
	return s
}

// Tally counts the components of one class in the birth record.
type Tally struct {
	Matched, Total int
}

// Result is the outcome of Match, with its explanation.
type Result struct {
	OK          bool
	Policy      Policy
	Anchors     Tally // machine-id, DMI, TPM
	Replaceable Tally // NICs, disks
	// Need is how many components the policy required: NICs and disks for
	// Fuzzy, anchors plus NICs and disks for Loose, everything for Exact.
	Need    int
	Lines   []Line // birth record components in order, then added ones
	Summary string // one line: "match (fuzzy): anchors 3/3, nic+disk 1/2 (need 1)"
}

// String returns the summary followed by one indented line per component.
func (r *Result) String() string {
	var b strings.Builder
	b.WriteString(r.Summary)
	for _, l := range r.Lines {
		b.WriteString("\n  ")
		b.WriteString(l.String())
	}
	return b.String()
}

// Match compares a birth record with the components a machine shows now.
// A nil or empty record on either side never matches.
func Match(birth, now *Record, p Policy) *Result {
	return match(birth, now, nil, p)
}

// Match compares a birth record with the snapshot under policy p. Unlike
// the package-level Match, the explanation names where each component was
// read and why a missing component's source is unreadable now.
func (s *Snapshot) Match(birth *Record, p Policy) *Result {
	now := &Record{}
	for _, o := range s.Components {
		now.Components = append(now.Components, o.Component)
	}
	return match(birth, now, s, p)
}

func match(birth, now *Record, snap *Snapshot, p Policy) *Result {
	r := &Result{Policy: p}
	if birth == nil || len(birth.Components) == 0 {
		r.Summary = fmt.Sprintf("no match (%s): the birth record is empty", p)
		return r
	}
	var nowCs []Component
	if now != nil {
		nowCs = now.Components
	}
	present := make(map[Component]bool, len(nowCs))
	for _, c := range nowCs {
		present[c] = true
	}
	inBirth := make(map[Component]bool, len(birth.Components))
	var missingAnchors, missingAll []string
	birthHW, matchedHW := false, false
	for _, c := range birth.Components {
		inBirth[c] = true
		l := Line{Kind: c.Kind, Class: c.Kind.Class(), Hash: c.Hash, Status: Missing}
		if present[c] {
			l.Status = Matched
			l.Source = sourceOf(snap, c)
		} else {
			l.Note = unreadableNote(snap, c.Kind)
			missingAll = append(missingAll, c.Kind.String())
		}
		r.Lines = append(r.Lines, l)
		if c.Kind.hardware() {
			birthHW = true
			matchedHW = matchedHW || l.Status == Matched
		}
		var t *Tally
		switch c.Kind.Class() {
		case Anchor:
			t = &r.Anchors
			if l.Status == Missing {
				missingAnchors = append(missingAnchors, c.Kind.String())
			}
		case Replaceable:
			t = &r.Replaceable
		}
		if t != nil {
			t.Total++
			if l.Status == Matched {
				t.Matched++
			}
		}
	}
	for _, c := range nowCs {
		if !inBirth[c] {
			r.Lines = append(r.Lines, Line{Kind: c.Kind, Class: c.Kind.Class(), Hash: c.Hash, Status: Added, Source: sourceOf(snap, c)})
		}
	}

	if birth.Instance() || (now != nil && now.Instance()) {
		return matchInstance(r, birth, now)
	}

	var why []string
	counts := fmt.Sprintf("anchors %d/%d, nic+disk %d/%d", r.Anchors.Matched, r.Anchors.Total, r.Replaceable.Matched, r.Replaceable.Total)
	switch p {
	case Exact:
		r.Need = len(birth.Components)
		if len(missingAll) > 0 {
			why = append(why, "missing "+strings.Join(missingAll, ", "))
		}
	case Loose:
		total := r.Anchors.Total + r.Replaceable.Total
		r.Need = (total + 1) / 2
		if total == 0 {
			why = append(why, "the birth record has no identifying component")
		} else if got := r.Anchors.Matched + r.Replaceable.Matched; got < r.Need {
			why = append(why, fmt.Sprintf("%d of %d identifying components, need %d", got, total, r.Need))
		}
		counts += fmt.Sprintf(" (need %d together)", r.Need)
	default: // Fuzzy
		n := r.Replaceable.Total
		r.Need = min((n+1)/2, max(n-1, 0))
		if len(missingAnchors) > 0 {
			why = append(why, "anchor missing: "+strings.Join(missingAnchors, ", "))
		}
		if r.Replaceable.Matched < r.Need {
			why = append(why, fmt.Sprintf("nic+disk %d of %d, need %d", r.Replaceable.Matched, n, r.Need))
		}
		counts += fmt.Sprintf(" (need %d)", r.Need)
		if r.Anchors.Total+r.Replaceable.Total == 0 {
			why = append(why, "the birth record has no identifying component")
		}
	}
	if p != Exact && birthHW && !matchedHW {
		why = append(why, "no hardware component matched")
	}
	r.OK = len(why) == 0 && p <= Loose
	if p > Loose {
		why = append(why, "unknown policy")
	}
	if r.OK {
		r.Summary = fmt.Sprintf("match (%s): %s", p, counts)
	} else {
		r.Summary = fmt.Sprintf("no match (%s): %s; %s", p, strings.Join(why, "; "), counts)
	}
	return r
}

func matchInstance(r *Result, birth, now *Record) *Result {
	r.Need = 1
	switch {
	case !birth.Instance():
		r.Summary = fmt.Sprintf("no match (%s): bound to hardware, but this machine uses an instance id", r.Policy)
	case now == nil || !now.Instance():
		r.Summary = fmt.Sprintf("no match (%s): bound to an instance id, but this machine shows hardware", r.Policy)
	case birth.Components[0] != now.Components[0]:
		r.Summary = fmt.Sprintf("no match (%s): the instance id differs", r.Policy)
	default:
		r.OK = true
		r.Summary = fmt.Sprintf("match (%s): the instance id is the same", r.Policy)
	}
	return r
}

func sourceOf(s *Snapshot, c Component) string {
	if s == nil {
		return ""
	}
	for _, o := range s.Components {
		if o.Component == c {
			return o.Source
		}
	}
	return ""
}

// unreadableNote explains a missing component whose kind could not be read
// now, which tells "changed" from "hidden" (a non-root reader, say).
func unreadableNote(s *Snapshot, k Kind) string {
	if s == nil {
		return ""
	}
	for _, sk := range s.Skipped {
		if sk.Kind == k || (k.dmi() && sk.Kind == KindProductUUID && sk.Source == "sys/class/dmi/id") {
			return "not readable now: " + sk.Source + ": " + sk.Err.Error()
		}
	}
	return ""
}
