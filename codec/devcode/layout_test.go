package devcode

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// fields is a random list of (value, width) pairs that fills up to bits.
func randomFields(rng *rand.Rand, bits int) (vals []uint64, widths []int) {
	for bits > 0 {
		w := min(1+rng.IntN(64), bits)
		vals = append(vals, rng.Uint64()&(1<<w-1))
		widths = append(widths, w)
		bits -= w
	}
	return vals, widths
}

func TestLayoutRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, blocks := range [][]int{{25}, {30, 25, 25}, {20, 20}, {4, 31}} {
		l := NewLayout(blocks...)
		for range 200 {
			vals, widths := randomFields(rng, rng.IntN(l.DataBits()+1))
			var w BitWriter
			for i := range vals {
				w.Uint(vals[i], widths[i])
			}
			text, err := l.Encode(&w)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(strings.ReplaceAll(text, "-", "")); n != l.Len() {
				t.Fatalf("%v: %d characters, want %d", blocks, n, l.Len())
			}
			d, err := l.Decode(strings.ToLower(text))
			if err != nil || d.Canonical != text || d.Corrected() {
				t.Fatalf("%v: decode %q: %+v %v", blocks, text, d, err)
			}
			if d.Data.Remaining() != l.DataBits() {
				t.Fatalf("remaining %d, want %d", d.Data.Remaining(), l.DataBits())
			}
			for i := range vals {
				if got := d.Data.Uint(widths[i]); got != vals[i] {
					t.Fatalf("%v: field %d: %#x, want %#x", blocks, i, got, vals[i])
				}
			}
			if !d.Data.RestZero() {
				t.Fatalf("padding is not zero")
			}
			if d.Data.Remaining() != l.DataBits()-w.Len() {
				t.Fatalf("remaining %d after reading %d of %d", d.Data.Remaining(), w.Len(), l.DataBits())
			}
		}
	}
}

// One wrong character in every block is corrected; two in one block are
// rejected with the block named.
func TestLayoutCorrection(t *testing.T) {
	l := NewLayout(30, 25, 25)
	var w BitWriter
	w.Bytes([]byte("confirmation codes carry bits of data"))
	text, err := l.Encode(&w)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(strings.ReplaceAll(text, "-", ""))
	typo := func(b []byte, i int) {
		if b[i] == 'X' {
			b[i] = 'Y'
		} else {
			b[i] = 'X'
		}
	}
	bad := slices.Clone(plain)
	typo(bad, 3)
	typo(bad, 40)
	typo(bad, 79)
	d, err := l.Decode(string(bad))
	if err != nil || d.Canonical != text || len(d.Corrections) != 3 {
		t.Fatalf("three typos in three blocks: %+v %v", d, err)
	}
	if got := []int{d.Corrections[0].Pos, d.Corrections[1].Pos, d.Corrections[2].Pos}; !slices.Equal(got, []int{4, 41, 80}) {
		t.Fatalf("corrected positions %v", got)
	}
	bad = slices.Clone(plain)
	typo(bad, 31)
	typo(bad, 50)
	_, err = l.Decode(string(bad))
	var ce *CheckError
	if !errors.As(err, &ce) || !errors.Is(err, ErrUncorrectable) || ce.First != 31 || ce.Last != 55 {
		t.Fatalf("two typos in block 2: %v", err)
	}
	if !strings.Contains(err.Error(), "characters 31-55") {
		t.Fatalf("error does not name the block: %v", err)
	}
	if _, err := l.Decode(string(plain[:79])); !errors.As(err, new(*LengthError)) {
		t.Fatalf("short code: %v", err)
	}
	if _, err := l.Decode(string(plain[:10]) + "U" + string(plain[11:])); !errors.As(err, new(*SyntaxError)) {
		t.Fatalf("U: %v", err)
	}
}

func TestLayoutEncodeTooLong(t *testing.T) {
	l := NewLayout(20, 20)
	var w BitWriter
	for w.Len() < l.DataBits() {
		w.Uint(0, min(64, l.DataBits()-w.Len()))
	}
	if _, err := l.Encode(&w); err != nil {
		t.Fatal(err)
	}
	w.Uint(1, 1)
	if _, err := l.Encode(&w); err == nil {
		t.Fatal("accepted one bit too many")
	}
}

func TestLayoutCheckPartial(t *testing.T) {
	l := NewLayout(30, 25, 25)
	var w BitWriter
	w.Uint(0xdeadbeef, 32)
	text, _ := l.Encode(&w)
	plain := strings.ReplaceAll(text, "-", "")
	p := l.CheckPartial(plain[:30])
	if p.Complete || p.Err != nil || p.Groups[5].Status != GroupOK || p.Groups[6].Status != GroupEmpty {
		t.Fatalf("first block typed: %+v", p)
	}
	bad := []byte(plain)
	bad[2] = '7'
	if bad[2] == plain[2] {
		bad[2] = '8'
	}
	p = l.CheckPartial(string(bad))
	d, err := l.Decode(string(bad))
	if !p.Complete || p.Err != nil || err != nil || p.Result.Canonical != d.Canonical || !slices.Equal(p.Result.Corrections, d.Corrections) {
		t.Fatalf("CheckPartial %+v, Decode %+v %v", p, d, err)
	}
	if p.Groups[0].Status != GroupCorrected || p.Result.Code != (DeviceCode{}) {
		t.Fatalf("groups %+v", p.Groups)
	}
}

func TestBitWriterWidths(t *testing.T) {
	var w BitWriter
	w.Uint(1, 1)
	w.Uint(0x0123456789abcdef, 64)
	w.Uint(0, 0)
	w.Bytes([]byte{0xa5})
	if w.Len() != 73 {
		t.Fatalf("Len %d", w.Len())
	}
	l := NewLayout(20)
	text, err := l.Encode(&w)
	if err != nil {
		t.Fatal(err)
	}
	d, err := l.Decode(text)
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if d.Data.Uint(1) != 1 || d.Data.Uint(64) != 0x0123456789abcdef || d.Data.Uint(0) != 0 {
		t.Fatal("wrong fields")
	}
	if d.Data.Bytes(b[:]); b[0] != 0xa5 || !d.Data.RestZero() {
		t.Fatalf("byte %#x", b[0])
	}
}

func TestBitWriterReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 1000 {
		var widths []int
		var values []uint64
		total := 0
		var w BitWriter
		for range 1 + rng.IntN(20) {
			width := 1 + rng.IntN(32)
			v := rng.Uint64() & (1<<width - 1)
			widths, values = append(widths, width), append(values, v)
			w.Uint(v|^uint64(0)<<width, width) // high bits must be ignored
			total += width
		}
		sym := w.appendSymbols(nil)
		if len(sym) != (total+4)/5 {
			t.Fatalf("%d bits in %d symbols", total, len(sym))
		}
		r := BitReader{sym: sym}
		for i, width := range widths {
			if got := r.Uint(width); got != values[i] {
				t.Fatalf("field %d: %x, want %x", i, got, values[i])
			}
		}
		if !r.RestZero() {
			t.Fatal("padding not zero")
		}
	}
	r := BitReader{sym: []byte{0b10000}}
	r.Uint(1)
	if r.RestZero() != true {
		t.Fatal("RestZero after reading the only set bit")
	}
	r = BitReader{sym: []byte{0b00001}}
	r.Uint(1)
	if r.RestZero() {
		t.Fatal("RestZero with a set padding bit")
	}
}

// FuzzLayoutDecode: no panic; on error the result is zero; the canonical
// form decodes to the same bits without correction and encodes back to
// itself.
func FuzzLayoutDecode(f *testing.F) {
	l := NewLayout(30, 25, 25)
	var w BitWriter
	w.Bytes([]byte("seed"))
	text, _ := l.Encode(&w)
	f.Add(text)
	f.Add(strings.ToLower(text[1:]))
	f.Add("0" + text[1:])
	f.Fuzz(func(t *testing.T, s string) {
		d, err := l.Decode(s)
		if err != nil {
			if d.Canonical != "" || d.Corrections != nil || d.Data.Remaining() != 0 {
				t.Fatalf("error %v with result %+v", err, d)
			}
			if ErrorKind(err) == "" {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		var re BitWriter
		for d.Data.Remaining() > 0 {
			n := min(d.Data.Remaining(), 64)
			re.Uint(d.Data.Uint(n), n)
		}
		again, err := l.Encode(&re)
		if err != nil || again != d.Canonical {
			t.Fatalf("re-encoded %q, canonical %q, %v", again, d.Canonical, err)
		}
		e, err := l.Decode(d.Canonical)
		if err != nil || e.Corrected() || e.Canonical != d.Canonical {
			t.Fatalf("canonical form re-decodes to %+v %v", e, err)
		}
	})
}
