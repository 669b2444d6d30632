package base45

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"testing"
)

type vector struct {
	TcID    int    `json:"tcId"`
	Comment string `json:"comment"`
	Bytes   string `json:"bytes"`
	Text    string `json:"text"`
	Result  string `json:"result"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors/base45.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Tests []vector `json:"tests"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Tests) == 0 {
		t.Fatal("no vectors")
	}
	return f.Tests
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(strconv.Itoa(v.TcID)+" "+v.Comment, func(t *testing.T) {
			got, err := Decode(v.Text)
			switch v.Result {
			case "valid":
				want, herr := hex.DecodeString(v.Bytes)
				if herr != nil {
					t.Fatal(herr)
				}
				if err != nil {
					t.Fatalf("Decode(%q): %v", v.Text, err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("Decode(%q) = %x, want %x", v.Text, got, want)
				}
				if enc := Encode(want); enc != v.Text {
					t.Fatalf("Encode(%x) = %q, want %q", want, enc, v.Text)
				}
			case "invalid":
				if err == nil {
					t.Fatalf("Decode(%q) = %x, want an error", v.Text, got)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				if got != nil {
					t.Fatalf("Decode(%q) returned %x with an error", v.Text, got)
				}
			default:
				t.Fatalf("bad result %q", v.Result)
			}
		})
	}
}

func TestRoundTripAllPairs(t *testing.T) {
	for n := 0; n < 1<<16; n++ {
		src := []byte{byte(n >> 8), byte(n)}
		s := Encode(src)
		if len(s) != 3 {
			t.Fatalf("Encode(%x) = %q", src, s)
		}
		got, err := Decode(s)
		if err != nil || !bytes.Equal(got, src) {
			t.Fatalf("Decode(Encode(%x)) = %x, %v", src, got, err)
		}
	}
	for n := 0; n < 256; n++ {
		got, err := Decode(Encode([]byte{byte(n)}))
		if err != nil || len(got) != 1 || got[0] != byte(n) {
			t.Fatalf("single byte %d: %x, %v", n, got, err)
		}
	}
}

func TestLengths(t *testing.T) {
	for n := 0; n < 50; n++ {
		e := EncodedLen(n)
		if got := len(Encode(make([]byte, n))); got != e {
			t.Fatalf("EncodedLen(%d) = %d, encoding has %d", n, e, got)
		}
		if DecodedLen(e) != n {
			t.Fatalf("DecodedLen(%d) = %d, want %d", e, DecodedLen(e), n)
		}
	}
	if DecodedLen(4) != -1 {
		t.Fatal("DecodedLen(4) should be -1")
	}
}

func TestAppendDecodeKeepsDst(t *testing.T) {
	dst := []byte("x")
	got, err := AppendDecode(dst, "GGW")
	if err == nil || string(got) != "x" {
		t.Fatalf("AppendDecode on bad input = %q, %v", got, err)
	}
	got, err = AppendDecode(dst, "BB8")
	if err != nil || string(got) != "xAB" {
		t.Fatalf("AppendDecode = %q, %v", got, err)
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			if b != nil {
				t.Fatalf("Decode(%q) returned %x with error %v", s, b, err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if enc := Encode(b); enc != s {
			t.Fatalf("Encode(Decode(%q)) = %q", s, enc)
		}
	})
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte("Hello!!"))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		s := Encode(b)
		got, err := Decode(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("Decode(Encode(%x)) = %x, %v", b, got, err)
		}
	})
}

func BenchmarkEncode(b *testing.B) {
	src := make([]byte, 422)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Encode(src)
	}
}

func BenchmarkDecode(b *testing.B) {
	s := Encode(make([]byte, 422))
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if _, err := Decode(s); err != nil {
			b.Fatal(err)
		}
	}
}
