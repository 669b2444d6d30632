package agent

import (
	"errors"
	"fmt"

	"licet.dev/licet/internal/hint"
)

// Outcomes callers branch on. Errors of this package match one of them with
// errors.Is where it applies.
var (
	// ErrNoLicense means the terminal holds no license.
	ErrNoLicense = errors.New("agent: no license held")
	// ErrWrongMachine means a license, or the state directory, belongs to
	// another machine.
	ErrWrongMachine = errors.New("agent: wrong machine")
	// ErrWrongProduct means a license is for another product than the one
	// the terminal asked for or holds.
	ErrWrongProduct = errors.New("agent: wrong product")
	// ErrExpired means a license ended, grace included, by the trusted time.
	ErrExpired = errors.New("agent: license expired")
	// ErrNotYetValid means a license starts later than the trusted time.
	ErrNotYetValid = errors.New("agent: license not yet valid")
	// ErrUntrusted means a license is not signed by a trusted root, or no
	// root is configured.
	ErrUntrusted = errors.New("agent: untrusted license")
	// ErrInvalid means a license's signature or chain does not verify, or
	// the file is not a license a terminal can hold.
	ErrInvalid = errors.New("agent: invalid license")
	// ErrNoRequest means a license answers a request that this terminal
	// did not make or has already used.
	ErrNoRequest = errors.New("agent: no matching request")
	// ErrReleased means a license was given up with `licetd release` and
	// cannot be imported again.
	ErrReleased = errors.New("agent: license released")
	// ErrStateDamaged means the state directory is corrupt, was edited, or
	// was copied from another machine; it is reported, never used.
	ErrStateDamaged = errors.New("agent: state damaged")
	// ErrClockTurnedBack means the clock is behind the trusted time by more
	// than the tolerance.
	ErrClockTurnedBack = errors.New("agent: clock turned back")
)

// hintf wraps sentinel with a message and the next step for people.
func hintf(sentinel error, next, format string, args ...any) error {
	return hint.Wrap(fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)), next)
}

// Hint returns the next step a person should take about err, or "": the
// hint of the first error in its chain that has a Hint() string method,
// as every error of this package that has an obvious next step does.
func Hint(err error) string { return hint.Of(err) }

// multiError is an error with its own message that matches several others.
type multiError struct {
	msg  string
	errs []error
}

func (e *multiError) Error() string   { return e.msg }
func (e *multiError) Unwrap() []error { return e.errs }
