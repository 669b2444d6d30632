// Package qr makes QR code symbols (ISO/IEC 18004) for text in alphanumeric
// mode (or, for other text, byte mode) at a chosen error correction level
// and highest version, and renders
// them as Unicode half-block text for terminals, PNG and SVG.
//
// Symbols are built with rsc.io/qr/coding, which lets the caller fix the
// mode, the level, the version and the mask; this package picks the
// smallest version that holds the text and the mask with the lowest
// penalty score of ISO/IEC 18004 section 7.8.3.
package qr

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"rsc.io/qr/coding"
)

// Level is an error correction level.
type Level int

// Error correction levels, from the least to the most tolerant of damage:
// about 7%, 15%, 25% and 30% of codewords can be restored.
const (
	L Level = iota
	M
	Q
	H
)

func (l Level) String() string {
	if L <= l && l <= H {
		return "LMQH"[l : l+1]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MaxVersion is the largest QR version.
const MaxVersion = 40

// AlphanumericSet is the character set of the alphanumeric mode.
const AlphanumericSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

// ErrTooLong is wrapped by a *TooLongError.
var ErrTooLong = errors.New("qr: text too long")

// TooLongError reports text that does not fit the largest version allowed.
type TooLongError struct {
	Chars      int   // characters of the text
	Max        int   // characters that MaxVersion holds at Level
	MaxVersion int   // the largest version allowed
	Level      Level // the error correction level
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("qr: text of %d characters does not fit a version %d QR code at level %v, which holds %d in alphanumeric mode",
		e.Chars, e.MaxVersion, e.Level, e.Max)
}

// Is makes errors.Is(err, ErrTooLong) true.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// Capacity returns the number of characters a QR code of the given version
// and level holds in alphanumeric mode (one segment), or 0 for a version or
// level out of range.
func Capacity(version int, level Level) int {
	if version < 1 || version > MaxVersion || level < L || level > H {
		return 0
	}
	v := coding.Version(version)
	bits := v.DataBytes(coding.Level(level)) * 8
	cc := 9 // character count bits
	switch {
	case version >= 27:
		cc = 13
	case version >= 10:
		cc = 11
	}
	// 4 bits of mode, cc bits of count, 11 bits per pair, 6 for an odd one.
	n := (bits - 4 - cc) / 11 * 2
	if (bits-4-cc)%11 >= 6 {
		n++
	}
	return n
}

// CheckAlphanumeric returns an error naming the first character of s that
// the alphanumeric mode cannot carry.
func CheckAlphanumeric(s string) error {
	for i, r := range s {
		if r >= 128 || strings.IndexByte(AlphanumericSet, byte(r)) < 0 {
			return fmt.Errorf("qr: character %q at offset %d is not in the alphanumeric set (digits, upper-case letters, space and $%%*+-./:)", r, i)
		}
	}
	return nil
}

// Code is a QR code symbol.
type Code struct {
	Version int   // 1 to 40
	Level   Level // error correction level
	Mask    int   // mask pattern, 0 to 7
	Size    int   // modules on a side, 4*Version+17
	dark    []bool
}

// Dark reports whether the module at column x, row y is dark. Modules
// outside the symbol (the quiet zone) are light.
func (c *Code) Dark(x, y int) bool {
	return 0 <= x && x < c.Size && 0 <= y && y < c.Size && c.dark[y*c.Size+x]
}

// Alphanumeric encodes text in alphanumeric mode at the given level in the
// smallest version that holds it, up to maxVersion. Text with a character
// outside AlphanumericSet is an error; text too long is a *TooLongError.
func Alphanumeric(text string, level Level, maxVersion int) (*Code, error) {
	if err := checkLimits(level, maxVersion); err != nil {
		return nil, err
	}
	if err := CheckAlphanumeric(text); err != nil {
		return nil, err
	}
	version := 0
	for v := 1; v <= maxVersion; v++ {
		if len(text) <= Capacity(v, level) {
			version = v
			break
		}
	}
	if version == 0 {
		return nil, &TooLongError{Chars: len(text), Max: Capacity(maxVersion, level), MaxVersion: maxVersion, Level: level}
	}
	return encode(coding.Alpha(text), version, level)
}

// Bytes encodes text in byte mode (its UTF-8 bytes), for text outside
// AlphanumericSet such as a URL with lower-case letters, at the given level
// in the smallest version that holds it, up to maxVersion. Text too long
// is an error matching ErrTooLong.
func Bytes(text string, level Level, maxVersion int) (*Code, error) {
	if err := checkLimits(level, maxVersion); err != nil {
		return nil, err
	}
	enc := coding.String(text)
	for v := 1; v <= maxVersion; v++ {
		if enc.Bits(coding.Version(v)) <= coding.Version(v).DataBytes(coding.Level(level))*8 {
			return encode(enc, v, level)
		}
	}
	return nil, fmt.Errorf("qr: text of %d bytes does not fit a version %d QR code at level %v: %w", len(text), maxVersion, level, ErrTooLong)
}

func checkLimits(level Level, maxVersion int) error {
	if level < L || level > H {
		return fmt.Errorf("qr: error correction level %d out of range", int(level))
	}
	if maxVersion < 1 || maxVersion > MaxVersion {
		return fmt.Errorf("qr: version %d out of range 1 to %d", maxVersion, MaxVersion)
	}
	return nil
}

// encode builds the symbol with each mask and keeps the one of lowest
// penalty.
func encode(enc coding.Encoding, version int, level Level) (*Code, error) {
	var best *Code
	bestScore := 0
	for m := range 8 {
		c, err := encodeMask(enc, version, level, m)
		if err != nil {
			return nil, err
		}
		if s := c.penalty(); best == nil || s < bestScore {
			best, bestScore = c, s
		}
	}
	return best, nil
}

// plans caches the layouts of symbols, which Plan.Encode only reads.
var plans sync.Map // planKey -> *coding.Plan

type planKey struct{ version, level, mask int }

func plan(version int, level Level, mask int) (*coding.Plan, error) {
	k := planKey{version, int(level), mask}
	if p, ok := plans.Load(k); ok {
		return p.(*coding.Plan), nil
	}
	p, err := coding.NewPlan(coding.Version(version), coding.Level(level), coding.Mask(mask))
	if err != nil {
		return nil, err
	}
	plans.Store(k, p)
	return p, nil
}

func encodeMask(enc coding.Encoding, version int, level Level, mask int) (*Code, error) {
	p, err := plan(version, level, mask)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	cc, err := p.Encode(enc)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	c := &Code{Version: version, Level: level, Mask: mask, Size: cc.Size, dark: make([]bool, cc.Size*cc.Size)}
	for y := range cc.Size {
		for x := range cc.Size {
			c.dark[y*cc.Size+x] = cc.Black(x, y)
		}
	}
	return c, nil
}

// penalty is the mask evaluation score of ISO/IEC 18004:2015 section 7.8.3.
func (c *Code) penalty() int {
	n := c.Size
	cols := make([]bool, n*n)
	for y := range n {
		for x := range n {
			cols[x*n+y] = c.dark[y*n+x]
		}
	}
	score := 0
	for i := range n {
		score += linePenalty(c.dark[i*n:(i+1)*n]) + linePenalty(cols[i*n:(i+1)*n])
	}
	// N2: 2x2 blocks of one colour.
	dark := 0
	for y := range n {
		row := c.dark[y*n : (y+1)*n]
		for x, d := range row {
			if d {
				dark++
			}
			if x+1 < n && y+1 < n {
				next := c.dark[(y+1)*n : (y+2)*n]
				if d == row[x+1] && d == next[x] && d == next[x+1] {
					score += 3
				}
			}
		}
	}
	// N4: deviation of the dark share from 50%, in steps of 5%.
	dev := 20*dark - 10*n*n
	if dev < 0 {
		dev = -dev
	}
	return score + dev/(n*n)*10
}

// linePenalty scores one row or column: N1, runs of five or more modules
// of one colour, and N3, a 1:1:3:1:1 finder-like pattern with four light
// modules (or the edge) on one side.
func linePenalty(line []bool) int {
	n := len(line)
	score, run := 0, 1
	for x := 1; x <= n; x++ {
		if x < n && line[x] == line[x-1] {
			run++
			continue
		}
		if run >= 5 {
			score += run - 2
		}
		run = 1
	}
	light := func(from, to int) bool {
		for i := max(from, 0); i < min(to, n); i++ {
			if line[i] {
				return false
			}
		}
		return true
	}
	for x := 0; x+7 <= n; x++ {
		l := line[x : x+7]
		if l[0] && !l[1] && l[2] && l[3] && l[4] && !l[5] && l[6] && (light(x-4, x) || light(x+7, x+11)) {
			score += 40
		}
	}
	return score
}
