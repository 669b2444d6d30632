package release

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/internal/vectors"
)

const vectorPath = "testdata/vectors/release.json"

type vectorFile = vectors.File[vectorGroup]

// vectorGroup is one activation: a license file or a confirmation code.
type vectorGroup struct {
	Type         string   `json:"type"` // ReleaseCodeFile or ReleaseCodeConfirmation
	Comment      string   `json:"comment"`
	File         string   `json:"file,omitempty"`         // the license file, CBOR, hex
	Confirmation string   `json:"confirmation,omitempty"` // the confirmation code, canonical
	LicenseID    string   `json:"licenseId"`
	Secret       string   `json:"secret"` // the release secret, hex
	Tests        []vector `json:"tests"`
}

type vector struct {
	TcID        int                `json:"tcId"`
	Comment     string             `json:"comment"`
	Flags       []string           `json:"flags,omitempty"`
	Input       string             `json:"input"`
	Result      string             `json:"result"` // valid, corrected or invalid
	Canonical   string             `json:"canonical,omitempty"`
	Day         *uint16            `json:"day,omitempty"` // days since 1970-01-01
	Corrections []vectorCorrection `json:"corrections,omitempty"`
	Error       string             `json:"error,omitempty"` // ErrorKind
}

type vectorCorrection struct {
	Position int    `json:"position"`
	Was      string `json:"was"`
	Became   string `json:"became"`
}

const symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// substitute replaces the character at 0-based position i of a canonical
// code by the one d further in the alphabet.
func substitute(code string, i, d int) (string, vectorCorrection) {
	b := []byte(strings.ReplaceAll(code, "-", ""))
	was := b[i]
	b[i] = symbols[(strings.IndexByte(symbols, was)+d)%32]
	var parts []string
	s := string(b)
	for len(s) > 5 {
		parts, s = append(parts, s[:5]), s[5:]
	}
	return strings.Join(append(parts, s), "-"), vectorCorrection{Position: i + 1, Was: string(b[i]), Became: string(was)}
}

// encodeRaw encodes fields without the checks of Code.String.
func encodeRaw(version, flags uint8, c Code, pad uint64) string {
	var w devcode.BitWriter
	w.Uint(uint64(version), versionBits)
	w.Uint(uint64(flags), flagBits)
	w.Bytes(c.License[:])
	w.Uint(uint64(c.Day), dayBits)
	w.Bytes(c.Tag[:])
	w.Uint(pad, padBits)
	s, err := layout.Encode(&w)
	if err != nil {
		panic(err)
	}
	return s
}

// generateVectors builds the vectors. Expected outcomes follow from how
// each input is made (a code made for the group's activation on a known
// day, known substitutions, a code of another activation, fields set out
// of range), never from running Parse or Check.
func generateVectors(t testing.TB) vectorFile {
	next := 0
	add := func(g *vectorGroup, v vector) {
		next++
		v.TcID = next
		g.Tests = append(g.Tests, v)
	}
	valid := func(g *vectorGroup, a *Activation, comment string, flags []string, day uint16) Code {
		c := a.Code(day)
		d := day
		add(g, vector{Comment: comment, Flags: flags, Input: c.String(), Result: "valid", Canonical: c.String(), Day: &d})
		return c
	}

	f := signedFile(t, deviceLicense())
	a, err := FromLicenseFile(f)
	if err != nil {
		t.Fatal(err)
	}
	g1 := vectorGroup{Type: "ReleaseCodeFile", Comment: "device license for the device code of docs/formats.md, signed by the vendor",
		File: hex.EncodeToString(f.Marshal()), LicenseID: a.License.String(), Secret: hex.EncodeToString(a.Secret[:])}
	for _, day := range []uint16{0, 20454, 20455, 0xffff} {
		valid(&g1, &a, fmt.Sprintf("released on day %d", day), []string{"Known"}, day)
	}
	c := a.Code(20500)
	d := c.Day
	add(&g1, vector{Comment: "lower case, spaces", Flags: []string{"Lenient"}, Input: strings.ToLower(strings.ReplaceAll(c.String(), "-", " ")),
		Result: "valid", Canonical: c.String(), Day: &d})
	for _, pos := range [][]int{{0}, {19}, {20}, {39}, {7, 33}} {
		in := c.String()
		var corr []vectorCorrection
		for i, p := range pos {
			var k vectorCorrection
			in, k = substitute(in, p, 5+7*i)
			corr = append(corr, k)
		}
		add(&g1, vector{Comment: fmt.Sprintf("one wrong character in a check block at %v", pos), Flags: []string{"Substitution"},
			Input: in, Result: "corrected", Canonical: c.String(), Day: &d, Corrections: corr})
	}
	two, _ := substitute(c.String(), 22, 1)
	two, _ = substitute(two, 30, 2)
	add(&g1, vector{Comment: "two wrong characters in block 21-40", Flags: []string{"DoubleSubstitution"}, Input: two, Result: "invalid", Error: "uncorrectable"})
	add(&g1, vector{Comment: "U is never part of a code", Flags: []string{"Syntax"}, Input: c.String()[:8] + "U" + c.String()[9:], Result: "invalid", Error: "syntax"})
	add(&g1, vector{Comment: "39 characters", Flags: []string{"Length"}, Input: c.String()[:46], Result: "invalid", Error: "length"})
	tampered := c
	tampered.Day++
	add(&g1, vector{Comment: "day changed without the tag", Flags: []string{"BadTag"}, Input: tampered.String(), Result: "invalid", Error: "bad-tag"})
	tampered = c
	tampered.Tag[0] ^= 0x80
	add(&g1, vector{Comment: "tag changed", Flags: []string{"BadTag"}, Input: tampered.String(), Result: "invalid", Error: "bad-tag"})
	same := a
	same.Secret[0] ^= 1
	add(&g1, vector{Comment: "made with another secret for the same license id", Flags: []string{"BadTag"}, Input: same.Code(20500).String(), Result: "invalid", Error: "bad-tag"})
	otherID := a
	otherID.License[0] ^= 1
	add(&g1, vector{Comment: "code of another license", Flags: []string{"OtherLicense"}, Input: otherID.Code(20500).String(), Result: "invalid", Error: "other-license"})
	add(&g1, vector{Comment: "format version 2", Flags: []string{"Version"}, Input: encodeRaw(2, 0, c, 0), Result: "invalid", Error: "version"})
	add(&g1, vector{Comment: "reserved flag set", Flags: []string{"Malformed"}, Input: encodeRaw(1, 1, c, 0), Result: "invalid", Error: "malformed"})
	add(&g1, vector{Comment: "padding bit set", Flags: []string{"Malformed"}, Input: encodeRaw(1, 0, c, 1), Result: "invalid", Error: "malformed"})

	key, err := confirm.NewKeyFromSeed(bytes.Repeat([]byte{0x5e}, confirm.SeedSize))
	if err != nil {
		t.Fatal(err)
	}
	order := testOrder()
	order.ConfirmKey = key.Public().ConfirmKey()
	cc, err := confirm.New(key, order, testDevice, 90)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FromConfirmation(cc)
	if err != nil {
		t.Fatal(err)
	}
	g2 := vectorGroup{Type: "ReleaseCodeConfirmation", Comment: "terminal activated with a confirmation code",
		Confirmation: cc.String(), LicenseID: b.License.String(), Secret: hex.EncodeToString(b.Secret[:])}
	valid(&g2, &b, "released on day 20460", []string{"Known"}, 20460)
	add(&g2, vector{Comment: "code of the license-file activation", Flags: []string{"OtherLicense"}, Input: c.String(), Result: "invalid", Error: "other-license"})

	return vectorFile{
		Algorithm:     "licet-release-code",
		Generator:     "codec/release/vectors_test.go generateVectors (go test ./codec/release -run TestVectors -update)",
		NumberOfTests: next,
		Header: []string{
			"Release codes (docs/formats.md, Release codes): 40 characters of Crockford base32 in two",
			"Reed-Solomon blocks of 20 carrying version (4 bits), flags (4), the license id's first 8 bytes,",
			"the day (16), an 80-bit HMAC-SHA256 tag and 2 zero bits. Each group is one activation with its",
			"license id and release secret; each test a typed code and what Parse and Activation.Check give.",
		},
		Notes: map[string]string{
			"Known":              "a code made for the group's activation",
			"Lenient":            "case and separators",
			"Substitution":       "one wrong character in one or both check blocks, corrected",
			"DoubleSubstitution": "two wrong characters in one check block: rejected",
			"Syntax":             "a character outside the alphabet",
			"Length":             "other than 40 characters",
			"BadTag":             "the tag does not verify under the group's secret",
			"OtherLicense":       "the code names another license",
			"Version":            "a format version other than 1",
			"Malformed":          "reserved flags or padding bits set",
		},
		TestGroups: []vectorGroup{g1, g2},
	}
}

// TestVectorsGenerated keeps the vector file equal to the generator's
// output; -update rewrites it.
func TestVectorsGenerated(t *testing.T) {
	vectors.Check(t, vectorPath, vectors.Marshal(generateVectors(t)))
}

func TestVectors(t *testing.T) {
	v := vectors.Load[vectorFile](t, vectorPath)
	n := 0
	for _, g := range v.TestGroups {
		var a Activation
		var err error
		switch g.Type {
		case "ReleaseCodeFile":
			b, herr := hex.DecodeString(g.File)
			if herr != nil {
				t.Fatal(herr)
			}
			a, err = FromFile(b)
		case "ReleaseCodeConfirmation":
			var c confirm.Code
			if err := c.UnmarshalText([]byte(g.Confirmation)); err != nil {
				t.Fatal(err)
			}
			a, err = FromConfirmation(c)
		default:
			t.Fatalf("group type %q", g.Type)
		}
		if err != nil || a.License.String() != g.LicenseID || hex.EncodeToString(a.Secret[:]) != g.Secret {
			t.Fatalf("%s: activation %s %x %v", g.Type, a.License, a.Secret, err)
		}
		for _, tc := range g.Tests {
			n++
			t.Run(fmt.Sprintf("%d %s", tc.TcID, tc.Comment), func(t *testing.T) {
				p, err := Parse(tc.Input)
				if err == nil {
					err = a.Check(p.Code)
				}
				if tc.Result == "invalid" {
					if err == nil || ErrorKind(err) != tc.Error {
						t.Fatalf("got %v (kind %q), want %q", err, ErrorKind(err), tc.Error)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var corr []vectorCorrection
				for _, c := range p.Corrections {
					corr = append(corr, vectorCorrection{Position: c.Pos, Was: string(c.Was), Became: string(c.Became)})
				}
				if !slices.Equal(corr, tc.Corrections) || (tc.Result == "corrected") != p.Corrected() {
					t.Fatalf("corrections %v, want %v", corr, tc.Corrections)
				}
				if p.Canonical != tc.Canonical || p.Code.Day != *tc.Day || a.Code(*tc.Day).String() != tc.Canonical {
					t.Fatalf("got %s day %d", p.Canonical, p.Code.Day)
				}
			})
		}
	}
	if n != v.NumberOfTests || n < 15 {
		t.Fatalf("%d tests, header says %d", n, v.NumberOfTests)
	}
}
