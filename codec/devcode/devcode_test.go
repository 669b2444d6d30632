package devcode

import (
	"encoding/json"
	"errors"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLayoutIndependent checks the bit layout of docs/formats.md with
// big-integer arithmetic instead of the bit packer: the 22 data characters
// are the base-32 digits of version·2^106 + flags·2^102 + product·2^86 +
// digest·2^22 + nonce.
func TestLayoutIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for range 500 {
		c := DeviceCode{Version: 1, Flags: uint8(rng.IntN(16)), Product: uint16(rng.Uint32()), Nonce: rng.Uint32() & MaxNonce}
		for i := range c.Digest {
			c.Digest[i] = byte(rng.Uint32())
		}
		v := new(big.Int).SetUint64(uint64(c.Version))
		shift := func(bits uint, x *big.Int) { v.Lsh(v, bits).Or(v, x) }
		shift(4, big.NewInt(int64(c.Flags)))
		shift(16, big.NewInt(int64(c.Product)))
		shift(64, new(big.Int).SetBytes(c.Digest[:]))
		shift(22, big.NewInt(int64(c.Nonce)))
		digits := make([]byte, 22)
		for i := 21; i >= 0; i-- {
			digits[i] = alphabet[new(big.Int).And(v, big.NewInt(31)).Int64()]
			v.Rsh(v, 5)
		}
		plain := strings.ReplaceAll(c.String(), "-", "")
		if plain[:22] != string(digits) {
			t.Fatalf("%+v: data characters %s, want %s", c, plain[:22], digits)
		}
	}
}

func randomDeviceCode(rng *rand.Rand) DeviceCode {
	var d [8]byte
	for i := range d {
		d[i] = byte(rng.Uint32())
	}
	c := New(uint16(rng.Uint32()), d, rng.Uint32())
	c.Flags = uint8(rng.IntN(16))
	return c
}

// TestParseTypos is the end-to-end proof over many random codes, through
// the text interface: every single substitution at every position to every
// other character is corrected back and reported; every adjacent
// transposition and every sampled double substitution is rejected.
// (TestRSErrorPatternsExhaustive covers all error patterns of weight 1 and
// 2 exhaustively at the symbol level, which by linearity holds for every
// code; this test adds the parser, the alphabet and the field layer.)
func TestParseTypos(t *testing.T) {
	codes, doubles := 1000, 400
	if testing.Short() || raceEnabled {
		codes, doubles = 50, 100
	}
	rng := rand.New(rand.NewPCG(15, 16))
	for range codes {
		c := randomDeviceCode(rng)
		s := strings.ReplaceAll(c.String(), "-", "")
		orig := []byte(s)
		typed := slices.Clone(orig)
		for i := range Len {
			for _, x := range []byte(alphabet) {
				if x == orig[i] {
					continue
				}
				typed[i] = x
				p, err := Parse(string(typed))
				if err != nil || p.Code != c || len(p.Corrections) != 1 ||
					p.Corrections[0] != (Correction{Pos: i + 1, Was: x, Became: orig[i]}) {
					t.Fatalf("%s with %c at %d: %+v, %v", s, x, i+1, p, err)
				}
			}
			typed[i] = orig[i]
		}
		for i := range Len - 1 {
			if orig[i] == orig[i+1] {
				continue
			}
			typed[i], typed[i+1] = orig[i+1], orig[i]
			if p, err := Parse(string(typed)); !errors.Is(err, ErrUncorrectable) {
				t.Fatalf("%s with %d and %d swapped: %+v, %v", s, i+1, i+2, p, err)
			}
			typed[i], typed[i+1] = orig[i], orig[i+1]
		}
		for range doubles {
			i, j := rng.IntN(Len), rng.IntN(Len-1)
			if j >= i {
				j++
			}
			typed[i] = alphabet[(indexOf(orig[i])+1+rng.IntN(31))%32]
			typed[j] = alphabet[(indexOf(orig[j])+1+rng.IntN(31))%32]
			if p, err := Parse(string(typed)); !errors.Is(err, ErrUncorrectable) {
				t.Fatalf("%s with %d and %d wrong: %+v, %v", s, i+1, j+1, p, err)
			}
			typed[i], typed[j] = orig[i], orig[j]
		}
	}
}

// TestParseAllDoubles runs every double substitution (300 position pairs
// × 31 × 31 characters) through Parse for a few codes.
func TestParseAllDoubles(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("long; run without -short and -race")
	}
	rng := rand.New(rand.NewPCG(17, 18))
	for range 3 {
		orig := []byte(strings.ReplaceAll(randomDeviceCode(rng).String(), "-", ""))
		typed := slices.Clone(orig)
		for i := range Len {
			for j := i + 1; j < Len; j++ {
				for _, x := range []byte(alphabet) {
					if x == orig[i] {
						continue
					}
					for _, y := range []byte(alphabet) {
						if y == orig[j] {
							continue
						}
						typed[i], typed[j] = x, y
						if p, err := Parse(string(typed)); !errors.Is(err, ErrUncorrectable) {
							t.Fatalf("%s: %c at %d, %c at %d: %+v, %v", orig, x, i+1, y, j+1, p, err)
						}
					}
				}
				typed[i], typed[j] = orig[i], orig[j]
			}
		}
	}
}

func indexOf(c byte) int { return strings.IndexByte(alphabet, c) }

func TestNewMasksNonce(t *testing.T) {
	c := New(7, [8]byte{1}, 0xffffffff)
	if c.Nonce != MaxNonce || c.Version != FormatVersion || c.Flags != 0 {
		t.Fatalf("%+v", c)
	}
}

func TestOutOfRangeFields(t *testing.T) {
	ok := New(1, [8]byte{}, 0)
	for _, c := range []DeviceCode{
		{},
		{Version: 2},
		{Version: 1, Flags: 16},
		{Version: 1, Nonce: MaxNonce + 1},
	} {
		if s := c.String(); s != "invalid device code" {
			t.Errorf("%+v prints as %q", c, s)
		}
		if b, err := c.MarshalText(); err == nil || b != nil {
			t.Errorf("%+v marshals to %q", c, b)
		}
	}
	if _, err := (DeviceCode{Version: 3}).MarshalText(); !errors.Is(err, ErrVersion) {
		t.Errorf("version 3: %v", err)
	}
	if b, err := ok.AppendText([]byte("x")); err != nil || string(b) != "x"+ok.String() {
		t.Errorf("AppendText: %q %v", b, err)
	}
}

func TestTextRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for range 100 {
		c := randomDeviceCode(rng)
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != `"`+c.String()+`"` {
			t.Fatalf("JSON %s", b)
		}
		var d DeviceCode
		if err := json.Unmarshal(b, &d); err != nil || d != c {
			t.Fatalf("%s: %+v %v", b, d, err)
		}
		// Lenient forms are accepted, corrections are not.
		if err := d.UnmarshalText([]byte(strings.ToLower(strings.ReplaceAll(c.String(), "-", " ")))); err != nil || d != c {
			t.Fatalf("lenient: %+v %v", d, err)
		}
		typo := []byte(c.String())
		typo[7] = alphabet[(indexOf(typo[7])+1)%32]
		d = c
		err = d.UnmarshalText(typo)
		if !errors.Is(err, ErrNeedsCorrection) || d != (DeviceCode{}) || ErrorKind(err) != "needs-correction" {
			t.Fatalf("typo: %+v %v", d, err)
		}
		if !strings.Contains(err.Error(), "character 7 (group 2)") {
			t.Fatalf("typo message: %v", err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	valid := New(513, [8]byte{9, 8, 7, 6, 5, 4, 3, 2}, 12345).String()
	tests := []struct {
		input, msg string
		kind       string
	}{
		{"", "devcode: 0 characters, want 25", "length"},
		{valid[:28], "devcode: 24 characters, want 25", "length"},
		{valid + "ZZ", "devcode: 27 characters, want 25", "length"},
		{"12345-U", `devcode: character 7 is 'U'; codes never use U (did you mean V?)`, "syntax"},
		{"12345-6!", `devcode: character 8 is '!', which is not in the code alphabet 0-9 A-Z without I L O U`, "syntax"},
		{"\xff", `devcode: character 1 is '�', which is not in the code alphabet 0-9 A-Z without I L O U`, "syntax"},
		{valid[:1] + "ZZ" + valid[3:], "devcode: check failed: more than one character is wrong, the code cannot be corrected", "uncorrectable"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.input)
		if err == nil || err.Error() != tt.msg || ErrorKind(err) != tt.kind {
			t.Errorf("Parse(%q): %v (kind %q), want %q (%s)", tt.input, err, ErrorKind(err), tt.msg, tt.kind)
		}
		if !isZero(p) {
			t.Errorf("Parse(%q) returned %+v with an error", tt.input, p)
		}
	}
	var se *SyntaxError
	if _, err := Parse("2000u"); !errors.As(err, &se) || se.Pos != 5 || se.Char != 'u' {
		t.Errorf("syntax error fields: %+v", se)
	}
	var le *LengthError
	if _, err := Parse("2000"); !errors.As(err, &le) || le.Got != 4 || le.Want != 25 {
		t.Errorf("length error fields: %+v", le)
	}
	if ErrorKind(nil) != "" || ErrorKind(errors.New("x")) != "" {
		t.Error("ErrorKind of foreign errors")
	}
}

func isZero(p Parsed) bool {
	return p.Code == DeviceCode{} && p.Canonical == "" && p.Corrections == nil
}

func TestCheckPartialAgreesWithParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for range 300 {
		s := []byte(randomDeviceCode(rng).String())
		for range rng.IntN(4) {
			s[rng.IntN(len(s))] = "0123456789ABCDEFGHJKMNPQRSTVWXYZUu*-"[rng.IntN(36)]
		}
		in := string(s[:rng.IntN(len(s)+1)])
		if rng.IntN(2) == 0 {
			in = string(s)
		}
		p := CheckPartial(in)
		r, err := Parse(in)
		if (p.Complete && p.Err == nil) != (err == nil) {
			t.Fatalf("%q: CheckPartial %+v, Parse %v", in, p, err)
		}
		if err == nil && !slices.Equal(p.Result.Corrections, r.Corrections) || p.Result.Code != r.Code || p.Result.Canonical != r.Canonical {
			t.Fatalf("%q: CheckPartial result %+v, Parse %+v", in, p.Result, r)
		}
		if p.Complete && ErrorKind(p.Err) != ErrorKind(err) {
			t.Fatalf("%q: CheckPartial error %v, Parse %v", in, p.Err, err)
		}
		if got := strings.ReplaceAll(p.Canonical, "-", ""); len(got) != p.Typed {
			t.Fatalf("%q: canonical %q for %d typed", in, p.Canonical, p.Typed)
		}
	}
}

func TestCheckPartialVersion(t *testing.T) {
	var w BitWriter
	w.Uint(2, 4)
	w.Uint(0, 106-32*3)
	w.Uint(0, 32)
	w.Uint(0, 32)
	w.Uint(0, 32)
	text := deviceScheme.format(deviceScheme.encode(nil, w.appendSymbols(nil)))
	p := CheckPartial(text)
	if !errors.Is(p.Err, ErrVersion) || p.Groups[0].Status != GroupInvalid || p.Groups[1].Status != GroupOK {
		t.Fatalf("%+v", p)
	}
	if _, err := Parse(text); err == nil || err.Error() != "devcode: unsupported format version 2 (this reader knows version 1)" {
		t.Fatalf("Parse: %v", err)
	}
}

func TestGroupStatusText(t *testing.T) {
	b, err := json.Marshal([]GroupStatus{GroupEmpty, GroupPartial, GroupFilled, GroupOK, GroupCorrected, GroupInvalid, 99})
	if err != nil || string(b) != `["empty","partial","filled","ok","corrected","invalid","invalid"]` {
		t.Fatalf("%s %v", b, err)
	}
}
