package devcode

import (
	"errors"
	"fmt"
)

// A Layout is a kind of code longer than a device code, made of the same
// characters, read with the same lenient input rules and shown in the same
// groups of five: confirmation codes and release codes. Its characters are
// cut into consecutive Reed-Solomon blocks of at most 31 characters, each
// ending in three check characters; each block corrects one wrong
// character and rejects two (see docs/formats.md, "Longer codes").
//
// A Layout carries bits, not fields: the packages that define a code pack
// their fields with a BitWriter, most significant bit first, and read them
// back with the BitReader that Decode returns.
type Layout struct {
	s *scheme
}

// NewLayout returns the layout with check blocks of the given lengths, in
// characters. Code formats fix their layouts, so NewLayout panics on a
// block length outside 4..31; use it for package-level variables.
func NewLayout(blocks ...int) *Layout {
	return &Layout{s: newScheme(blocks...)}
}

// Len returns the number of characters of a code, hyphens not counted.
func (l *Layout) Len() int { return l.s.n }

// DataBits returns the number of bits a code carries: five for every
// character that is not a check character.
func (l *Layout) DataBits() int { return 5 * l.s.k }

// Encode returns the canonical form of the code that carries the bits
// written to w, followed by zero bits up to DataBits. It fails when w holds
// more than DataBits bits.
func (l *Layout) Encode(w *BitWriter) (string, error) {
	if w.bits > l.DataBits() {
		return "", fmt.Errorf("devcode: %d bits do not fit in a %d-character code (%d data bits)", w.bits, l.s.n, l.DataBits())
	}
	data := w.appendSymbols(make([]byte, 0, l.s.k))
	data = data[:l.s.k] // zero symbols after the written ones
	code := l.s.encode(make([]byte, 0, l.s.n), data)
	return l.s.format(code), nil
}

// Decoded is a code of a Layout read from text.
type Decoded struct {
	// Data reads the bits the code carries, DataBits in all.
	Data BitReader
	// Canonical is the code's canonical form (after correction).
	Canonical string
	// Corrections lists the corrected characters, at most one per check
	// block; nil when the input was right.
	Corrections []Correction
}

// Corrected reports whether a character was corrected.
func (d *Decoded) Corrected() bool { return len(d.Corrections) > 0 }

// Decode reads a code typed by a person with the rules of Parse: case and
// separators are ignored, O reads as 0 and I and L as 1, and one wrong
// character per check block is corrected and reported.
//
// The error is a *SyntaxError, a *LengthError or a *CheckError (matching
// ErrUncorrectable) naming the first block with more than one wrong
// character. On error the Decoded is zero.
func (l *Layout) Decode(s string) (Decoded, error) {
	code, err := l.s.scan(make([]byte, 0, l.s.n), s)
	if err != nil {
		return Decoded{}, err
	}
	corr, err := l.s.correct(code)
	if err != nil {
		return Decoded{}, err
	}
	data := l.s.data(make([]byte, 0, l.s.k), code)
	return Decoded{Data: BitReader{sym: data, left: 5 * len(data)}, Canonical: l.s.format(code), Corrections: corr}, nil
}

// CheckPartial checks a code of this layout while it is typed, as the
// package-level CheckPartial does for device codes: every check block whose
// characters are all typed is checked and corrected at once. Result.Code is
// always zero; for complete input without error, Result.Canonical and
// Result.Corrections are what Decode returns.
func (l *Layout) CheckPartial(s string) Progress {
	p, code := l.s.check(s)
	if code != nil {
		p.Result = Parsed{Canonical: l.s.format(code), Corrections: p.Result.Corrections}
	}
	return p
}

// CheckPartialFields is CheckPartial for a code whose fields must also be
// valid once its check characters are right: complete, corrected input is
// read by parse (the code's own parser), and a parse error becomes the
// Progress's Err, with Result cleared and the groups that invalid picks
// out of Groups (those holding the field the error is about) marked
// GroupInvalid. For complete input it agrees with parse.
func (l *Layout) CheckPartialFields(s string, parse func(canonical string) error, invalid func(err error, groups []GroupState) []GroupState) Progress {
	p := l.CheckPartial(s)
	if !p.Complete || p.Err != nil {
		return p
	}
	if err := parse(p.Result.Canonical); err != nil {
		p.Err = err
		p.Result = Parsed{}
		bad := invalid(err, p.Groups)
		for i := range bad {
			bad[i].Status = GroupInvalid
		}
	}
	return p
}

// A Kind pairs an outcome of a code built on a Layout with its stable
// identifier, as the ErrorKind functions of such codes report it.
type Kind struct {
	Err  error
	Name string
}

// LayoutErrorKind classifies an error of a code built on a Layout: the Name
// of the first of kinds that err matches (errors.Is), else "syntax",
// "length" or "uncorrectable" for the input errors Decode returns, else ""
// (nil included).
func LayoutErrorKind(err error, kinds []Kind) string {
	for _, k := range kinds {
		if errors.Is(err, k.Err) {
			return k.Name
		}
	}
	switch k := ErrorKind(err); k {
	case "syntax", "length", "uncorrectable":
		return k
	}
	return ""
}

// BitWriter packs fields into the bits a code carries, most significant
// bit first. The zero value is empty and ready to use.
type BitWriter struct {
	sym  []byte // complete 5-bit symbols
	acc  uint64 // pending bits, fewer than 5
	n    int    // number of pending bits
	bits int    // bits written in all
}

// Uint appends the low width bits of v; 0 <= width <= 64.
func (w *BitWriter) Uint(v uint64, width int) {
	if width < 0 || width > 64 {
		panic(fmt.Sprintf("devcode: bit width %d outside 0..64", width))
	}
	if width > 32 {
		w.Uint(v>>32, width-32)
		width = 32
	}
	w.acc = w.acc<<width | v&(1<<width-1)
	w.n += width
	w.bits += width
	for w.n >= 5 {
		w.n -= 5
		w.sym = append(w.sym, byte(w.acc>>w.n)&31)
	}
	w.acc &= 1<<w.n - 1
}

// Bytes appends every bit of b, first byte first.
func (w *BitWriter) Bytes(b []byte) {
	for _, c := range b {
		w.Uint(uint64(c), 8)
	}
}

// Len returns the number of bits written.
func (w *BitWriter) Len() int { return w.bits }

// appendSymbols appends the bits written to dst as 5-bit symbols, the last
// one padded with zero bits.
func (w *BitWriter) appendSymbols(dst []byte) []byte {
	dst = append(dst, w.sym...)
	if w.n > 0 {
		dst = append(dst, byte(w.acc<<(5-w.n))&31)
	}
	return dst
}

// BitReader reads the fields of a decoded code, most significant bit
// first.
type BitReader struct {
	sym  []byte
	acc  uint64
	n    int
	left int // bits not yet read
}

// Uint reads the next width bits as an unsigned integer; 0 <= width <= 64.
// Bits past the end read as zero.
func (r *BitReader) Uint(width int) uint64 {
	if width < 0 || width > 64 {
		panic(fmt.Sprintf("devcode: bit width %d outside 0..64", width))
	}
	if width > 32 {
		hi := r.Uint(width - 32)
		return hi<<32 | r.Uint(32)
	}
	for r.n < width {
		var v byte
		if len(r.sym) > 0 {
			v, r.sym = r.sym[0], r.sym[1:]
		}
		r.acc = r.acc<<5 | uint64(v&31)
		r.n += 5
	}
	r.n -= width
	v := r.acc >> r.n & (1<<width - 1)
	r.acc &= 1<<r.n - 1
	r.left = max(r.left-width, 0)
	return v
}

// Bytes fills b with the next 8·len(b) bits.
func (r *BitReader) Bytes(b []byte) {
	for i := range b {
		b[i] = byte(r.Uint(8))
	}
}

// Remaining returns the number of bits not yet read.
func (r *BitReader) Remaining() int { return r.left }

// RestZero reports whether every bit not yet read is zero, as the padding
// at the end of a code must be.
func (r *BitReader) RestZero() bool {
	if r.acc != 0 {
		return false
	}
	for _, v := range r.sym {
		if v != 0 {
			return false
		}
	}
	return true
}
