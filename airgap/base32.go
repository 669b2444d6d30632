package airgap

import "fmt"

// crockford is Crockford's base32 alphabet.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var crockfordValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range len(crockford) {
		t[crockford[i]] = byte(i)
	}
	return t
}()

// base32Len returns the number of characters encoding n bytes.
func base32Len(n int) int { return (8*n + 4) / 5 }

// encodeBase32 encodes b in Crockford's base32, most significant bit
// first, the last character padded with zero bits, no padding characters.
func encodeBase32(b []byte) string {
	out := make([]byte, 0, base32Len(len(b)))
	var acc uint
	bits := 0
	for _, c := range b {
		acc = acc<<8 | uint(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, crockford[acc>>bits&31])
		}
	}
	if bits > 0 {
		out = append(out, crockford[acc<<(5-bits)&31])
	}
	return string(out)
}

// decodeBase32 decodes the canonical encoding made by encodeBase32: upper
// case, no aliases (O, I, L), a length that some byte count encodes to, and
// zero padding bits.
func decodeBase32(s string) ([]byte, error) {
	n := len(s) * 5 / 8
	if base32Len(n) != len(s) {
		return nil, fmt.Errorf("%d characters is not the length of any base32 encoding", len(s))
	}
	out := make([]byte, 0, n)
	var acc uint
	bits := 0
	for i := range len(s) {
		v := crockfordValue[s[i]]
		if v == 0xff {
			return nil, fmt.Errorf("character %q at offset %d is not upper-case Crockford base32", s[i], i)
		}
		acc = acc<<5 | uint(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>bits))
		}
	}
	if acc&(1<<bits-1) != 0 {
		return nil, fmt.Errorf("last character %q has non-zero padding bits", s[len(s)-1])
	}
	return out, nil
}
