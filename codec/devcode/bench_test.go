package devcode

import "testing"

var benchCode = New(0x1234, [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, 0x2aaaaa)

func BenchmarkParse(b *testing.B) {
	s := benchCode.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCorrect(b *testing.B) {
	s := []byte(benchCode.String())
	s[9] = 'Z'
	b.ReportAllocs()
	for b.Loop() {
		if p, err := Parse(string(s)); err != nil || !p.Corrected() {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReject(b *testing.B) {
	s := []byte(benchCode.String())
	s[9], s[10] = s[10], s[9]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(string(s)); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkString(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = benchCode.String()
	}
}

func BenchmarkCheckPartial(b *testing.B) {
	s := benchCode.String()[:17]
	b.ReportAllocs()
	for b.Loop() {
		_ = CheckPartial(s)
	}
}
