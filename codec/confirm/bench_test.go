package confirm

import "testing"

func BenchmarkSign(b *testing.B) {
	key := keyOf(b, "vendor")
	order := testOrder(b, key)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(key, order, testDevice, 30); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	key := keyOf(b, "vendor")
	order := testOrder(b, key)
	c, _ := New(key, order, testDevice, 30)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(order, testDevice, c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	key := keyOf(b, "vendor")
	c, _ := New(key, testOrder(b, key), testDevice, 30)
	s := c.String()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseCorrect(b *testing.B) {
	key := keyOf(b, "vendor")
	c, _ := New(key, testOrder(b, key), testDevice, 30)
	s := []byte(c.String())
	s[3], s[40], s[90] = 'Z', 'Z', 'Z'
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(string(s)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeyFromSeed(b *testing.B) {
	seed := seedOf("vendor")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewKeyFromSeed(seed); err != nil {
			b.Fatal(err)
		}
	}
}
