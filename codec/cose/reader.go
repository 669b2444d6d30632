package cose

import "fmt"

// reader is a strict CBOR reader for the fixed shapes of this package. It
// accepts only definite lengths and shortest-form heads (RFC 8949 section
// 4.2.1), so anything it reads is in core deterministic encoding; map key
// order and the absence of duplicates are checked where maps are read.
// Every error names the byte offset.
type reader struct {
	b    []byte
	off  int
	base int // offset of b in the whole message, for errors
}

func (r *reader) errorf(format string, args ...any) error {
	return malformed("at byte %d: %s", r.base+r.off, fmt.Sprintf(format, args...))
}

var majorNames = [8]string{"an unsigned integer", "a negative integer", "a byte string", "a text string", "an array", "a map", "a tag", "a simple value or float"}

// head reads one head and returns its major type (shifted) and argument.
func (r *reader) head() (byte, uint64, error) {
	if r.off >= len(r.b) {
		return 0, 0, r.errorf("unexpected end of input")
	}
	start := r.off
	ib := r.b[r.off]
	major, ai := ib&0xe0, ib&0x1f
	var n int
	switch {
	case ai < 24:
		r.off++
		return major, uint64(ai), nil
	case ai == 24:
		n = 1
	case ai == 25:
		n = 2
	case ai == 26:
		n = 4
	case ai == 27:
		n = 8
	case ai == 31:
		return 0, 0, r.errorf("indefinite length (%s) is not allowed", majorNames[major>>5])
	default:
		return 0, 0, r.errorf("reserved additional information %d", ai)
	}
	if len(r.b)-r.off-1 < n {
		return 0, 0, r.errorf("unexpected end of input")
	}
	var v uint64
	for _, c := range r.b[r.off+1 : r.off+1+n] {
		v = v<<8 | uint64(c)
	}
	if headSize(v) != 1+n {
		return 0, 0, r.errorf("head of %s is not in shortest form", majorNames[major>>5])
	}
	r.off = start + 1 + n
	return major, v, nil
}

// expect reads a head of the given major type.
func (r *reader) expect(major byte, what string) (uint64, error) {
	start := r.off
	m, v, err := r.head()
	if err != nil {
		return 0, err
	}
	if m != major {
		r.off = start
		return 0, r.errorf("%s must be %s, found %s", what, majorNames[major>>5], majorNames[m>>5])
	}
	return v, nil
}

// bytes reads a byte string; the result aliases the input.
func (r *reader) bytes(what string) ([]byte, error) {
	n, err := r.expect(majorBytes, what)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.b)-r.off) {
		return nil, r.errorf("%s: length %d runs past the end of input", what, n)
	}
	s := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return s, nil
}

// text reads a text string of at most max bytes.
func (r *reader) text(what string, max int) (string, error) {
	n, err := r.expect(majorText, what)
	if err != nil {
		return "", err
	}
	if n > uint64(max) {
		return "", r.errorf("%s is %d bytes, more than %d", what, n, max)
	}
	if n > uint64(len(r.b)-r.off) {
		return "", r.errorf("%s: length %d runs past the end of input", what, n)
	}
	s := string(r.b[r.off : r.off+int(n)])
	r.off += int(n)
	return s, nil
}

// int reads an integer that fits in int64.
func (r *reader) int(what string) (int64, error) {
	start := r.off
	m, v, err := r.head()
	if err != nil {
		return 0, err
	}
	if m != majorUint && m != majorNegint {
		r.off = start
		return 0, r.errorf("%s must be an integer, found %s", what, majorNames[m>>5])
	}
	if v > 1<<63-1 {
		r.off = start
		return 0, r.errorf("%s is out of range", what)
	}
	if m == majorNegint {
		return -1 - int64(v), nil
	}
	return int64(v), nil
}

// intArray reads an array of integers into buf, which bounds its length.
func (r *reader) intArray(what string, buf []int64) ([]int64, error) {
	n, err := r.expect(majorArray, what)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(buf)) {
		return nil, r.errorf("%s has %d elements, more than %d", what, n, len(buf))
	}
	a := buf[:n]
	for i := range a {
		if a[i], err = r.int(what); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// mapLen reads the head of a map of at most max entries.
func (r *reader) mapLen(what string, max int) (int, error) {
	n, err := r.expect(majorMap, what)
	if err != nil {
		return 0, err
	}
	if n > uint64(max) {
		return 0, r.errorf("%s has %d entries, more than %d", what, n, max)
	}
	return int(n), nil
}

// label reads an integer map label. Labels must come in canonical order
// (by encoded bytes), which also excludes duplicates; *prev holds the
// previous label's encoding and is updated.
func (r *reader) label(what string, prev *[]byte) (int64, error) {
	start := r.off
	m, v, err := r.head()
	if err != nil {
		return 0, err
	}
	if (m != majorUint && m != majorNegint) || v > 1<<63-1 {
		r.off = start
		return 0, r.errorf("%s: label must be an integer, found %s", what, majorNames[m>>5])
	}
	label := int64(v)
	if m == majorNegint {
		label = -1 - label
	}
	enc := r.b[start:r.off]
	if *prev != nil {
		if c := compareKeys(*prev, enc); c == 0 {
			r.off = start
			return 0, r.errorf("%s: duplicate label %d", what, label)
		} else if c > 0 {
			r.off = start
			return 0, r.errorf("%s: label %d is out of canonical order", what, label)
		}
	}
	*prev = enc
	return label, nil
}

// compareKeys orders encoded map keys as RFC 8949 section 4.2.1 does:
// bytewise lexicographic order of their deterministic encodings.
func compareKeys(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}
