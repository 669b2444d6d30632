package devcode

// Shortened Reed-Solomon code over GF(32) with three check symbols.
//
// A block of n symbols (4 <= n <= 31) is read as the polynomial
// r(x) = r[0]·x^(n-1) + … + r[n-1], so the first symbol has the highest
// degree. It is a codeword when r(α) = r(α²) = r(α³) = 0, i.e. when it is a
// multiple of the generator g(x) = (x-α)(x-α²)(x-α³). The first n-3
// symbols carry data, the last three are the check symbols (systematic
// encoding). The minimum distance is 4 (the code is MDS), so a decoder that
// corrects at most one symbol never turns a block with two wrong symbols
// into another codeword: such a block lies at distance >= 2 from every
// codeword.

const (
	checkSymbols = 3
	minBlock     = checkSymbols + 1
	maxBlock     = 31
)

// rsGen holds g(x) = x³ + rsGen[0]·x² + rsGen[1]·x + rsGen[2].
var rsGen = func() [3]byte {
	g := []byte{1} // highest degree first
	for j := 1; j <= checkSymbols; j++ {
		root := gfExp[j]
		next := make([]byte, len(g)+1)
		for i, c := range g {
			next[i] ^= c
			next[i+1] ^= gfMul(c, root)
		}
		g = next
	}
	return [3]byte{g[1], g[2], g[3]}
}()

// rsEncode fills the last three symbols of block with the check symbols
// for its first len(block)-3 data symbols.
func rsEncode(block []byte) {
	k := len(block) - checkSymbols
	var r0, r1, r2 byte
	for _, d := range block[:k] {
		fb := d ^ r0
		r0 = r1 ^ gfMul(fb, rsGen[0])
		r1 = r2 ^ gfMul(fb, rsGen[1])
		r2 = gfMul(fb, rsGen[2])
	}
	block[k], block[k+1], block[k+2] = r0, r1, r2
}

// rsSyndromes returns r(α), r(α²), r(α³).
func rsSyndromes(block []byte) (s1, s2, s3 byte) {
	a1, a2, a3 := gfExp[1], gfExp[2], gfExp[3]
	for _, c := range block {
		s1 = gfMul(s1, a1) ^ c
		s2 = gfMul(s2, a2) ^ c
		s3 = gfMul(s3, a3) ^ c
	}
	return s1, s2, s3
}

// rsCorrect checks block and corrects at most one wrong symbol in place.
// It returns the index of the corrected symbol and the value it had, or
// pos = -1 when block was already a codeword; ok is false (and block
// unchanged) when no codeword lies within distance 1.
//
// A single error of value Y at the symbol of degree p gives the syndromes
// S_j = Y·X^j with X = α^p, so S1, S2, S3 are all non-zero, X = S2/S1,
// S2² = S1·S3, Y = S1/X, and p < len(block). Any other syndrome pattern
// means two or more errors.
func rsCorrect(block []byte) (pos int, was byte, ok bool) {
	s1, s2, s3 := rsSyndromes(block)
	if s1|s2|s3 == 0 {
		return -1, 0, true
	}
	if s1 == 0 || s2 == 0 || s3 == 0 || gfMul(s2, s2) != gfMul(s1, s3) {
		return -1, 0, false
	}
	x := gfDiv(s2, s1)
	p := int(gfLog[x])
	if p >= len(block) {
		return -1, 0, false
	}
	i := len(block) - 1 - p
	was = block[i]
	block[i] ^= gfDiv(s1, x)
	return i, was, true
}
