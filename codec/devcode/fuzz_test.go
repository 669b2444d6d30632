package devcode

import (
	"errors"
	"slices"
	"testing"

	"licet.dev/licet/codec/internal/vectors"
)

// FuzzParse checks that Parse never panics, returns a zero Parsed on
// error, returns a canonical form that re-parses to the same code without
// corrections, and agrees with CheckPartial and UnmarshalText.
func FuzzParse(f *testing.F) {
	for _, g := range vectors.Load[vectorFile](f, vectorPath).TestGroups {
		for _, v := range g.Tests {
			f.Add(v.Input)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		part := CheckPartial(s)
		var c DeviceCode
		uerr := c.UnmarshalText([]byte(s))
		if err != nil {
			if !isZero(p) {
				t.Fatalf("error %v with result %+v", err, p)
			}
			if ErrorKind(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			if part.Complete && part.Err == nil {
				t.Fatalf("CheckPartial accepts what Parse rejects: %v", err)
			}
			if uerr == nil || c != (DeviceCode{}) {
				t.Fatalf("UnmarshalText accepts what Parse rejects: %+v", c)
			}
			return
		}
		if p.Canonical != p.Code.String() {
			t.Fatalf("canonical %q, String %q", p.Canonical, p.Code.String())
		}
		q, err := Parse(p.Canonical)
		if err != nil || q.Code != p.Code || q.Canonical != p.Canonical || q.Corrected() {
			t.Fatalf("re-parse of %q: %+v %v", p.Canonical, q, err)
		}
		b, err := p.Code.MarshalText()
		if err != nil || string(b) != p.Canonical {
			t.Fatalf("MarshalText: %q %v", b, err)
		}
		if len(p.Corrections) > 1 {
			t.Fatalf("%d corrections", len(p.Corrections))
		}
		if !part.Complete || part.Err != nil || part.Result.Code != p.Code || !slices.Equal(part.Result.Corrections, p.Corrections) {
			t.Fatalf("CheckPartial %+v, Parse %+v", part, p)
		}
		if p.Corrected() != errors.Is(uerr, ErrNeedsCorrection) || (uerr == nil) != (c == p.Code) {
			t.Fatalf("UnmarshalText: %+v %v", c, uerr)
		}
	})
}

// FuzzSchemeCorrect decodes arbitrary symbols with a multi-block scheme:
// no panic; a success leaves a codeword in every block, at most one
// correction per block, each of which changed exactly the reported symbol.
func FuzzSchemeCorrect(f *testing.F) {
	s := newScheme(30, 30, 20)
	f.Add(make([]byte, s.n))
	data := make([]byte, s.k)
	for i := range data {
		data[i] = byte(i*7) & 31
	}
	f.Add(s.encode(nil, data))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < s.n {
			return
		}
		code := make([]byte, s.n)
		for i := range code {
			code[i] = in[i] & 31
		}
		orig := slices.Clone(code)
		corr, err := s.correct(code)
		if err != nil {
			if !errors.Is(err, ErrUncorrectable) {
				t.Fatalf("error %v", err)
			}
			return
		}
		start := 0
		for _, b := range s.blocks {
			if s1, s2, s3 := rsSyndromes(code[start : start+b]); s1|s2|s3 != 0 {
				t.Fatalf("block at %d is not a codeword after correction", start)
			}
			start += b
		}
		changed := 0
		for i := range code {
			if code[i] != orig[i] {
				changed++
				if !slices.Contains(corr, Correction{Pos: i + 1, Was: alphabet[orig[i]], Became: alphabet[code[i]]}) {
					t.Fatalf("unreported change at %d", i+1)
				}
			}
		}
		if changed != len(corr) || len(corr) > len(s.blocks) {
			t.Fatalf("%d changes, %d corrections", changed, len(corr))
		}
	})
}
