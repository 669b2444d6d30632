package confirm

import (
	"slices"
	"testing"

	"licet.dev/licet/codec/internal/vectors"
)

// FuzzParse checks that Parse never panics, returns a zero Parsed on
// error, returns a canonical form that re-parses to the same code without
// corrections and re-encodes to itself, and agrees with CheckPartial and
// UnmarshalText. Codes that parse are verified against the first vector
// group's order, which must not panic either.
func FuzzParse(f *testing.F) {
	v := vectors.Load[vectorFile](f, vectorPath)
	for _, g := range v.TestGroups {
		for _, tc := range g.Tests {
			f.Add(tc.Input)
		}
	}
	order := v.TestGroups[0].Order.license(f)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		part := CheckPartial(s)
		var u Code
		uerr := u.UnmarshalText([]byte(s))
		if err != nil {
			if p.Code != (Code{}) || p.Canonical != "" || p.Corrections != nil {
				t.Fatalf("error %v with result %+v", err, p)
			}
			if ErrorKind(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			if part.Complete && part.Err == nil {
				t.Fatalf("CheckPartial accepts what Parse rejects: %v", err)
			}
			if uerr == nil || u != (Code{}) {
				t.Fatalf("UnmarshalText accepts what Parse rejects: %+v", u)
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
		if len(p.Corrections) > 3 {
			t.Fatalf("%d corrections", len(p.Corrections))
		}
		if !part.Complete || part.Err != nil || part.Result.Canonical != p.Canonical || !slices.Equal(part.Result.Corrections, p.Corrections) {
			t.Fatalf("CheckPartial %+v, Parse %+v", part, p)
		}
		if (uerr == nil) != !p.Corrected() || (uerr == nil && u != p.Code) {
			t.Fatalf("UnmarshalText: %+v %v", u, uerr)
		}
		b, err := p.Code.MarshalBinary()
		if err != nil || len(b) != BinarySize {
			t.Fatalf("MarshalBinary: %x %v", b, err)
		}
		if g, err := Verify(order, testDevice, p.Code); (g == nil) == (err == nil) {
			t.Fatalf("Verify: %v %v", g, err)
		}
	})
}
