// Package base45 implements the Base45 encoding of RFC 9285: two bytes become
// three characters of the QR alphanumeric alphabet, so that binary data fills
// a QR code in alphanumeric mode at 5.5 bits per character.
//
// [RFC 9285]: https://www.rfc-editor.org/rfc/rfc9285
package base45

import (
	"errors"
	"fmt"
)

// Alphabet is the Base45 alphabet of RFC 9285, section 4.2: the 45
// characters of the QR alphanumeric mode in the order of their values.
const Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// ErrInvalid is wrapped by every decoding error.
var ErrInvalid = errors.New("base45: invalid input")

var values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range len(Alphabet) {
		t[Alphabet[i]] = byte(i)
	}
	return t
}()

// EncodedLen returns the length of the encoding of n bytes.
func EncodedLen(n int) int { return n/2*3 + n%2*2 }

// DecodedLen returns the number of bytes that n characters decode to. It
// returns -1 when no encoding has n characters (n mod 3 == 1).
func DecodedLen(n int) int {
	if n%3 == 1 {
		return -1
	}
	return n/3*2 + n%3/2
}

// Encode returns the Base45 encoding of src.
func Encode(src []byte) string {
	return string(AppendEncode(make([]byte, 0, EncodedLen(len(src))), src))
}

// AppendEncode appends the Base45 encoding of src to dst.
func AppendEncode(dst, src []byte) []byte {
	for len(src) >= 2 {
		n := uint(src[0])<<8 | uint(src[1])
		dst = append(dst, Alphabet[n%45], Alphabet[n/45%45], Alphabet[n/(45*45)])
		src = src[2:]
	}
	if len(src) == 1 {
		n := uint(src[0])
		dst = append(dst, Alphabet[n%45], Alphabet[n/45])
	}
	return dst
}

// Decode returns the bytes encoded by s. Only the canonical encoding is
// accepted: a character outside the alphabet (lower case included), a length
// of 3n+1, or a group whose value exceeds 65535 (255 for a final pair of
// characters) is an error wrapping ErrInvalid, and the result is nil.
func Decode(s string) ([]byte, error) {
	return AppendDecode(nil, s)
}

// AppendDecode appends the bytes encoded by s to dst. On error it returns
// dst unchanged and an error wrapping ErrInvalid.
func AppendDecode(dst []byte, s string) ([]byte, error) {
	n := DecodedLen(len(s))
	if n < 0 {
		return dst, fmt.Errorf("%w: length %d leaves a single character at the end", ErrInvalid, len(s))
	}
	out := dst
	for i := 0; i < len(s); i += 3 {
		var v [3]uint
		k := min(3, len(s)-i)
		for j := range k {
			c := values[s[i+j]]
			if c == 0xff {
				return dst, fmt.Errorf("%w: character %q at offset %d is not in the alphabet", ErrInvalid, s[i+j], i+j)
			}
			v[j] = uint(c)
		}
		x := v[0] + v[1]*45 + v[2]*45*45
		if k == 3 {
			if x > 0xffff {
				return dst, fmt.Errorf("%w: group %q at offset %d has value %d, above 65535", ErrInvalid, s[i:i+3], i, x)
			}
			out = append(out, byte(x>>8), byte(x))
		} else {
			if x > 0xff {
				return dst, fmt.Errorf("%w: final pair %q has value %d, above 255", ErrInvalid, s[i:], x)
			}
			out = append(out, byte(x))
		}
	}
	return out, nil
}
