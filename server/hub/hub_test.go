package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
)

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	if _, err := newToken(strings.NewReader("too short")); err == nil {
		t.Fatal("a short random source made a token")
	}
	for i := range 100 {
		tok, err := newToken(bytes.NewReader(bytes.Repeat([]byte{byte(i)}, 32)))
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != TokenLen || tokenHash(tok) == nil || seen[tok] {
			t.Fatalf("token %q", tok)
		}
		seen[tok] = true
	}
	// All ones: 256 bits of ones give 51 Zs and a last character holding
	// the final bit followed by zero padding.
	tok, _ := newToken(bytes.NewReader(bytes.Repeat([]byte{0xff}, 32)))
	if tok != strings.Repeat("Z", 51)+"G" {
		t.Errorf("token of ones %q", tok)
	}
	for _, bad := range []string{"", strings.Repeat("A", TokenLen-1), strings.Repeat("A", TokenLen+1),
		strings.Repeat("a", TokenLen), strings.Repeat("U", TokenLen), strings.Repeat("A", TokenLen-1) + "/"} {
		if tokenHash(bad) != nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

// vectors reads the request URL vectors of package airgap.
func vectors(t testing.TB) []struct {
	URL    string `json:"url"`
	Result string `json:"result"`
} {
	b, err := os.ReadFile("../../airgap/testdata/vectors/request-url.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Tests []struct {
			URL    string `json:"url"`
			Result string `json:"result"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Tests
}

func bundleURL(t testing.TB) string {
	rb := &codec.RequestBundle{Header: codec.Header{ID: codec.ID{1}, IssuedAt: codec.At(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))},
		Product: 3, Digest: bytes.Repeat([]byte{7}, 32), Nonce: 9}
	raw, err := codec.Marshal(rb)
	if err != nil {
		t.Fatal(err)
	}
	u, err := airgap.RequestURL("https://portal.example/licet", raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestCheckRequestURL(t *testing.T) {
	u := bundleURL(t)
	for _, in := range []string{u, " " + u + "\n", strings.Replace(u, "HTTPS://PORTAL.EXAMPLE", "https://Portal.Example", 1)} {
		got, err := CheckRequestURL(in)
		if err != nil || got != u {
			t.Errorf("CheckRequestURL(%q) = %q, %v; want %q", in, got, err, u)
		}
	}
	// URLs that airgap reads but whose bytes are no request bundle, and
	// URLs it refuses, are both ErrRequest.
	for _, v := range vectors(t) {
		got, err := CheckRequestURL(v.URL)
		if !errors.Is(err, ErrRequest) || got != "" {
			t.Errorf("vector %q (%s): %q, %v; want ErrRequest", v.URL, v.Result, got, err)
		}
	}
	if _, err := CheckRequestURL(u + strings.Repeat("0", 5000)); !errors.Is(err, ErrRequest) {
		t.Errorf("long URL: %v", err)
	}
}

// FuzzCheckRequestURL: no panic; on error the result is empty; a result is
// accepted again unchanged.
func FuzzCheckRequestURL(f *testing.F) {
	f.Add(bundleURL(f))
	for _, v := range vectors(f) {
		f.Add(v.URL)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CheckRequestURL(s)
		if err != nil {
			if got != "" || !errors.Is(err, ErrRequest) {
				t.Fatalf("error %v with result %q", err, got)
			}
			return
		}
		again, err := CheckRequestURL(got)
		if err != nil || again != got {
			t.Fatalf("%q normalizes to %q, which gives %q, %v", s, got, again, err)
		}
	})
}
