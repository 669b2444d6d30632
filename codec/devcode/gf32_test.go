package devcode

import "testing"

// slowMul multiplies in GF(32) by shift-and-add, independently of the
// tables.
func slowMul(a, b byte) byte {
	var p byte
	for i := 0; i < 5; i++ {
		if b&(1<<i) != 0 {
			p ^= a
		}
		a <<= 1
		if a&0x20 != 0 {
			a ^= gfPoly
		}
	}
	return p
}

func TestGFTables(t *testing.T) {
	seen := map[byte]bool{}
	for i := range 31 {
		x := gfExp[i]
		if x == 0 || seen[x] {
			t.Fatalf("α^%d = %d repeats: α is not primitive", i, x)
		}
		seen[x] = true
		if int(gfLog[x]) != i {
			t.Fatalf("log(%d) = %d, want %d", x, gfLog[x], i)
		}
	}
	for a := range 32 {
		for b := range 32 {
			got, want := gfMul(byte(a), byte(b)), slowMul(byte(a), byte(b))
			if got != want {
				t.Fatalf("%d·%d = %d, want %d", a, b, got, want)
			}
			if b != 0 && gfMul(gfDiv(byte(a), byte(b)), byte(b)) != byte(a) {
				t.Fatalf("(%d/%d)·%d != %d", a, b, b, a)
			}
		}
	}
}
