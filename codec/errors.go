package codec

import (
	"errors"
	"fmt"
)

// Decoding outcomes. Every decoding error matches ErrMalformed and, where it
// applies, one of the more precise sentinels below.
var (
	// ErrMalformed means the bytes are not an object of this format: not
	// well-formed CBOR, a field of the wrong type, a limit exceeded, or any
	// of the more precise decoding errors below.
	ErrMalformed = errors.New("codec: malformed")
	// ErrNonCanonical means the bytes decode but are not in the core
	// deterministic encoding (RFC 8949 section 4.2.1), or carry a field at
	// its zero value, which the encoding leaves out.
	ErrNonCanonical = errors.New("codec: not in deterministic encoding")
	// ErrUnknownField means the object carries a critical key (below 1000)
	// that this version does not know.
	ErrUnknownField = errors.New("codec: unknown critical field")
	// ErrVersion means the object has a format version this package does not
	// implement.
	ErrVersion = errors.New("codec: unsupported version")
	// ErrInvalid means the object decodes but breaks a rule of its format,
	// such as a seat count that does not fit its mode.
	ErrInvalid = errors.New("codec: invalid field")
)

// Verification outcomes. A *VerifyError wraps exactly one of them.
var (
	// ErrUntrustedKey means a signature is by a key that is neither a
	// trusted root nor the site key that the chain's order delegates to.
	ErrUntrustedKey = errors.New("codec: untrusted key")
	// ErrBadSignature means a signature, or one half of a hybrid signature,
	// does not verify.
	ErrBadSignature = errors.New("codec: bad signature")
	// ErrExpired means the verification instant is at or after an object's
	// not_after.
	ErrExpired = errors.New("codec: expired")
	// ErrNotYetValid means the verification instant is before an object's
	// not_before.
	ErrNotYetValid = errors.New("codec: not yet valid")
	// ErrDelegation means a site key signed something its order does not
	// allow: another order, more features, a longer window, the wrong kind
	// of object for the order's mode, or more seats.
	ErrDelegation = errors.New("codec: outside delegation")
	// ErrWrongProduct means an object signed under an order is for another
	// product than the order.
	ErrWrongProduct = errors.New("codec: wrong product")
	// ErrChain means the file's chain has the wrong shape: too long, an
	// object where an order must be, or an object that needs its order.
	ErrChain = errors.New("codec: bad chain")
)

// DecodeError describes why bytes did not decode as an object. It matches
// ErrMalformed and its Reason with errors.Is.
type DecodeError struct {
	What   string // the object or structure being decoded, such as "lease"
	Reason error  // ErrMalformed, ErrNonCanonical, ErrUnknownField, ErrVersion or ErrInvalid
	Detail string // what exactly was wrong
	Err    error  // the underlying error, if any
}

func (e *DecodeError) Error() string {
	s := "codec: " + e.What + ": " + e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrMalformed, the reason and the underlying error.
func (e *DecodeError) Unwrap() []error {
	errs := []error{ErrMalformed}
	if e.Reason != nil && e.Reason != ErrMalformed {
		errs = append(errs, e.Reason)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func decodeErr(what string, reason error, err error, format string, args ...any) error {
	return &DecodeError{What: what, Reason: reason, Detail: fmt.Sprintf(format, args...), Err: err}
}

// invalidf reports a broken rule of a format; validation returns it and the
// decoder wraps it in a DecodeError with reason ErrInvalid.
func invalidf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

// VerifyError says which link of a chain failed verification and why. It
// matches its Reason with errors.Is.
type VerifyError struct {
	Link   int    // index of the failing link in the chain, from 0 (the issuer end)
	Type   Type   // type of the failing object, if it decoded
	ID     ID     // id of the failing object, if it decoded
	Reason error  // one of the verification sentinels
	Detail string // what exactly was wrong
	Err    error  // the underlying error, if any
}

func (e *VerifyError) Error() string {
	s := fmt.Sprintf("codec: link %d", e.Link+1)
	if e.Type != 0 {
		s += " (" + e.Type.Name()
		if !e.ID.IsZero() {
			s += " " + e.ID.String()
		}
		s += ")"
	}
	s += ": " + e.Detail
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the reason and the underlying error.
func (e *VerifyError) Unwrap() []error {
	errs := []error{e.Reason}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}
