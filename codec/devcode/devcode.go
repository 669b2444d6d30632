package devcode

import "fmt"

const (
	// Len is the number of characters of a device code, hyphens not
	// counted.
	Len = 25

	// FormatVersion is the format version of the device codes this package
	// makes and reads.
	FormatVersion = 1

	// NonceBits is the width of the request nonce; MaxNonce is its largest
	// value.
	NonceBits = 22
	MaxNonce  = 1<<NonceBits - 1
)

// deviceScheme is one Reed-Solomon block of 22 data and 3 check symbols.
var deviceScheme = newScheme(Len)

// dataLen is the number of data symbols of a device code (110 bits).
const dataLen = Len - checkSymbols

// DeviceCode is the content of a device code: what a terminal tells the
// vendor about itself in 110 bits.
type DeviceCode struct {
	// Version is the format version (4 bits); FormatVersion for every code
	// this package makes or accepts.
	Version uint8
	// Flags are 4 bits that version 1 reserves: New sets them to 0, Parse
	// returns them as read, and readers must not reject codes for them.
	Flags uint8
	// Product is the product's short numeric id.
	Product uint16
	// Digest is the first 8 bytes of the terminal's birth-record digest,
	// as computed by the fingerprint package.
	Digest [8]byte
	// Nonce tells apart requests of one terminal (22 bits).
	Nonce uint32
}

// New returns the version-1 device code with flags 0 for a product, a
// birth-record digest and a request nonce. Only the low NonceBits bits of
// nonce are kept.
func New(product uint16, digest [8]byte, nonce uint32) DeviceCode {
	return DeviceCode{Version: FormatVersion, Product: product, Digest: digest, Nonce: nonce & MaxNonce}
}

// check reports why c cannot be encoded, if it cannot.
func (c DeviceCode) check() error {
	switch {
	case c.Version != FormatVersion:
		return versionError(c.Version)
	case c.Flags > 15:
		return fmt.Errorf("devcode: flags %#x do not fit in 4 bits", c.Flags)
	case c.Nonce > MaxNonce:
		return fmt.Errorf("devcode: nonce %d does not fit in %d bits", c.Nonce, NonceBits)
	}
	return nil
}

func versionError(v uint8) error {
	return fmt.Errorf("%w %d (this reader knows version %d)", ErrVersion, v, FormatVersion)
}

// symbols returns the 25 symbols of c, whose fields must be in range.
func (c DeviceCode) symbols() [Len]byte {
	var data [dataLen]byte
	w := BitWriter{sym: data[:0]} // 110 bits: dataLen symbols exactly
	w.Uint(uint64(c.Version), 4)
	w.Uint(uint64(c.Flags), 4)
	w.Uint(uint64(c.Product), 16)
	w.Bytes(c.Digest[:])
	w.Uint(uint64(c.Nonce), NonceBits)
	var code [Len]byte
	deviceScheme.encode(code[:0], data[:])
	return code
}

// fromSymbols decodes the fields of a corrected code.
func fromSymbols(code []byte) DeviceCode {
	var c DeviceCode
	r := BitReader{sym: code[:dataLen]}
	c.Version = uint8(r.Uint(4))
	c.Flags = uint8(r.Uint(4))
	c.Product = uint16(r.Uint(16))
	r.Bytes(c.Digest[:])
	c.Nonce = uint32(r.Uint(NonceBits))
	return c
}

// String returns the canonical form of c: 25 upper-case characters in five
// groups of five joined by hyphens, e.g. "20938-0938N-KRKAY-DXYNA-NAKT7".
// A DeviceCode with a field out of range (see MarshalText) prints as
// "invalid device code".
func (c DeviceCode) String() string {
	if c.check() != nil {
		return "invalid device code"
	}
	code := c.symbols()
	return deviceScheme.format(code[:])
}

// AppendText appends the canonical form of c to b. It fails when Version
// is not FormatVersion, Flags do not fit in 4 bits or Nonce in NonceBits.
func (c DeviceCode) AppendText(b []byte) ([]byte, error) {
	if err := c.check(); err != nil {
		return b, err
	}
	return append(b, c.String()...), nil
}

// MarshalText returns the canonical form of c; see AppendText.
func (c DeviceCode) MarshalText() ([]byte, error) {
	return c.AppendText(nil)
}

// UnmarshalText sets c to the code in text. It accepts what Parse accepts
// except a code that needs a correction, for which it returns an error
// matching ErrNeedsCorrection. On error c is set to the zero DeviceCode.
func (c *DeviceCode) UnmarshalText(text []byte) error {
	p, err := Parse(string(text))
	if err == nil && p.Corrected() {
		err = fmt.Errorf("%w: %v", ErrNeedsCorrection, p.Corrections[0])
	}
	if err != nil {
		*c = DeviceCode{}
		return err
	}
	*c = p.Code
	return nil
}

// Parsed is a device code read from text.
type Parsed struct {
	Code DeviceCode
	// Canonical is the code's canonical form (after correction).
	Canonical string
	// Corrections lists the corrected characters; a device code has at
	// most one. It is nil when the input was right.
	Corrections []Correction
}

// Corrected reports whether a character was corrected.
func (p Parsed) Corrected() bool { return len(p.Corrections) > 0 }

// Parse reads a device code typed by a person. It ignores case and
// separators (spaces, hyphens), reads O as 0 and I and L as 1, and corrects
// one wrong character, reporting it in Corrections.
//
// The error is a *SyntaxError for a character outside the alphabet (U
// included), a *LengthError for other than 25 characters, an error
// matching ErrUncorrectable when more than one character is wrong, and one
// matching ErrVersion for an unknown format version. On error the Parsed
// is zero.
func Parse(s string) (Parsed, error) {
	var buf [Len]byte
	code, err := deviceScheme.scan(buf[:0], s)
	if err != nil {
		return Parsed{}, err
	}
	corr, err := deviceScheme.correct(code)
	if err != nil {
		return Parsed{}, err
	}
	c := fromSymbols(code)
	if c.Version != FormatVersion {
		return Parsed{}, versionError(c.Version)
	}
	return Parsed{Code: c, Canonical: deviceScheme.format(code), Corrections: corr}, nil
}
