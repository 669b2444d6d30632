package devcode

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"licet.dev/licet/codec/internal/vectors"
)

const vectorPath = "testdata/vectors/devcode.json"

// The vector file, in the shape of Wycheproof's test vector files.
type vectorFile = vectors.File[vectorGroup]

type vectorGroup struct {
	Type  string   `json:"type"`
	Tests []vector `json:"tests"`
}

type vector struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags,omitempty"`
	Input   string   `json:"input"`
	// Result is "valid", "corrected" or "invalid" (DeviceCodeParse), or
	// "incomplete", "valid", "corrected", "invalid" (DeviceCodeCheckPartial).
	Result      string             `json:"result"`
	Canonical   string             `json:"canonical,omitempty"`
	Fields      *vectorFields      `json:"fields,omitempty"`
	Corrections []vectorCorrection `json:"corrections,omitempty"`
	Groups      []string           `json:"groups,omitempty"`
	Error       string             `json:"error,omitempty"`
	ErrorPos    int                `json:"errorPos,omitempty"`
}

type vectorFields struct {
	Version uint8  `json:"version"`
	Flags   uint8  `json:"flags"`
	Product uint16 `json:"product"`
	Digest  string `json:"digest"`
	Nonce   uint32 `json:"nonce"`
}

type vectorCorrection struct {
	Position int    `json:"position"`
	Was      string `json:"was"`
	Became   string `json:"became"`
}

func fieldsOf(c DeviceCode) *vectorFields {
	return &vectorFields{Version: c.Version, Flags: c.Flags, Product: c.Product, Digest: hex.EncodeToString(c.Digest[:]), Nonce: c.Nonce}
}

// vectorGen builds the vectors. Expected outcomes follow from how each
// input is made (a known code, a known substitution, a known pattern of
// two or more errors), never from running Parse; the encoder is checked
// independently by TestRSEncodeRoots and TestLayoutIndependent.
type vectorGen struct {
	rng   *rand.Rand
	tests []vector
}

func (g *vectorGen) add(v vector) {
	v.TcID = len(g.tests) + 1
	g.tests = append(g.tests, v)
}

func (g *vectorGen) randomCode() DeviceCode {
	var d [8]byte
	for i := range d {
		d[i] = byte(g.rng.Uint32())
	}
	return New(uint16(g.rng.Uint32()), d, g.rng.Uint32())
}

func (g *vectorGen) valid(comment string, flags []string, input string, c DeviceCode) {
	g.add(vector{Comment: comment, Flags: flags, Input: input, Result: "valid", Canonical: c.String(), Fields: fieldsOf(c)})
}

// symbolsOf returns the 25 symbols of c.
func symbolsOf(c DeviceCode) []byte {
	s := c.symbols()
	return s[:]
}

func textOf(sym []byte) string { return deviceScheme.format(sym) }

func generateVectors() vectorFile {
	g := &vectorGen{rng: rand.New(rand.NewPCG(0x6c69636574, 0x646576636f6465))}

	// Known codes, also shown in docs/formats.md.
	known := []struct {
		comment string
		code    DeviceCode
	}{
		{"all fields zero", New(0, [8]byte{}, 0)},
		{"product 1, digest 00..07, nonce 1", New(1, [8]byte{0, 1, 2, 3, 4, 5, 6, 7}, 1)},
		{"product 0x1234, digest 0123456789abcdef, nonce 0x2aaaaa", New(0x1234, [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, 0x2aaaaa)},
		{"every field at its maximum, reserved flags all set", DeviceCode{Version: 1, Flags: 15, Product: 0xffff, Digest: [8]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, Nonce: MaxNonce}},
		{"reserved flags 0101 are carried, not rejected", DeviceCode{Version: 1, Flags: 5, Product: 42, Digest: [8]byte{0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1}, Nonce: 7}},
	}
	for _, k := range known {
		g.valid(k.comment, []string{"Known"}, k.code.String(), k.code)
	}
	for range 12 {
		c := g.randomCode()
		g.valid("random code", []string{"Random"}, c.String(), c)
	}

	// Lenient input: one code holding both 0 and 1.
	var c DeviceCode
	for {
		c = g.randomCode()
		s := c.String()
		if strings.Count(s, "0") >= 2 && strings.Count(s, "1") >= 2 {
			break
		}
	}
	s := c.String()
	plain := strings.ReplaceAll(s, "-", "")
	lenient := []struct{ comment, input string }{
		{"lower case", strings.ToLower(s)},
		{"no hyphens", plain},
		{"spaces instead of hyphens", strings.ReplaceAll(s, "-", " ")},
		{"surrounding spaces, tab and newline", " \t" + s + "\r\n"},
		{"hyphens and spaces in odd places", "-" + plain[:3] + " - " + plain[3:11] + "--" + plain[11:] + "-"},
		{"every 0 typed as O", strings.ReplaceAll(s, "0", "O")},
		{"every 0 typed as o", strings.ReplaceAll(s, "0", "o")},
		{"every 1 typed as I", strings.ReplaceAll(s, "1", "I")},
		{"every 1 typed as l", strings.ReplaceAll(s, "1", "l")},
		{"every 1 typed as L, lower case otherwise", strings.ReplaceAll(strings.ToLower(s), "1", "L")},
		{"full-width letters and digits with full-width hyphens", toFullWidth(s)},
		{"ideographic spaces and en dashes as separators", strings.ReplaceAll(strings.Replace(s, "-", "\u3000", 2), "-", "\u2013")},
	}
	for _, l := range lenient {
		g.valid(l.comment, []string{"Lenient"}, l.input, c)
	}

	// One substitution at every position, data and check characters.
	for i := range Len {
		c := g.randomCode()
		sym := symbolsOf(c)
		typed := slices.Clone(sym)
		typed[i] ^= byte(1 + g.rng.IntN(31))
		g.corrected(fmt.Sprintf("one wrong character at position %d", i+1), []string{"Substitution"}, textOf(typed), c, i, typed[i])
	}
	{
		c := g.randomCode()
		sym := symbolsOf(c)
		i := 0
		for sym[i] == 0 {
			i++
		}
		typed := slices.Clone(sym)
		typed[i] = 0
		in := []byte(strings.ToLower(textOf(typed)))
		in[i+i/groupSize] = 'o'
		g.corrected("wrong character typed as o (read as 0), input in lower case", []string{"Substitution", "Lenient"}, string(in), c, i, 0)
	}

	// Adjacent transpositions, including across a group boundary and in
	// the check characters: always two substitutions, always rejected.
	for _, i := range []int{0, 1, 3, 4, 9, 12, 18, 20, 21, 22, 23} {
		var sym []byte
		for {
			sym = symbolsOf(g.randomCode())
			if sym[i] != sym[i+1] {
				break
			}
		}
		sym[i], sym[i+1] = sym[i+1], sym[i]
		g.add(vector{Comment: fmt.Sprintf("characters %d and %d swapped", i+1, i+2), Flags: []string{"Transposition"},
			Input: textOf(sym), Result: "invalid", Error: "uncorrectable"})
	}
	// Double substitutions.
	for _, p := range [][2]int{{0, 1}, {0, 24}, {2, 4}, {5, 10}, {7, 8}, {11, 19}, {14, 15}, {21, 22}, {22, 24}, {23, 24}} {
		sym := symbolsOf(g.randomCode())
		sym[p[0]] ^= byte(1 + g.rng.IntN(31))
		sym[p[1]] ^= byte(1 + g.rng.IntN(31))
		g.add(vector{Comment: fmt.Sprintf("characters %d and %d wrong", p[0]+1, p[1]+1), Flags: []string{"DoubleSubstitution"},
			Input: textOf(sym), Result: "invalid", Error: "uncorrectable"})
	}

	// Characters outside the alphabet; the position counts every character
	// of the input, hyphens included.
	syntax := []struct {
		comment string
		at      int // code character replaced
		char    string
	}{
		{"U is never used", 6, "U"},
		{"u is never used", 0, "u"},
		{"full-width U", 24, "Ｕ"},
		{"Crockford check symbol *", 24, "*"},
		{"punctuation", 12, "."},
		{"accented letter", 3, "É"},
		{"Cyrillic А that looks like A", 8, "А"},
		{"underscore as separator", 5, "_"},
	}
	for _, sx := range syntax {
		rs := []rune(g.randomCode().String())
		pos := sx.at + sx.at/groupSize
		rs[pos] = []rune(sx.char)[0]
		g.add(vector{Comment: sx.comment, Flags: []string{"Syntax"}, Input: string(rs), Result: "invalid", Error: "syntax", ErrorPos: pos + 1})
	}
	g.add(vector{Comment: "a bad character is reported before the length", Flags: []string{"Syntax"}, Input: "ABCU", Result: "invalid", Error: "syntax", ErrorPos: 4})

	// Wrong lengths.
	full := strings.ReplaceAll(g.randomCode().String(), "-", "")
	for _, l := range []struct {
		comment, input string
	}{
		{"empty", ""},
		{"separators only", " - - "},
		{"one group", full[:5]},
		{"one character missing", full[:24]},
		{"one character too many", full + "0"},
		{"two codes run together", full + full},
	} {
		g.add(vector{Comment: l.comment, Flags: []string{"Length"}, Input: l.input, Result: "invalid", Error: "length"})
	}

	// Codes that check but carry another format version.
	for _, v := range []uint8{0, 2, 15} {
		c := g.randomCode()
		c.Version = v
		var w BitWriter
		w.Uint(uint64(v), 4)
		w.Uint(0, 4)
		w.Uint(uint64(c.Product), 16)
		for _, b := range c.Digest {
			w.Uint(uint64(b), 8)
		}
		w.Uint(uint64(c.Nonce), NonceBits)
		sym := deviceScheme.encode(nil, w.appendSymbols(nil))
		g.add(vector{Comment: fmt.Sprintf("format version %d", v), Flags: []string{"Version"}, Input: textOf(sym), Result: "invalid", Error: "version"})
	}

	// Beyond the guarantee: three wrong characters can land at distance 1
	// from another code. Made from a weight-4 codeword w (one data symbol
	// at position j and the three check symbols): typing c+w without its
	// symbol at j is three substitutions away from c and one from c+w.
	for _, j := range []int{21, 13} {
		c := g.randomCode()
		data := make([]byte, dataLen)
		data[j] = byte(1 + g.rng.IntN(31))
		w := deviceScheme.encode(nil, data)
		other := symbolsOf(c)
		for i := range other {
			other[i] ^= w[i]
		}
		typed := slices.Clone(other)
		typed[j] ^= w[j]
		g.corrected(fmt.Sprintf("three wrong characters read as another code: beyond the guarantee, corrected at %d to a different code", j+1),
			[]string{"BeyondGuarantee"}, textOf(typed), fromSymbols(other), j, typed[j])
	}
	nparse := len(g.tests)

	// Group-by-group checking while typing.
	c = g.randomCode()
	s = c.String()
	sym := symbolsOf(c)
	typo := slices.Clone(sym)
	typo[13] ^= 7
	typoText := textOf(typo)
	bad := []rune(s[:8])
	bad[6] = 'U'
	two := slices.Clone(sym)
	two[1] ^= 3
	two[20] ^= 9
	for _, p := range []struct {
		comment, input, result string
		groups                 []string
		err                    string
		pos                    int
		corr                   bool
		twoErr                 bool
	}{
		{"nothing typed", "", "incomplete", []string{"empty", "empty", "empty", "empty", "empty"}, "", 0, false, false},
		{"three characters", s[:3], "incomplete", []string{"partial", "empty", "empty", "empty", "empty"}, "", 0, false, false},
		{"two groups and a hyphen", s[:12], "incomplete", []string{"filled", "filled", "empty", "empty", "empty"}, "", 0, false, false},
		{"twelve characters in lower case without hyphens", strings.ToLower(strings.ReplaceAll(s, "-", ""))[:12], "incomplete", []string{"filled", "filled", "partial", "empty", "empty"}, "", 0, false, false},
		{"U in group 2", string(bad), "invalid", []string{"filled", "invalid", "empty", "empty", "empty"}, "syntax", 7, false, false},
		{"complete and right", s, "valid", []string{"ok", "ok", "ok", "ok", "ok"}, "", 0, false, false},
		{"complete with a typo in group 3", typoText, "corrected", []string{"ok", "ok", "corrected", "ok", "ok"}, "", 0, true, false},
		{"complete with two typos", textOf(two), "invalid", []string{"invalid", "invalid", "invalid", "invalid", "invalid"}, "uncorrectable", 0, false, true},
		{"one character too many", s + "7", "invalid", []string{"ok", "ok", "ok", "ok", "ok"}, "length", 0, false, false},
	} {
		v := vector{Comment: p.comment, Input: p.input, Result: p.result, Groups: p.groups, Error: p.err, ErrorPos: p.pos}
		if p.result == "valid" || p.result == "corrected" {
			v.Canonical, v.Fields = s, fieldsOf(c)
		}
		if p.corr {
			v.Corrections = []vectorCorrection{{Position: 14, Was: string(alphabet[typo[13]]), Became: string(alphabet[sym[13]])}}
		}
		g.add(v)
	}
	parse, partial := g.tests[:nparse], g.tests[nparse:]

	return vectorFile{
		Algorithm:     "licet device code, format version 1",
		Generator:     "go test ./codec/devcode -run TestVectors -update (generateVectors in vectors_test.go)",
		NumberOfTests: len(parse) + len(partial),
		Header: []string{
			"Device codes: 25 Crockford base32 characters, 22 data + 3 Reed-Solomon check characters over GF(32).",
			"Layout and alphabet: docs/formats.md, section Device codes.",
			"DeviceCodeParse: result is valid (accepted as typed), corrected (accepted after the listed corrections) or invalid (error names the kind: syntax, length, uncorrectable, version; errorPos is the 1-based position of a bad character in the input).",
			"DeviceCodeCheckPartial: the input as typed so far; groups are the states of the five groups; result is incomplete, valid, corrected or invalid.",
		},
		Notes: map[string]string{
			"Known":              "Codes with chosen field values, also listed in docs/formats.md.",
			"Random":             "Codes with random fields from a seeded generator.",
			"Lenient":            "Case, separators, O/I/L aliases and full-width forms that must read as the code.",
			"Substitution":       "One wrong character: corrected, and the correction reported.",
			"Transposition":      "Two different neighbouring characters swapped: always rejected.",
			"DoubleSubstitution": "Two wrong characters: always rejected.",
			"Syntax":             "A character outside the alphabet, with its position in the input.",
			"Length":             "Other than 25 code characters.",
			"Version":            "A code whose check characters match but whose format version is not 1.",
			"BeyondGuarantee":    "Three wrong characters that happen to lie next to another code: read as that code. Documents the limit of the check.",
		},
		TestGroups: []vectorGroup{{Type: "DeviceCodeParse", Tests: parse}, {Type: "DeviceCodeCheckPartial", Tests: partial}},
	}
}

// corrected adds a vector for typed, which reads as c after correcting
// position i (0-based) from the symbol was.
func (g *vectorGen) corrected(comment string, flags []string, input string, c DeviceCode, i int, was byte) {
	want := symbolsOf(c)
	g.add(vector{Comment: comment, Flags: flags, Input: input, Result: "corrected", Canonical: c.String(), Fields: fieldsOf(c),
		Corrections: []vectorCorrection{{Position: i + 1, Was: string(alphabet[was]), Became: string(alphabet[want[i]])}}})
}

func toFullWidth(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-':
			b.WriteRune(0xff0d)
		default:
			b.WriteRune(r - '0' + 0xff10)
		}
	}
	return b.String()
}

// TestVectorsGenerated keeps the checked-in file equal to the generator's
// output; -update rewrites it.
func TestVectorsGenerated(t *testing.T) {
	vectors.Check(t, vectorPath, vectors.Marshal(generateVectors()))
}

func TestVectors(t *testing.T) {
	f := vectors.Load[vectorFile](t, vectorPath)
	n := 0
	for _, grp := range f.TestGroups {
		for _, v := range grp.Tests {
			n++
			t.Run(fmt.Sprintf("%s/%d", grp.Type, v.TcID), func(t *testing.T) {
				switch grp.Type {
				case "DeviceCodeParse":
					checkParseVector(t, v)
				case "DeviceCodeCheckPartial":
					checkPartialVector(t, v)
				default:
					t.Fatalf("unknown group type %q", grp.Type)
				}
			})
		}
	}
	if n != f.NumberOfTests || n < 100 {
		t.Fatalf("%d tests, numberOfTests %d", n, f.NumberOfTests)
	}
}

func checkParseVector(t *testing.T, v vector) {
	p, err := Parse(v.Input)
	if v.Result == "invalid" {
		if err == nil {
			t.Fatalf("%s: %q accepted as %s", v.Comment, v.Input, p.Canonical)
		}
		if kind := ErrorKind(err); kind != v.Error {
			t.Fatalf("%s: error %v (kind %q), want kind %q", v.Comment, err, kind, v.Error)
		}
		if se, ok := err.(*SyntaxError); ok && se.Pos != v.ErrorPos {
			t.Fatalf("%s: error at %d, want %d", v.Comment, se.Pos, v.ErrorPos)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %q: %v", v.Comment, v.Input, err)
	}
	checkResult(t, v, p)
	if got := map[bool]string{false: "valid", true: "corrected"}[p.Corrected()]; got != v.Result {
		t.Fatalf("%s: result %s, want %s", v.Comment, got, v.Result)
	}
}

func checkResult(t *testing.T, v vector, p Parsed) {
	t.Helper()
	if p.Canonical != v.Canonical || p.Code.String() != v.Canonical {
		t.Fatalf("%s: canonical %s, want %s", v.Comment, p.Canonical, v.Canonical)
	}
	if got := fieldsOf(p.Code); *got != *v.Fields {
		t.Fatalf("%s: fields %+v, want %+v", v.Comment, got, v.Fields)
	}
	var corr []vectorCorrection
	for _, c := range p.Corrections {
		corr = append(corr, vectorCorrection{Position: c.Pos, Was: string(c.Was), Became: string(c.Became)})
	}
	if !slices.Equal(corr, v.Corrections) {
		t.Fatalf("%s: corrections %v, want %v", v.Comment, corr, v.Corrections)
	}
}

func checkPartialVector(t *testing.T, v vector) {
	p := CheckPartial(v.Input)
	var groups []string
	for _, g := range p.Groups {
		groups = append(groups, g.Status.String())
	}
	if !slices.Equal(groups, v.Groups) {
		t.Fatalf("%s: groups %v, want %v", v.Comment, groups, v.Groups)
	}
	if kind := ErrorKind(p.Err); kind != v.Error {
		t.Fatalf("%s: error %v, want kind %q", v.Comment, p.Err, v.Error)
	}
	if se, ok := p.Err.(*SyntaxError); ok && se.Pos != v.ErrorPos {
		t.Fatalf("%s: error at %d, want %d", v.Comment, se.Pos, v.ErrorPos)
	}
	result := "incomplete"
	switch {
	case p.Err != nil:
		result = "invalid"
	case p.Complete && p.Result.Corrected():
		result = "corrected"
	case p.Complete:
		result = "valid"
	}
	if result != v.Result {
		t.Fatalf("%s: result %s, want %s", v.Comment, result, v.Result)
	}
	if result == "valid" || result == "corrected" {
		checkResult(t, v, p.Result)
	}
}
