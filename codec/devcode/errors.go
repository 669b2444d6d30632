package devcode

import (
	"errors"
	"fmt"
)

// SyntaxError reports a character that is not part of any code.
type SyntaxError struct {
	Pos  int  // 1-based position of the character in the input, counting every character typed
	Char rune // the character as typed
}

func (e *SyntaxError) Error() string {
	if e.Char == 'U' || e.Char == 'u' {
		return fmt.Sprintf("devcode: character %d is %q; codes never use U (did you mean V?)", e.Pos, e.Char)
	}
	return fmt.Sprintf("devcode: character %d is %q, which is not in the code alphabet 0-9 A-Z without I L O U", e.Pos, e.Char)
}

// LengthError reports input with the wrong number of code characters
// (separators not counted).
type LengthError struct {
	Got, Want int
}

func (e *LengthError) Error() string {
	if e.Got == 1 {
		return fmt.Sprintf("devcode: 1 character, want %d", e.Want)
	}
	return fmt.Sprintf("devcode: %d characters, want %d", e.Got, e.Want)
}

// ErrUncorrectable is the outcome of a code with more than one wrong
// character in one check block: the check characters do not match and no
// single correction makes them match. Errors returned for it are
// *CheckError values that match ErrUncorrectable with errors.Is.
var ErrUncorrectable = errors.New("devcode: more than one character is wrong; the code cannot be corrected")

// CheckError reports the block of characters whose check failed.
// errors.Is(err, ErrUncorrectable) holds for it.
type CheckError struct {
	First, Last int // 1-based positions of the block's first and last characters
	whole       bool
}

func (e *CheckError) Error() string {
	if e.whole {
		return "devcode: check failed: more than one character is wrong, the code cannot be corrected"
	}
	return fmt.Sprintf("devcode: check failed for characters %d-%d: more than one of them is wrong, the code cannot be corrected", e.First, e.Last)
}

// Is reports whether target is ErrUncorrectable.
func (e *CheckError) Is(target error) bool { return target == ErrUncorrectable }

// ErrVersion is the outcome of a code that checks but carries a format
// version this package does not know.
var ErrVersion = errors.New("devcode: unsupported format version")

// ErrNeedsCorrection is returned by UnmarshalText for text that Parse would
// accept only after correcting a character: text carried by machines is
// never repaired silently.
var ErrNeedsCorrection = errors.New("devcode: code has a wrong character")

// ErrorKind classifies an error returned by this package with a stable
// identifier, as used in the test vectors and in JSON output:
// "syntax", "length", "uncorrectable", "version", "needs-correction",
// or "" for nil and errors from elsewhere.
func ErrorKind(err error) string {
	var se *SyntaxError
	var le *LengthError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &se):
		return "syntax"
	case errors.As(err, &le):
		return "length"
	case errors.Is(err, ErrUncorrectable):
		return "uncorrectable"
	case errors.Is(err, ErrVersion):
		return "version"
	case errors.Is(err, ErrNeedsCorrection):
		return "needs-correction"
	}
	return ""
}
