package fingerprint

import (
	"strings"
	"testing"
)

func rec(t testing.TB, cs ...Component) *Record {
	t.Helper()
	r, err := NewRecord(cs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func c(k Kind, b byte) Component { return Component{k, Hash{b}} }

func TestMatchEdgeCases(t *testing.T) {
	birth := rec(t, c(KindMachineID, 1), c(KindNIC, 2))
	for _, tc := range []struct {
		name  string
		birth *Record
		now   *Record
		p     Policy
		want  string
	}{
		{"nil birth", nil, birth, Fuzzy, "no match (fuzzy): the birth record is empty"},
		{"empty birth", &Record{}, birth, Loose, "no match (loose): the birth record is empty"},
		{"nil now", birth, nil, Fuzzy, "no match (fuzzy): anchor missing: machine-id; no hardware component matched"},
		{"machine-id alone is not enough", birth, rec(t, c(KindMachineID, 1), c(KindNIC, 3)), Fuzzy, "no hardware component matched"},
		{"descriptive only", rec(t, c(KindCPU, 1)), rec(t, c(KindCPU, 1)), Fuzzy, "no identifying component"},
		{"descriptive only, exact", rec(t, c(KindCPU, 1)), rec(t, c(KindCPU, 1)), Exact, "match (exact)"},
		{"descriptive only, loose", rec(t, c(KindCPU, 1)), rec(t, c(KindCPU, 1)), Loose, "no identifying component"},
		{"unknown policy", birth, birth, Policy(7), "unknown policy"},
		{"machine-id only birth", rec(t, c(KindMachineID, 1)), rec(t, c(KindMachineID, 1)), Fuzzy, "match (fuzzy)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Match(tc.birth, tc.now, tc.p)
			if !strings.Contains(res.Summary, tc.want) {
				t.Errorf("summary %q lacks %q", res.Summary, tc.want)
			}
			if res.OK != strings.HasPrefix(res.Summary, "match") {
				t.Errorf("OK = %v with summary %q", res.OK, res.Summary)
			}
		})
	}
}

func TestFuzzyNeed(t *testing.T) {
	// need = ceil(n/2), but one NIC or disk may always be replaced.
	for n, want := range []int{0, 0, 1, 2, 2, 3, 3, 4} {
		cs := []Component{c(KindProductUUID, 200)}
		for i := range n {
			cs = append(cs, c(KindDisk, byte(i)))
		}
		r := rec(t, cs...)
		if got := Match(r, r, Fuzzy).Need; got != want {
			t.Errorf("n=%d: need %d, want %d", n, got, want)
		}
	}
}

func TestPolicyText(t *testing.T) {
	for _, p := range []Policy{Exact, Fuzzy, Loose} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var q Policy
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("%v: %v %v", p, q, err)
		}
	}
	if p, err := ParsePolicy(""); err != nil || p != Fuzzy {
		t.Errorf("default policy %v %v", p, err)
	}
	if _, err := ParsePolicy("strict"); err == nil {
		t.Error("unknown policy parsed")
	}
	if _, err := Policy(9).MarshalText(); err == nil {
		t.Error("unknown policy marshalled")
	}
}

func TestNormalisers(t *testing.T) {
	for _, tc := range []struct {
		f        func(string) (string, error)
		in, want string
		err      error
	}{
		{normMachineID, "0123456789ABCDEF0123456789abcdef\n", "0123456789abcdef0123456789abcdef", nil},
		{normMachineID, "00000000000000000000000000000000", "", errPlaceholder},
		{normMachineID, "0123", "", errMalformed},
		{normMachineID, "0123456789abcdef0123456789abcdeg", "", errMalformed},
		{normDMI, "4C4C4544-0042-3910-8033-B4C04F4A4E32", "4c4c4544-0042-3910-8033-b4c04f4a4e32", nil},
		{normDMI, "To Be Filled By O.E.M.", "", errPlaceholder},
		{normDMI, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", "", errPlaceholder},
		{normDMI, "03000200-0400-0500-0006-000700080009", "", errPlaceholder},
		{normDMI, "  ABC  123 ", "abc 123", nil},
		{normDMI, "ab\x01c", "", errMalformed},
		{normMAC, "00:1B:21:3A:4F:5E", "00:1b:21:3a:4f:5e", nil},
		{normMAC, "00-1b-21-3a-4f-5e", "", errMalformed},
		{normMAC, "0g:1b:21:3a:4f:5e", "", errMalformed},
		{normMAC, "06:1b:21:3a:4f:5e", "", errLocalMAC},
		{normSerial, " S4EW  NX0N ", "S4EW NX0N", nil},
		{normSerial, "0x00000000", "", errPlaceholder},
		{normSerial, "QM00003", "", errPlaceholder},
		{normSerial, "", "", errNoSerial},
		{normSerial, "a\x7fb", "", errMalformed},
	} {
		got, err := tc.f(tc.in)
		if got != tc.want || err != tc.err {
			t.Errorf("normalise(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	if v, err := parseVPD80([]byte{0, 0x80, 0, 3, 'a', 'b', 'c', 'x'}); v != "abc" || err != nil {
		t.Errorf("parseVPD80 = %q, %v", v, err)
	}
	for _, b := range [][]byte{nil, {0, 0x80, 0}, {0, 0x80, 0, 9, 'a'}} {
		if _, err := parseVPD80(b); err == nil {
			t.Errorf("parseVPD80(%x) accepted", b)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	var cs []Component
	for i := range 12 {
		cs = append(cs, Component{Kind(i%8 + 1), Hash{byte(i)}})
	}
	birth, _ := NewRecord(cs)
	cs[5].Hash[1] = 1
	now, _ := NewRecord(cs)
	b.ReportAllocs()
	for b.Loop() {
		Match(birth, now, Fuzzy)
	}
}
