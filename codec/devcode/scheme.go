package devcode

import (
	"fmt"
	"strings"
)

// A scheme is one kind of code of this package: a fixed number of
// characters of the base32 alphabet, cut into consecutive Reed-Solomon
// blocks of at most 31 symbols, each ending in three check symbols, and
// shown in groups of five separated by hyphens. Device codes use one block
// of 25; longer codes (confirmation and release codes) use several blocks,
// e.g. newScheme(30, 30, 20) for 80 characters. Each block corrects one
// wrong character and rejects two, so a code with at most one wrong
// character per block is corrected back to the original, and two wrong
// characters are never accepted as a different code: either they fall in
// different blocks and are both corrected, or they fall in one block and
// the code is rejected.
type scheme struct {
	blocks []int // lengths of consecutive blocks, each minBlock..maxBlock
	n, k   int   // number of symbols in all, and of data symbols
}

// newScheme returns the scheme with blocks of the given lengths. It panics
// on a length outside 4..31: schemes are fixed by the code formats.
func newScheme(blocks ...int) *scheme {
	if len(blocks) == 0 {
		panic("devcode: scheme without blocks")
	}
	s := &scheme{blocks: blocks}
	for _, b := range blocks {
		if b < minBlock || b > maxBlock {
			panic(fmt.Sprintf("devcode: block length %d outside %d..%d", b, minBlock, maxBlock))
		}
		s.n += b
		s.k += b - checkSymbols
	}
	return s
}

// Correction is one character that Parse corrected.
type Correction struct {
	Pos    int  // 1-based position among the code's characters (hyphens not counted)
	Was    byte // the character read there, in canonical form
	Became byte // the character it was corrected to
}

// Group returns the 1-based group of five that the corrected character is
// in.
func (c Correction) Group() int { return (c.Pos-1)/groupSize + 1 }

func (c Correction) String() string {
	return fmt.Sprintf("character %d (group %d): %c corrected to %c", c.Pos, c.Group(), c.Was, c.Became)
}

// encode returns the code symbols for data, which holds s.k symbols.
func (s *scheme) encode(dst, data []byte) []byte {
	dst = dst[:0]
	for _, b := range s.blocks {
		d := b - checkSymbols
		dst = append(dst, data[:d]...)
		dst = append(dst, 0, 0, 0)
		rsEncode(dst[len(dst)-b:])
		data = data[d:]
	}
	return dst
}

// data appends the data symbols of code to dst.
func (s *scheme) data(dst, code []byte) []byte {
	for _, b := range s.blocks {
		dst = append(dst, code[:b-checkSymbols]...)
		code = code[b:]
	}
	return dst
}

// correct corrects code (s.n symbols) in place, block by block. It returns
// the corrections made, or a *CheckError for the first block that has more
// than one wrong symbol; code is then partly corrected and must be
// discarded.
func (s *scheme) correct(code []byte) ([]Correction, error) {
	var corr []Correction
	start := 0
	for _, b := range s.blocks {
		block := code[start : start+b]
		i, was, ok := rsCorrect(block)
		if !ok {
			return nil, s.checkError(start, b)
		}
		if i >= 0 {
			corr = append(corr, Correction{Pos: start + i + 1, Was: alphabet[was], Became: alphabet[block[i]]})
		}
		start += b
	}
	return corr, nil
}

func (s *scheme) checkError(start, length int) *CheckError {
	return &CheckError{First: start + 1, Last: start + length, whole: len(s.blocks) == 1}
}

// scan reads input into the symbols of one code, appended to dst. It
// returns a *SyntaxError for the first character that is neither a symbol
// nor a separator, and a *LengthError unless input holds exactly s.n
// symbols.
func (s *scheme) scan(dst []byte, input string) ([]byte, error) {
	n, pos := 0, 0
	for _, r := range input {
		pos++
		v := symbolOf(r)
		switch v {
		case symSeparator:
			continue
		case symInvalid:
			return nil, &SyntaxError{Pos: pos, Char: r}
		}
		if n < s.n {
			dst = append(dst, v)
		}
		n++
	}
	if n != s.n {
		return nil, &LengthError{Got: n, Want: s.n}
	}
	return dst, nil
}

// format returns the canonical form of code: its characters grouped by
// five with hyphens.
func (s *scheme) format(code []byte) string {
	var b strings.Builder
	b.Grow(len(code) + (len(code)-1)/groupSize)
	for i, v := range code {
		if i > 0 && i%groupSize == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[v&31])
	}
	return b.String()
}
