package confirm

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"filippo.io/bigmod"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
)

const (
	// Len is the number of characters of a confirmation code, hyphens not
	// counted: 16 groups of five.
	Len = 80

	// FormatVersion is the format version of the codes this package makes
	// and reads.
	FormatVersion = 1

	// DaysBits is the width of the day count; MaxDays is its largest value
	// (about 89 years).
	DaysBits = 15
	MaxDays  = 1<<DaysBits - 1

	// ChallengeSize and ResponseSize are the sizes of the signature's two
	// halves: the 112-bit challenge e and the P-224 scalar s.
	ChallengeSize = 14
	ResponseSize  = scalarSize

	// BinarySize is the size of MarshalBinary's encoding.
	BinarySize = 3 + ChallengeSize + ResponseSize

	versionBits = 4
)

// layout is three check blocks of 30, 25 and 25 characters: 71 data
// characters, 355 bits = 4 (version) + 15 (days) + 112 (e) + 224 (s).
var layout = devcode.NewLayout(30, 25, 25)

// Code is the content of a confirmation code.
type Code struct {
	// Version is the format version (4 bits); FormatVersion for every code
	// this package makes or accepts.
	Version uint8
	// Days says when the grant ends: that many days of 86,400 seconds
	// after the order's start (its not_before, or its issued_at when it has
	// none). Zero means the order's own end.
	Days uint16
	// Challenge and Response are the Schnorr signature (e, s), big-endian.
	Challenge [ChallengeSize]byte
	Response  [ResponseSize]byte
}

// check reports why c cannot be encoded or verified, if it cannot.
func (c *Code) check() error {
	switch {
	case c.Version != FormatVersion:
		return fmt.Errorf("%w %d (this reader knows version %d)", ErrVersion, c.Version, FormatVersion)
	case c.Days > MaxDays:
		return fmt.Errorf("%w: %d days do not fit in %d bits", ErrMalformed, c.Days, DaysBits)
	}
	if _, err := bigmod.NewNat().SetBytes(c.Response[:], groupOrder); err != nil {
		return fmt.Errorf("%w: the signature's response is not below the P-224 group order", ErrMalformed)
	}
	return nil
}

// String returns the canonical form of c: 80 upper-case characters in 16
// groups of five joined by hyphens. A Code that cannot be encoded (see
// AppendText) prints as "invalid confirmation code".
func (c Code) String() string {
	s, err := c.text()
	if err != nil {
		return "invalid confirmation code"
	}
	return s
}

func (c *Code) text() (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	var w devcode.BitWriter
	w.Uint(uint64(c.Version), versionBits)
	w.Uint(uint64(c.Days), DaysBits)
	w.Bytes(c.Challenge[:])
	w.Bytes(c.Response[:])
	return layout.Encode(&w)
}

// AppendText appends the canonical form of c to b. It fails when Version
// is not FormatVersion, Days exceeds MaxDays or Response is not below the
// group order.
func (c Code) AppendText(b []byte) ([]byte, error) {
	s, err := c.text()
	if err != nil {
		return b, err
	}
	return append(b, s...), nil
}

// MarshalText returns the canonical form of c; see AppendText.
func (c Code) MarshalText() ([]byte, error) { return c.AppendText(nil) }

// UnmarshalText sets c to the code in text. It accepts what Parse accepts
// except a code that needs a correction, for which it returns an error
// matching ErrNeedsCorrection. On error c is set to the zero Code.
func (c *Code) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err == nil && len(p.Corrections) > 0 {
		err = fmt.Errorf("%w: %v", ErrNeedsCorrection, p.Corrections[0])
	}
	if err != nil {
		*c = Code{}
		return err
	}
	*c = p.Code
	return nil
}

// MarshalBinary returns the 45-byte binary form of c: version, days
// (2 bytes, big-endian), challenge, response. It is what LicenseID and the
// release secret of a confirmed activation are computed from.
func (c Code) MarshalBinary() ([]byte, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, BinarySize)
	b = append(b, c.Version)
	b = binary.BigEndian.AppendUint16(b, c.Days)
	b = append(b, c.Challenge[:]...)
	return append(b, c.Response[:]...), nil
}

// LicenseID returns the id of the license that an activation by c
// carries: the first 16 bytes of
// SHA-256("licet confirmation license v1" 0x00 ‖ MarshalBinary). The
// terminal and the vendor compute the same id, so that a release code can
// name it. The zero ID is returned for a code that cannot be encoded.
func (c Code) LicenseID() codec.ID {
	b, err := c.MarshalBinary()
	if err != nil {
		return codec.ID{}
	}
	h := sha256.New()
	h.Write([]byte(labelLicense))
	h.Write(b)
	var id codec.ID
	copy(id[:], h.Sum(nil))
	return id
}

// Parsed is a confirmation code read from text.
type Parsed struct {
	Code Code
	// Canonical is the code's canonical form (after correction).
	Canonical string
	// Corrections lists the corrected characters, at most one in each of
	// the three check blocks; nil when the input was right.
	Corrections []devcode.Correction
}

// Corrected reports whether a character was corrected.
func (p Parsed) Corrected() bool { return len(p.Corrections) > 0 }

// Parse reads a confirmation code typed by a person, with the input rules
// of device codes: case and separators are ignored, O reads as 0 and I and
// L as 1, and one wrong character in each check block (characters 1-30,
// 31-55, 56-80) is corrected and reported.
//
// The error wraps a *devcode.SyntaxError, a *devcode.LengthError or a
// *devcode.CheckError (matching devcode.ErrUncorrectable), or matches
// ErrVersion or ErrMalformed. On error the Parsed is zero. Parse does not
// verify the signature; Verify does.
func Parse(s string) (Parsed, error) {
	d, err := layout.Decode(s)
	if err != nil {
		return Parsed{}, fmt.Errorf("confirm: %w", err)
	}
	var c Code
	c.Version = uint8(d.Data.Uint(versionBits))
	c.Days = uint16(d.Data.Uint(DaysBits))
	d.Data.Bytes(c.Challenge[:])
	d.Data.Bytes(c.Response[:])
	if err := c.check(); err != nil {
		return Parsed{}, err
	}
	return Parsed{Code: c, Canonical: d.Canonical, Corrections: d.Corrections}, nil
}

// CheckPartial checks a confirmation code while it is typed, for a form
// that marks each group as it fills: each check block is checked (and
// corrected) as soon as all its characters are typed. For complete input
// it agrees with Parse: Complete && Err == nil exactly when Parse
// succeeds; Result.Canonical and Result.Corrections are then what Parse
// returns, and Result.Code is zero.
func CheckPartial(s string) devcode.Progress {
	return layout.CheckPartialFields(s, func(c string) error {
		_, err := Parse(c)
		return err
	}, func(err error, groups []devcode.GroupState) []devcode.GroupState {
		// A version error is in the first group; a response out of range
		// in the groups from the sixth on, which hold the response.
		if ErrorKind(err) == "malformed" {
			return groups[5:]
		}
		return groups[:1]
	})
}
