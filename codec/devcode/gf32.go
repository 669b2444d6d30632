package devcode

// Arithmetic in GF(32) = GF(2)[x]/(x^5 + x^2 + 1). Elements are the
// integers 0..31 (bit i is the coefficient of x^i); α = x = 2 generates the
// multiplicative group of order 31.

const gfPoly = 0x25 // x^5 + x^2 + 1

// gfExp[i] = α^i for 0 <= i < 62 (doubled so that sums of two logarithms
// need no reduction); gfLog[a] = log_α a for a != 0.
var gfExp, gfLog = gfTables()

func gfTables() (exp [62]byte, log [32]byte) {
	x := 1
	for i := range 31 {
		exp[i] = byte(x)
		exp[i+31] = byte(x)
		log[x] = byte(i)
		x <<= 1
		if x&0x20 != 0 {
			x ^= gfPoly
		}
	}
	return exp, log
}

func gfMul(a, b byte) byte {
	if a == 0 || b == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+int(gfLog[b])]
}

// gfDiv returns a/b; b must not be 0.
func gfDiv(a, b byte) byte {
	if a == 0 {
		return 0
	}
	return gfExp[int(gfLog[a])+31-int(gfLog[b])]
}
