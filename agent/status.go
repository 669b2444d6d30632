package agent

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/agent/state"
	"licet.dev/licet/fingerprint"
	"licet.dev/licet/internal/hint"
)

// Status checks the terminal now: the state, the license's signatures and
// binding, the clock and the expiry. It records the clock reading in the
// clock high-water mark. A terminal that is not licensed is not an error:
// Status.Licensed says so and Status.Reason says why.
//
// The license file (Config.LicenseFile) is brought in step: written while
// the terminal is licensed, removed otherwise.
func (a *Agent) Status() localapi.Status {
	now := a.cfg.Now()
	v := a.load(now)
	mark := a.advance(v, now)
	st := a.status(v, now, mark)
	if err := a.writeLicenseFile(v.licenseFile(&st)); err != nil {
		st.Warnings = append(st.Warnings, err.Error())
	}
	return st
}

// licenseFile returns what Config.LicenseFile and the local API's
// /v1/license give applications for a status judged on v: the license
// held, armoured, while it licenses the terminal; nil otherwise, and for a
// classical activation, which has no license file of its own.
func (v *view) licenseFile(st *localapi.Status) []byte {
	if !st.Licensed || v.held == nil || v.held.classical {
		return nil
	}
	return v.held.file.Armour()
}

// status judges a view at now, with the trusted time mark.
func (a *Agent) status(v *view, now, mark time.Time) localapi.Status {
	now = now.UTC()
	st := localapi.Status{
		Features:  map[string]string{},
		Warnings:  []string{},
		CheckedAt: now,
		Identity:  identityOf(v.snap),
	}
	tol := a.cfg.ClockTolerance
	st.Clock = localapi.Clock{Now: now, Tolerance: int64(tol / time.Second), Policy: a.cfg.ClockPolicy.String()}
	if !mark.IsZero() {
		st.Clock.TrustedTime = mark.UTC()
	}
	behind := mark.Sub(now)
	if behind > 0 {
		st.Clock.Behind = int64(behind / time.Second)
		st.Clock.TurnedBack = behind > tol
	}
	eff := later(now, mark)
	if v.clockErr != nil {
		st.Clock.Error = v.clockErr.Error()
	}
	if v.rec != nil {
		for _, q := range v.rec.Requests {
			if code, err := q.deviceCode(); err == nil {
				st.Pending = append(st.Pending, localapi.Pending{Product: q.Product, DeviceCode: code.String(), CreatedAt: time.Unix(q.Created, 0).UTC()})
			}
		}
	}
	if st.Identity.Weak {
		st.Warnings = append(st.Warnings, weakWarning(st.Identity.Missing))
	}
	fail := func(state string, err error) localapi.Status {
		st.Licensed, st.State, st.Reason = false, state, strings.TrimPrefix(err.Error(), "agent: ")
		st.Hint = hint.Of(err)
		return st
	}
	switch {
	case v.recErr != nil:
		if errors.Is(v.recErr, ErrWrongMachine) {
			return fail(localapi.StateWrongMachine, v.recErr)
		}
		return fail(localapi.StateDamaged, v.recErr)
	case v.clockErr != nil && errors.Is(v.clockErr, state.ErrWrongMachine):
		return fail(localapi.StateWrongMachine, a.stateErr(v.clockErr))
	case v.clockErr != nil:
		return fail(localapi.StateDamaged, a.stateErr(v.clockErr))
	case v.held == nil:
		return fail(localapi.StateUnlicensed, hint.Wrap(ErrNoLicense,
			"activate with 'licetd request --product ID', then 'licetd import FILE' with the license the vendor sends"))
	}
	x := v.held
	st.Product, st.ProductName = x.product, x.name
	st.Mode, st.Kind = x.mode(), x.kind()
	st.LicenseID = x.id.String()
	if x.classical {
		st.Classical = true
		st.Warnings = append(st.Warnings, "classical activation by confirmation code: its signature is not post-quantum; import the full license when it arrives")
	}
	if x.order != nil {
		st.Order = x.order.ID.String()
	}
	if x.verifyErr == nil {
		st.Signer = x.signer.String()
	}
	st.IssuedAt = timePtr(x.head.IssuedAt.Time())
	if x.head.NotBefore != 0 {
		st.NotBefore = timePtr(x.head.NotBefore.Time())
	}
	end := x.end()
	if !end.IsZero() {
		st.ExpiresAt = timePtr(end)
		left := max(end.Sub(eff), 0)
		days := int(left / (24 * time.Hour))
		st.DaysLeft = &days
		if x.grace > 0 {
			st.GraceEndsAt = timePtr(end.Add(x.grace))
		}
	}
	if x.lease != nil {
		st.RenewAfter = timePtr(x.lease.RenewAfter.Time())
	}
	st.Binding = bindingOf(x)

	switch {
	case x.verifyErr != nil && errors.Is(x.verifyErr, ErrUntrusted):
		return fail(localapi.StateUntrusted, x.verifyErr)
	case x.verifyErr != nil:
		return fail(localapi.StateInvalid, x.verifyErr)
	case x.bindErr != nil:
		return fail(localapi.StateWrongMachine, hint.Wrap(x.bindErr,
			"the license was made for another machine, or too many parts of this one changed; request a new license with 'licetd request'"))
	}
	if st.Clock.TurnedBack {
		msg := fmt.Sprintf("the system clock (%s) is %s behind the trusted time %s, more than the tolerance of %s",
			stamp(now), human(behind), stamp(mark), human(tol))
		if a.cfg.ClockPolicy == ClockDeny {
			return fail(localapi.StateClockBack, hint.Wrap(fmt.Errorf("%w: %s", ErrClockTurnedBack, msg),
				"set the system clock right (NTP, or date -s); the terminal is licensed again as soon as it is"))
		}
		st.Warnings = append(st.Warnings, msg+"; expiry is judged by the trusted time")
	}
	if s := x.start(); eff.Before(s) {
		return fail(localapi.StateNotYetValid, hint.Wrap(fmt.Errorf("%w: the license starts at %s", ErrNotYetValid, stamp(s)),
			"wait until the license starts, or check the system clock"))
	}
	state := localapi.StateLicensed
	if !end.IsZero() && !eff.Before(end) {
		if ge := end.Add(x.grace); !eff.Before(ge) {
			return fail(localapi.StateExpired, hint.Wrap(fmt.Errorf("%w: the license expired at %s", ErrExpired, stamp(end)),
				"ask the vendor or the site administrator for a new license, then 'licetd import FILE'"))
		}
		state = localapi.StateGrace
		st.Warnings = append(st.Warnings, fmt.Sprintf("the license expired at %s; the grace period ends at %s, in %s",
			stamp(end), stamp(end.Add(x.grace)), human(end.Add(x.grace).Sub(eff))))
	} else if !end.IsZero() && end.Sub(eff) < a.cfg.WarnBefore {
		st.Warnings = append(st.Warnings, fmt.Sprintf("the license expires in %s, at %s", human(end.Sub(eff)), stamp(end)))
	}
	if x.lease != nil && !eff.Before(x.lease.RenewAfter.Time()) {
		st.Warnings = append(st.Warnings, fmt.Sprintf("the lease is due for renewal since %s", stamp(x.lease.RenewAfter.Time())))
	}
	st.Licensed, st.State = true, state
	if len(x.features) > 0 {
		st.Features = maps.Clone(x.features)
	}
	return st
}

func identityOf(s *fingerprint.Snapshot) localapi.Identity {
	id := localapi.Identity{}
	if s == nil {
		return id
	}
	id.Weak, id.Components = s.Weak, len(s.Components)
	if s.Instance() {
		id.Weak = false
	} else {
		id.Missing = s.Missing
	}
	return id
}

func weakWarning(missing []string) string {
	msg := "weak identity: this machine shows too little identifying hardware to be told apart from its copies"
	if len(missing) > 0 {
		msg += " (missing: " + missing[0]
		if len(missing) > 1 {
			msg += fmt.Sprintf("; and %d more", len(missing)-1)
		}
		msg += ")"
	}
	return msg
}

func bindingOf(x *holding) *localapi.Binding {
	b := &localapi.Binding{Policy: x.binding.Policy.String(), Instance: x.binding.Instance}
	if len(x.binding.Digest) > 0 {
		b.Digest = fmt.Sprintf("%x", []byte(x.binding.Digest))
	}
	if x.match != nil {
		b.Match, b.Summary = x.match.OK && x.bindErr == nil, x.match.Summary
		for _, l := range x.match.Lines {
			b.Lines = append(b.Lines, l.String())
		}
	}
	if x.bindErr != nil && x.match == nil {
		b.Summary = "no match: " + x.bindErr.Error()
	}
	return b
}

func timePtr(t time.Time) *time.Time {
	t = t.UTC()
	return &t
}

// stamp formats an instant for people and logs.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// human formats a duration in the largest whole unit that fits: "3 days",
// "5 hours", "12 minutes", "40 seconds".
func human(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d >= 48*time.Hour:
		return plural(int64(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return plural(int64(d/time.Hour), "hour")
	case d >= 2*time.Minute:
		return plural(int64(d/time.Minute), "minute")
	}
	return plural(int64(d/time.Second), "second")
}
