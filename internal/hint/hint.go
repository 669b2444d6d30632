// Package hint attaches to an error the next step a person should take
// about it, which command lines print on a line of their own ("hint: ...")
// and HTTP answers send beside the problem.
//
// An error carries a hint when it, or an error it wraps, has a method
// Hint() string; Wrap makes such errors, and packages outside this module
// may define their own.
package hint

import "errors"

// Wrap returns err with the hint text; nil stays nil. The result's
// message and chain are err's.
func Wrap(err error, text string) error {
	if err == nil {
		return nil
	}
	return &hinted{err: err, hint: text}
}

// Of returns the hint of the first error in err's chain that has one, or
// "".
func Of(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

type hinted struct {
	err  error
	hint string
}

func (e *hinted) Error() string { return e.err.Error() }
func (e *hinted) Unwrap() error { return e.err }
func (e *hinted) Hint() string  { return e.hint }
