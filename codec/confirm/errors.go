package confirm

import (
	"errors"

	"licet.dev/licet/codec/devcode"
)

// Outcomes that callers branch on. Errors of this package match one of
// them, ErrKey, or one of the devcode input errors (*devcode.SyntaxError,
// *devcode.LengthError, devcode.ErrUncorrectable), which Parse passes on
// wrapped.
var (
	// ErrVersion means the code checks but carries a format version this
	// package does not know.
	ErrVersion = errors.New("confirm: unsupported format version")
	// ErrMalformed means the code checks but its signature cannot be one:
	// the response is not below the group order.
	ErrMalformed = errors.New("confirm: malformed code")
	// ErrNeedsCorrection is returned by UnmarshalText for text that Parse
	// would accept only after correcting characters.
	ErrNeedsCorrection = errors.New("confirm: code has a wrong character")
	// ErrNoKey means the order license names no confirmation key this
	// package can use.
	ErrNoKey = errors.New("confirm: no confirmation key")
	// ErrWrongKey means a private key is not the one the order names.
	ErrWrongKey = errors.New("confirm: not the order's confirmation key")
	// ErrWrongProduct means the device code is for another product than
	// the order.
	ErrWrongProduct = errors.New("confirm: wrong product")
	// ErrTerms means the order does not allow what the code would grant:
	// an end after the order's end, or a grant in a mode that hands out
	// leases.
	ErrTerms = errors.New("confirm: terms outside the order")
	// ErrBadSignature means the code does not verify for this order and
	// this device code: it was made for another terminal, another request
	// or another order, or it was mistyped in more places than the check
	// characters can tell.
	ErrBadSignature = errors.New("confirm: the code does not verify")
	// ErrExpired means a grant's end lies at or before the instant asked
	// about.
	ErrExpired = errors.New("confirm: grant expired")
)

// ErrorKind classifies an error of this package with a stable identifier,
// as used in the test vectors and in JSON output: "syntax", "length",
// "uncorrectable", "version", "malformed", "needs-correction", "key",
// "no-key", "wrong-key", "wrong-product", "terms", "bad-signature",
// "expired", or "" for nil and errors from elsewhere.
func ErrorKind(err error) string { return devcode.LayoutErrorKind(err, errorKinds) }

var errorKinds = []devcode.Kind{
	{Err: ErrVersion, Name: "version"},
	{Err: ErrMalformed, Name: "malformed"},
	{Err: ErrNeedsCorrection, Name: "needs-correction"},
	{Err: ErrNoKey, Name: "no-key"},
	{Err: ErrKey, Name: "key"},
	{Err: ErrWrongKey, Name: "wrong-key"},
	{Err: ErrWrongProduct, Name: "wrong-product"},
	{Err: ErrTerms, Name: "terms"},
	{Err: ErrBadSignature, Name: "bad-signature"},
	{Err: ErrExpired, Name: "expired"},
}
