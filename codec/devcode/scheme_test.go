package devcode

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// Schemes of the lengths that confirmation and release codes may use.
var testSchemes = [][]int{{25}, {31}, {4}, {10, 7}, {30, 30, 20}, {31, 31, 18}}

func randomCode(rng *rand.Rand, s *scheme) []byte {
	data := make([]byte, s.k)
	for i := range data {
		data[i] = byte(rng.IntN(32))
	}
	return s.encode(nil, data)
}

func TestSchemeEncodeData(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, blocks := range testSchemes {
		s := newScheme(blocks...)
		for range 100 {
			data := make([]byte, s.k)
			for i := range data {
				data[i] = byte(rng.IntN(32))
			}
			code := s.encode(nil, data)
			if len(code) != s.n {
				t.Fatalf("%v: %d symbols, want %d", blocks, len(code), s.n)
			}
			if got := s.data(nil, code); !slices.Equal(got, data) {
				t.Fatalf("%v: data %v, want %v", blocks, got, data)
			}
			corr, err := s.correct(slices.Clone(code))
			if err != nil || corr != nil {
				t.Fatalf("%v: fresh code: %v %v", blocks, corr, err)
			}
		}
	}
}

// Every single substitution of every scheme is corrected back; two
// substitutions are corrected back when they fall in different blocks
// and rejected with the block named when they fall in one. Exhaustive
// over positions and error values for a small multi-block scheme, sampled
// for the long ones.
func TestSchemeErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, blocks := range testSchemes {
		s := newScheme(blocks...)
		blockOf := make([]int, 0, s.n)
		for b, l := range blocks {
			for range l {
				blockOf = append(blockOf, b)
			}
		}
		orig := randomCode(rng, s)
		for i := range s.n {
			for e := byte(1); e < 32; e++ {
				code := slices.Clone(orig)
				code[i] ^= e
				corr, err := s.correct(code)
				want := []Correction{{Pos: i + 1, Was: alphabet[orig[i]^e], Became: alphabet[orig[i]]}}
				if err != nil || !slices.Equal(corr, want) || !slices.Equal(code, orig) {
					t.Fatalf("%v: substitution at %d: %v %v", blocks, i+1, corr, err)
				}
			}
		}
		exhaustive := s.n <= 25 && !raceEnabled
		for i := range s.n {
			for j := i + 1; j < s.n; j++ {
				pairs := 961
				if !exhaustive {
					pairs = 8
				}
				for p := range pairs {
					e, f := byte(1+p%31), byte(1+p/31)
					if !exhaustive {
						e, f = byte(1+rng.IntN(31)), byte(1+rng.IntN(31))
					}
					code := slices.Clone(orig)
					code[i] ^= e
					code[j] ^= f
					corr, err := s.correct(code)
					if blockOf[i] != blockOf[j] {
						if err != nil || len(corr) != 2 || !slices.Equal(code, orig) {
							t.Fatalf("%v: errors at %d and %d in different blocks: %v %v", blocks, i+1, j+1, corr, err)
						}
						continue
					}
					var ce *CheckError
					if !errors.As(err, &ce) || !errors.Is(err, ErrUncorrectable) {
						t.Fatalf("%v: errors at %d and %d in one block accepted: %v", blocks, i+1, j+1, corr)
					}
					first := 1
					for _, l := range blocks[:blockOf[i]] {
						first += l
					}
					if ce.First != first || ce.Last != first+blocks[blockOf[i]]-1 {
						t.Fatalf("%v: check error names %d-%d for errors at %d, %d", blocks, ce.First, ce.Last, i+1, j+1)
					}
				}
			}
		}
	}
}

func TestNewSchemePanics(t *testing.T) {
	for _, blocks := range [][]int{nil, {3}, {32}, {25, 2}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("newScheme(%v) did not panic", blocks)
				}
			}()
			newScheme(blocks...)
		}()
	}
}

func TestSchemeCheckMultiBlock(t *testing.T) {
	s := newScheme(10, 7)
	rng := rand.New(rand.NewPCG(9, 10))
	code := randomCode(rng, s)
	text := s.format(code)
	if text[5] != '-' || text[11] != '-' || len(text) != 17+3 {
		t.Fatalf("format %q", text)
	}

	// First block typed: its groups are checked while the rest is open.
	p, _ := s.check(text[:11])
	if p.Err != nil || p.Complete || p.Groups[0].Status != GroupOK || p.Groups[1].Status != GroupOK || p.Groups[2].Status != GroupEmpty {
		t.Fatalf("first block typed: %+v", p)
	}
	// A typo in group 2 shows as corrected as soon as block 1 is typed.
	typo := []byte(text)
	typo[7] = alphabet[(code[6]+1)%32]
	p, _ = s.check(string(typo[:13]))
	if p.Err != nil || p.Groups[1].Status != GroupCorrected || p.Groups[0].Status != GroupOK || p.Groups[2].Status != GroupPartial {
		t.Fatalf("typo in group 2: %+v", p)
	}
	// Two typos in block 1: it fails before block 2 is typed.
	typo[1] = alphabet[(code[1]+1)%32]
	p, _ = s.check(string(typo[:12]))
	var ce *CheckError
	if !errors.As(p.Err, &ce) || ce.First != 1 || ce.Last != 10 || p.Groups[0].Status != GroupInvalid || p.Groups[1].Status != GroupInvalid {
		t.Fatalf("two typos in block 1: %+v", p)
	}
	if got := ce.Error(); got != "devcode: check failed for characters 1-10: more than one of them is wrong, the code cannot be corrected" {
		t.Errorf("message %q", got)
	}
	p, syms := s.check(text)
	if !p.Complete || p.Err != nil || !slices.Equal(syms, code) {
		t.Fatalf("complete: %+v", p)
	}

	// A group that straddles two blocks is checked only when both are.
	s = newScheme(7, 10)
	text = s.format(randomCode(rng, s))
	p, _ = s.check(text[:11]) // characters 1-10: block 1 and 3 of block 2
	if p.Err != nil || p.Groups[0].Status != GroupOK || p.Groups[1].Status != GroupFilled {
		t.Fatalf("straddling group: %+v", p)
	}
	p, _ = s.check(text)
	if p.Err != nil || !p.Complete || p.Groups[1].Status != GroupOK || p.Groups[3].Text != text[18:] {
		t.Fatalf("straddling group, complete: %+v", p)
	}
}
