package devcode

import (
	"math/rand/v2"
	"testing"
)

// slowEval evaluates the block polynomial at x with slowMul.
func slowEval(block []byte, x byte) byte {
	var s byte
	for _, c := range block {
		s = slowMul(s, x) ^ c
	}
	return s
}

func TestRSEncodeRoots(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := minBlock; n <= maxBlock; n++ {
		for range 200 {
			block := make([]byte, n)
			for i := range n - checkSymbols {
				block[i] = byte(rng.IntN(32))
			}
			rsEncode(block)
			// α = 2, α² = 4, α³ = 8 in this representation.
			for _, x := range []byte{2, 4, 8} {
				if v := slowEval(block, x); v != 0 {
					t.Fatalf("n=%d: codeword %v evaluates to %d at %d", n, block, v, x)
				}
			}
		}
	}
}

// The code is linear and the decoder's outcome depends only on the
// syndromes, which depend only on the error pattern: decoding c+e gives
// c+(decoding of e) for every codeword c. So running the decoder on every
// error pattern of weight 1 and 2 added to the zero codeword proves the
// behaviour for all codewords. This test does it for every block length.
// With -short or the race detector, only the lengths 4, 25 (device codes)
// and 31 are covered.
func TestRSErrorPatternsExhaustive(t *testing.T) {
	for n := minBlock; n <= maxBlock; n++ {
		if (testing.Short() || raceEnabled) && n != minBlock && n != Len && n != maxBlock {
			continue
		}
		block := make([]byte, n)
		for i := range n {
			for e := byte(1); e < 32; e++ {
				clear(block)
				block[i] = e
				pos, was, ok := rsCorrect(block)
				if !ok || pos != i || was != e || !allZero(block) {
					t.Fatalf("n=%d: single error %d at %d: pos=%d was=%d ok=%v block=%v", n, e, i, pos, was, ok, block)
				}
			}
		}
		for i := range n {
			for j := i + 1; j < n; j++ {
				for e := byte(1); e < 32; e++ {
					for f := byte(1); f < 32; f++ {
						clear(block)
						block[i], block[j] = e, f
						if _, _, ok := rsCorrect(block); ok {
							t.Fatalf("n=%d: double error %d@%d %d@%d accepted as %v", n, e, i, f, j, block)
						}
						if block[i] != e || block[j] != f {
							t.Fatalf("n=%d: rejected block was changed", n)
						}
					}
				}
			}
		}
	}
}

// Three or more wrong symbols are beyond the guarantee: some such patterns
// are miscorrected. This measures how often for the device-code length, to
// keep the figure in docs/formats.md honest.
func TestRSTripleErrorRate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	trials := 200000
	if testing.Short() || raceEnabled {
		trials = 20000
	}
	block := make([]byte, Len)
	miscorrected := 0
	for range trials {
		clear(block)
		for _, i := range rng.Perm(Len)[:3] {
			block[i] = byte(1 + rng.IntN(31))
		}
		if _, _, ok := rsCorrect(block); ok {
			miscorrected++
		}
	}
	rate := float64(miscorrected) / float64(trials)
	t.Logf("triple errors accepted (as another codeword): %.2f%%", 100*rate)
	// 25 positions × 31 values + 1 words lie within distance 1 of each of
	// the 32^22 codewords, 776/32768 ≈ 2.4% of all words.
	if rate < 0.01 || rate > 0.04 {
		t.Errorf("triple-error acceptance %.3f far from the expected ~0.024", rate)
	}
}

func allZero(b []byte) bool {
	for _, v := range b {
		if v != 0 {
			return false
		}
	}
	return true
}
