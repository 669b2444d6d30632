package devcode

// alphabet is Crockford's base32 alphabet: digits and upper-case letters
// without I, L, O and U. The value of a symbol is its index.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// groupSize is the number of characters between hyphens in the canonical
// form.
const groupSize = 5

const (
	symSeparator byte = 0xfe // ignored: space, hyphen and the like
	symInvalid   byte = 0xff // not part of any code
)

// asciiSymbol maps an ASCII byte to its symbol value, symSeparator or
// symInvalid.
var asciiSymbol = func() (t [128]byte) {
	for i := range t {
		t[i] = symInvalid
	}
	for v := range len(alphabet) {
		c := alphabet[v]
		t[c] = byte(v)
		if 'A' <= c && c <= 'Z' {
			t[c+'a'-'A'] = byte(v)
		}
	}
	for _, c := range "oO" {
		t[c] = 0
	}
	for _, c := range "iIlL" {
		t[c] = 1
	}
	for _, c := range " \t\r\n-" {
		t[c] = symSeparator
	}
	return t
}()

// symbolOf maps one input character to its symbol value, symSeparator or
// symInvalid. Besides ASCII it accepts what East Asian input methods and
// word processors put in place of ASCII: full-width letters and digits
// (U+FF10–U+FF5A) read as their ASCII forms; the ideographic space, the
// no-break space, the full-width hyphen and the Unicode dashes and minus
// sign (U+2010–U+2015, U+2212) are separators.
func symbolOf(r rune) byte {
	switch {
	case r < 128:
		return asciiSymbol[r]
	case 0xff10 <= r && r <= 0xff5a:
		return symbolOf(r - 0xff10 + '0')
	case r == 0x3000, r == 0xa0, r == 0xff0d, r == 0x2212, 0x2010 <= r && r <= 0x2015:
		return symSeparator
	}
	return symInvalid
}
