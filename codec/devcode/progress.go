package devcode

import (
	"strings"
)

// GroupStatus is the state of one group of five characters while a code
// is being typed.
type GroupStatus uint8

const (
	// GroupEmpty: nothing typed in this group yet.
	GroupEmpty GroupStatus = iota
	// GroupPartial: some characters typed, all valid.
	GroupPartial
	// GroupFilled: all characters typed and valid, not yet checked (the
	// rest of its check block is still missing).
	GroupFilled
	// GroupOK: checked and right.
	GroupOK
	// GroupCorrected: checked; a character in this group was corrected.
	GroupCorrected
	// GroupInvalid: holds a character outside the alphabet, or its check
	// block failed.
	GroupInvalid
)

var groupStatusNames = [...]string{"empty", "partial", "filled", "ok", "corrected", "invalid"}

func (s GroupStatus) String() string {
	if int(s) < len(groupStatusNames) {
		return groupStatusNames[s]
	}
	return "invalid"
}

// MarshalText returns the status name: "empty", "partial", "filled", "ok",
// "corrected" or "invalid".
func (s GroupStatus) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// GroupState is one group of five characters of a code being typed.
type GroupState struct {
	Text   string // the characters typed in this group, canonical where valid
	Status GroupStatus
}

// Progress is the state of a device code that is being typed, as
// CheckPartial reports it.
type Progress struct {
	// Canonical is the input so far: valid characters in canonical form,
	// invalid ones as typed, grouped by five with hyphens.
	Canonical string
	// Typed counts the code characters typed (separators not counted).
	Typed int
	// Groups has one entry per group of the complete code (five for a
	// device code).
	Groups []GroupState
	// Complete is true when exactly Len valid characters have been typed.
	Complete bool
	// Err is the first problem: a *SyntaxError, a *LengthError once too
	// many characters are typed, an error matching ErrUncorrectable once a
	// check block is complete and wrong, or, for a complete code, one
	// matching ErrVersion. A shorter input is not an error.
	Err error
	// Result is the parsed code when Complete and Err is nil.
	Result Parsed
}

// CheckPartial checks a device code while it is typed, for a form that
// marks each group as it fills. For complete input it agrees with Parse:
// Complete && Err == nil exactly when Parse succeeds, and Result is what
// Parse returns.
func CheckPartial(s string) Progress {
	p, code := deviceScheme.check(s)
	if !p.Complete || p.Err != nil {
		return p
	}
	c := fromSymbols(code)
	if c.Version != FormatVersion {
		p.Err = versionError(c.Version)
		p.Groups[0].Status = GroupInvalid
		return p
	}
	p.Result = Parsed{Code: c, Canonical: deviceScheme.format(code), Corrections: p.Result.Corrections}
	return p
}

// Per-character states inside check.
const (
	charValid = iota + 1
	charInvalid
	charOK
	charCorrected
	charFailed
)

// check is the group-by-group check of possibly incomplete input. Every
// check block whose characters are all typed and valid is checked (and
// corrected). When the input is complete and every block checks, it
// returns the corrected symbols, with the corrections in p.Result.
func (s *scheme) check(input string) (p Progress, code []byte) {
	var canon strings.Builder
	syms := make([]byte, 0, s.n)
	chars := make([]rune, 0, s.n)
	state := make([]uint8, s.n)
	typed, pos := 0, 0
	for _, r := range input {
		pos++
		v := symbolOf(r)
		if v == symSeparator {
			continue
		}
		if typed > 0 && typed%groupSize == 0 {
			canon.WriteByte('-')
		}
		if v == symInvalid {
			if p.Err == nil {
				p.Err = &SyntaxError{Pos: pos, Char: r}
			}
		} else {
			r = rune(alphabet[v])
		}
		canon.WriteRune(r)
		if typed < s.n {
			chars = append(chars, r)
			syms = append(syms, v)
			state[typed] = charValid
			if v == symInvalid {
				state[typed] = charInvalid
			}
		}
		typed++
	}
	p.Canonical = canon.String()
	p.Typed = typed
	if typed > s.n && p.Err == nil {
		p.Err = &LengthError{Got: typed, Want: s.n}
	}
	p.Complete = typed == s.n && p.Err == nil

	start := 0
	for _, b := range s.blocks {
		end := start + b
		if end > len(syms) || blockHas(state[start:end], charInvalid) {
			start = end
			continue
		}
		block := syms[start:end]
		i, was, ok := rsCorrect(block)
		switch {
		case !ok:
			fill(state[start:end], charFailed)
			if p.Err == nil {
				p.Err = s.checkError(start, b)
			}
		default:
			fill(state[start:end], charOK)
			if i >= 0 {
				state[start+i] = charCorrected
				p.Result.Corrections = append(p.Result.Corrections,
					Correction{Pos: start + i + 1, Was: alphabet[was], Became: alphabet[block[i]]})
			}
		}
		start = end
	}

	groups := (s.n + groupSize - 1) / groupSize
	p.Groups = make([]GroupState, groups)
	for g := range p.Groups {
		lo, hi := g*groupSize, min((g+1)*groupSize, s.n)
		if lo < len(chars) {
			p.Groups[g].Text = string(chars[lo:min(hi, len(chars))])
		}
		p.Groups[g].Status = groupStatus(state[lo:hi])
	}
	if !p.Complete || p.Err != nil {
		p.Result = Parsed{}
		return p, nil
	}
	return p, syms
}

func groupStatus(st []uint8) GroupStatus {
	var n, valid, invalid, ok, corrected int
	for _, c := range st {
		switch c {
		case 0:
			continue
		case charInvalid, charFailed:
			invalid++
		case charValid:
			valid++
		case charOK:
			ok++
		case charCorrected:
			corrected++
		}
		n++
	}
	switch {
	case n == 0:
		return GroupEmpty
	case invalid > 0:
		return GroupInvalid
	case n < len(st):
		return GroupPartial
	case valid > 0:
		return GroupFilled
	case corrected > 0:
		return GroupCorrected
	}
	return GroupOK
}

func blockHas(st []uint8, v uint8) bool {
	for _, c := range st {
		if c == v {
			return true
		}
	}
	return false
}

func fill(st []uint8, v uint8) {
	for i := range st {
		st[i] = v
	}
}
