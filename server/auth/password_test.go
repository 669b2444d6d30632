package auth

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

type hashVector struct {
	TcID     int    `json:"tcId"`
	Comment  string `json:"comment"`
	Password string `json:"password"`
	Hash     string `json:"hash"`
	Result   string `json:"result"`
}

func loadHashVectors(t testing.TB) []hashVector {
	b, err := os.ReadFile("testdata/vectors/argon2id.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Tests []hashVector }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Tests
}

func TestHashVectors(t *testing.T) {
	for _, v := range loadHashVectors(t) {
		h, err := ParseHash(v.Hash)
		switch v.Result {
		case "valid":
			if err != nil {
				t.Errorf("tc %d: %v", v.TcID, err)
				continue
			}
			if h.String() != v.Hash {
				t.Errorf("tc %d: re-encoded as %s", v.TcID, h.String())
			}
			if ok, err := VerifyPassword(v.Hash, v.Password); !ok || err != nil {
				t.Errorf("tc %d: the reference hash does not verify: %v", v.TcID, err)
			}
			if ok, _ := VerifyPassword(v.Hash, v.Password+"x"); ok {
				t.Errorf("tc %d: a wrong password verifies", v.TcID)
			}
		case "invalid":
			if err == nil {
				t.Errorf("tc %d (%s): parsed", v.TcID, v.Comment)
				continue
			}
			if !strings.HasPrefix(err.Error(), "auth: password hash: ") || (len(v.Hash) > 20 && strings.Contains(err.Error(), v.Hash[10:20])) {
				t.Errorf("tc %d: error %q must name the package and not quote the hash", v.TcID, err)
			}
			if ok, err := VerifyPassword(v.Hash, v.Password); ok || err == nil {
				t.Errorf("tc %d: VerifyPassword = %v, %v", v.TcID, ok, err)
			}
		}
	}
}

// testParams keep the tests fast; production uses DefaultParams.
var testParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPassword(t *testing.T) {
	rnd := rand.NewChaCha8([32]byte{1})
	h1, err := HashPassword(rnd, "correct horse battery", testParams)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPassword(rnd, "correct horse battery", testParams)
	if h1 == h2 {
		t.Fatal("two hashes of one password are equal: the salt is not fresh")
	}
	for _, h := range []string{h1, h2} {
		if ok, err := VerifyPassword(h, "correct horse battery"); !ok || err != nil {
			t.Fatalf("verify: %v %v", ok, err)
		}
		if ok, _ := VerifyPassword(h, "correct horse batterY"); ok {
			t.Fatal("wrong password verified")
		}
	}
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %s", h1)
	}
	if NeedsRehash(h1, testParams) || !NeedsRehash(h1, DefaultParams) || !NeedsRehash("garbage", testParams) {
		t.Fatal("NeedsRehash")
	}
	if _, err := HashPassword(rnd, "x", Params{Memory: 64, Time: 1}); err == nil {
		t.Fatal("zero threads accepted")
	}
	if _, err := HashPassword(failReader{}, "x", testParams); err == nil {
		t.Fatal("a failing random source went unnoticed")
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"alice", "correct horse battery", true},
		{"alice", "十二个汉字组成的一个密码句子", true},
		{"alice", "short", false},
		{"alice", "elevenchars", false},
		{"alice", "             ", false},
		{"alice", "aaaaaaaaaaaaaaaa", false},
		{"alice", "abababababababab", false},
		{"alice", "abcdabcdabcdabcd", false},
		{"alicealice12", "AliceAlice12", false},
		{"administrator", "administrator1!", false},
		{"bob", "licet1234567", false},
		{"bob", "\xff\xfe correct horse", false},
		{"bob", strings.Repeat("long password ", 80), false},
	} {
		err := CheckPassword(tc.user, tc.pw)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%q, %q) = %v", tc.user, tc.pw, err)
		}
		if err != nil {
			if !errors.Is(err, ErrWeakPassword) {
				t.Errorf("%v does not wrap ErrWeakPassword", err)
			}
			if len(tc.pw) > 5 && strings.Contains(err.Error(), tc.pw) {
				t.Errorf("error %q quotes the password", err)
			}
		}
	}
}

// FuzzParseHash: no panic; an error leaves the zero Hash; a string that
// parses re-encodes to itself.
func FuzzParseHash(f *testing.F) {
	for _, v := range loadHashVectors(f) {
		f.Add(v.Hash)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHash(s)
		if err != nil {
			if h.Salt != nil || h.Key != nil || h.Params != (Params{}) {
				t.Fatalf("error %v with a non-zero result", err)
			}
			return
		}
		if h.String() != s {
			t.Fatalf("%q re-encodes as %q", s, h.String())
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	rnd := rand.NewChaCha8([32]byte{})
	for b.Loop() {
		if _, err := HashPassword(rnd, "correct horse battery staple", DefaultParams); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	h, _ := HashPassword(rand.NewChaCha8([32]byte{}), "correct horse battery staple", DefaultParams)
	for b.Loop() {
		if ok, err := VerifyPassword(h, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
