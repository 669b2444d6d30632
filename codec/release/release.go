package release

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
)

const (
	// Len is the number of characters of a release code, hyphens not
	// counted: eight groups of five.
	Len = 40

	// FormatVersion is the format version of the codes this package makes
	// and reads.
	FormatVersion = 1

	// PrefixSize is how many leading bytes of the license id a code
	// carries.
	PrefixSize = 8
	// TagSize is the size of the authentication tag (80 bits).
	TagSize = 10

	versionBits = 4
	flagBits    = 4
	dayBits     = 16
	padBits     = 2
)

// layout is two check blocks of 20 characters: 34 data characters, 170
// bits = 4 (version) + 4 (flags) + 64 (license id prefix) + 16 (day) +
// 80 (tag) + 2 (zero padding).
var layout = devcode.NewLayout(20, 20)

// Domain-separation labels.
const (
	labelFileSecret    = "licet release secret v1\x00file\x00"
	labelConfirmSecret = "licet release secret v1\x00confirmation\x00"
	labelTag           = "licet release code v1\x00"
)

// Outcomes that callers branch on. Parse also passes on, wrapped, the
// devcode input errors (*devcode.SyntaxError, *devcode.LengthError,
// devcode.ErrUncorrectable).
var (
	// ErrVersion means the code checks but carries a format version this
	// package does not know.
	ErrVersion = errors.New("release: unsupported format version")
	// ErrMalformed means the code checks but sets reserved bits.
	ErrMalformed = errors.New("release: malformed code")
	// ErrNeedsCorrection is returned by UnmarshalText for text that Parse
	// would accept only after correcting characters.
	ErrNeedsCorrection = errors.New("release: code has a wrong character")
	// ErrOtherLicense means the code names another license than the one
	// it is checked against.
	ErrOtherLicense = errors.New("release: the code is for another license")
	// ErrBadTag means the code names the license but its tag is wrong: it
	// was not made with this activation's release secret, or it was
	// mistyped in more places than the check characters can tell.
	ErrBadTag = errors.New("release: the code does not verify")
	// ErrNotActivation means a file does not hold a device license or a
	// lease, the only objects a terminal can give up.
	ErrNotActivation = errors.New("release: not an activation")
	// ErrDay means an instant lies outside the days a code can name
	// (1970-01-01 to 2149-06-06).
	ErrDay = errors.New("release: day out of range")
)

var errPadding = fmt.Errorf("%w: padding bits are set", ErrMalformed)

// ErrorKind classifies an error of this package with a stable identifier,
// as used in the test vectors: "syntax", "length", "uncorrectable",
// "version", "malformed", "needs-correction", "other-license", "bad-tag",
// "not-activation", "day", or "" for nil and errors from elsewhere.
func ErrorKind(err error) string { return devcode.LayoutErrorKind(err, errorKinds) }

var errorKinds = []devcode.Kind{
	{Err: ErrVersion, Name: "version"},
	{Err: ErrMalformed, Name: "malformed"},
	{Err: ErrNeedsCorrection, Name: "needs-correction"},
	{Err: ErrOtherLicense, Name: "other-license"},
	{Err: ErrBadTag, Name: "bad-tag"},
	{Err: ErrNotActivation, Name: "not-activation"},
	{Err: ErrDay, Name: "day"},
}

// Secret is a release secret: the key of the tags of one activation's
// release codes. It is a secret; compare it with crypto/subtle and never
// print it.
type Secret [32]byte

// Activation is what the terminal and the issuer both know of one
// activated license.
type Activation struct {
	// License is the id of the license given up.
	License codec.ID
	// Secret is the license's release secret.
	Secret Secret
}

// FromFile returns the activation of a license file (CBOR or armoured) as
// the terminal holds it and the issuer keeps it on record. The license is
// the file's last object, which must be a device license or a lease; the
// release secret is
//
//	SHA-256("licet release secret v1" 0x00 "file" 0x00 ‖ signed license)
//
// where the signed license is the complete COSE_Sign message of that last
// object, as it travels in the file. The file's signatures are not
// checked.
func FromFile(file []byte) (Activation, error) {
	f, err := codec.ParseFile(file)
	if err != nil {
		return Activation{}, fmt.Errorf("release: %w", err)
	}
	return FromLicenseFile(f)
}

// FromLicenseFile is FromFile for a file already parsed.
func FromLicenseFile(f *codec.File) (Activation, error) {
	if f == nil || len(f.Links) == 0 {
		return Activation{}, fmt.Errorf("%w: empty file", ErrNotActivation)
	}
	leaf := f.Leaf()
	switch leaf.Object.(type) {
	case *codec.DeviceLicense, *codec.Lease:
	default:
		return Activation{}, fmt.Errorf("%w: the file holds a %s, not a device license or a lease", ErrNotActivation, codec.TypeOf(leaf.Object).Name())
	}
	h := sha256.New()
	h.Write([]byte(labelFileSecret))
	h.Write(leaf.Raw)
	a := Activation{License: codec.HeaderOf(leaf.Object).ID}
	h.Sum(a.Secret[:0])
	return a, nil
}

// FromConfirmation returns the activation of a terminal activated with a
// confirmation code: the license id is c.LicenseID() and the release
// secret is
//
//	SHA-256("licet release secret v1" 0x00 "confirmation" 0x00 ‖ c.MarshalBinary())
func FromConfirmation(c confirm.Code) (Activation, error) {
	b, err := c.MarshalBinary()
	if err != nil {
		return Activation{}, fmt.Errorf("release: %w", err)
	}
	h := sha256.New()
	h.Write([]byte(labelConfirmSecret))
	h.Write(b)
	a := Activation{License: c.LicenseID()}
	h.Sum(a.Secret[:0])
	return a, nil
}

// Code is the content of a release code.
type Code struct {
	// Version is the format version (4 bits); FormatVersion for every code
	// this package makes or accepts.
	Version uint8
	// Flags are 4 bits that version 1 reserves: writers set 0 and readers
	// reject codes that set them, since a release is an action that a
	// reader must not half-understand.
	Flags uint8
	// License holds the first 8 bytes of the released license's id.
	License [PrefixSize]byte
	// Day is the day of the release, counted from 1970-01-01 by the
	// terminal's clock (UTC).
	Day uint16
	// Tag authenticates the other fields and the whole license id.
	Tag [TagSize]byte
}

// DayOf returns the day number of an instant: whole days since
// 1970-01-01T00:00:00Z. The error matches ErrDay outside 1970-01-01 to
// 2149-06-06.
func DayOf(t time.Time) (uint16, error) {
	d := t.Unix()
	if d < 0 {
		return 0, fmt.Errorf("%w: %s is before 1970", ErrDay, t.UTC().Format(time.RFC3339))
	}
	d /= 86400
	if d > 0xffff {
		return 0, fmt.Errorf("%w: %s is after 2149-06-06", ErrDay, t.UTC().Format(time.RFC3339))
	}
	return uint16(d), nil
}

// Date returns the first instant of the code's day, in UTC.
func (c Code) Date() time.Time { return time.Unix(int64(c.Day)*86400, 0).UTC() }

// LicensePrefix returns the license id prefix in hexadecimal (16 digits),
// to find the license records the code may be for: those whose id starts
// with it.
func (c Code) LicensePrefix() string { return hex.EncodeToString(c.License[:]) }

// tag returns the first 10 bytes of
//
//	HMAC-SHA256(secret, "licet release code v1" 0x00 ‖ license id (16 bytes)
//	            ‖ version ‖ flags ‖ day (2 bytes, big-endian))
func tag(secret *Secret, license codec.ID, version, flags uint8, day uint16) (t [TagSize]byte) {
	m := hmac.New(sha256.New, secret[:])
	m.Write([]byte(labelTag))
	m.Write(license[:])
	m.Write([]byte{version, flags})
	m.Write(binary.BigEndian.AppendUint16(nil, day))
	copy(t[:], m.Sum(nil))
	return t
}

// Code returns the release code of a for a release on the given day (see
// DayOf).
func (a *Activation) Code(day uint16) Code {
	c := Code{Version: FormatVersion, Day: day}
	copy(c.License[:], a.License[:])
	c.Tag = tag(&a.Secret, a.License, c.Version, c.Flags, day)
	return c
}

// Check reports whether c is a release code of a. The error matches
// ErrOtherLicense when c names another license, ErrVersion or
// ErrMalformed for a code this version cannot have made, and ErrBadTag
// when the tag is wrong. The tag is compared in constant time.
func (a *Activation) Check(c Code) error {
	if err := c.check(); err != nil {
		return err
	}
	if [PrefixSize]byte(a.License[:PrefixSize]) != c.License {
		return fmt.Errorf("%w: it names license %s…, not %s", ErrOtherLicense, c.LicensePrefix(), a.License)
	}
	want := tag(&a.Secret, a.License, c.Version, c.Flags, c.Day)
	if !hmac.Equal(want[:], c.Tag[:]) {
		return fmt.Errorf("%w for license %s", ErrBadTag, a.License)
	}
	return nil
}

func (c *Code) check() error {
	switch {
	case c.Version != FormatVersion:
		return fmt.Errorf("%w %d (this reader knows version %d)", ErrVersion, c.Version, FormatVersion)
	case c.Flags != 0:
		return fmt.Errorf("%w: reserved flags %#x are set", ErrMalformed, c.Flags)
	}
	return nil
}

// String returns the canonical form of c: 40 upper-case characters in
// eight groups of five joined by hyphens. A Code that cannot be encoded
// (see AppendText) prints as "invalid release code".
func (c Code) String() string {
	s, err := c.text()
	if err != nil {
		return "invalid release code"
	}
	return s
}

func (c *Code) text() (string, error) {
	if err := c.check(); err != nil {
		return "", err
	}
	var w devcode.BitWriter
	w.Uint(uint64(c.Version), versionBits)
	w.Uint(uint64(c.Flags), flagBits)
	w.Bytes(c.License[:])
	w.Uint(uint64(c.Day), dayBits)
	w.Bytes(c.Tag[:])
	return layout.Encode(&w)
}

// AppendText appends the canonical form of c to b. It fails when Version
// is not FormatVersion or Flags are set.
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
// except a code that needs a correction (ErrNeedsCorrection). On error c
// is set to the zero Code.
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

// Parsed is a release code read from text.
type Parsed struct {
	Code Code
	// Canonical is the code's canonical form (after correction).
	Canonical string
	// Corrections lists the corrected characters, at most one in each of
	// the two check blocks; nil when the input was right.
	Corrections []devcode.Correction
}

// Corrected reports whether a character was corrected.
func (p Parsed) Corrected() bool { return len(p.Corrections) > 0 }

// Parse reads a release code typed by a person, with the input rules of
// device codes; one wrong character in each check block (characters 1-20
// and 21-40) is corrected and reported. The error wraps a devcode input
// error or matches ErrVersion or ErrMalformed; on error the Parsed is
// zero. Parse does not check the tag; Activation.Check does.
func Parse(s string) (Parsed, error) {
	d, err := layout.Decode(s)
	if err != nil {
		return Parsed{}, fmt.Errorf("release: %w", err)
	}
	var c Code
	c.Version = uint8(d.Data.Uint(versionBits))
	c.Flags = uint8(d.Data.Uint(flagBits))
	d.Data.Bytes(c.License[:])
	c.Day = uint16(d.Data.Uint(dayBits))
	d.Data.Bytes(c.Tag[:])
	if err := c.check(); err != nil {
		return Parsed{}, err
	}
	if !d.Data.RestZero() {
		return Parsed{}, errPadding
	}
	return Parsed{Code: c, Canonical: d.Canonical, Corrections: d.Corrections}, nil
}

// CheckPartial checks a release code while it is typed: each check block
// is checked (and corrected) as soon as all its characters are typed. For
// complete input it agrees with Parse: Complete && Err == nil exactly when
// Parse succeeds; Result.Canonical and Result.Corrections are then what
// Parse returns, and Result.Code is zero.
func CheckPartial(s string) devcode.Progress {
	return layout.CheckPartialFields(s, func(c string) error {
		_, err := Parse(c)
		return err
	}, func(err error, groups []devcode.GroupState) []devcode.GroupState {
		// Version and flags are in the first group, the padding in the
		// last data character, character 37, in the last group.
		if errors.Is(err, errPadding) {
			return groups[len(groups)-1:]
		}
		return groups[:1]
	})
}
