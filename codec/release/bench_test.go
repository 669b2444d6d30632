package release

import "testing"

func BenchmarkCode(b *testing.B) {
	a := Activation{License: idOf("bench")}
	b.ReportAllocs()
	for b.Loop() {
		_ = a.Code(20500).String()
	}
}

func BenchmarkParseCheck(b *testing.B) {
	a := Activation{License: idOf("bench")}
	s := a.Code(20500).String()
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(s)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Check(p.Code); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromFile(b *testing.B) {
	file := signedFile(b, deviceLicense()).Marshal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromFile(file); err != nil {
			b.Fatal(err)
		}
	}
}
