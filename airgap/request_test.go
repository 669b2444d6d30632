package airgap

import (
	"bytes"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"licet.dev/licet/airgap/scan"
)

type requestVector struct {
	TcID    int    `json:"tcId"`
	Comment string `json:"comment"`
	Portal  string `json:"portal,omitempty"`
	Request string `json:"request,omitempty"` // hex
	URL     string `json:"url"`
	Result  string `json:"result"`
	Error   string `json:"error,omitempty"`
}

func loadRequestVectors(t testing.TB) []requestVector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors/request-url.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Tests []requestVector `json:"tests"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Tests) == 0 {
		t.Fatal("no vectors")
	}
	return f.Tests
}

func TestRequestVectors(t *testing.T) {
	for _, v := range loadRequestVectors(t) {
		t.Run(strconv.Itoa(v.TcID)+" "+v.Comment, func(t *testing.T) {
			portal, req, err := ParseRequestURL(v.URL)
			if v.Result == "invalid" {
				if err == nil || !strings.Contains(err.Error(), v.Error) || !strings.HasPrefix(err.Error(), "airgap: ") {
					t.Fatalf("ParseRequestURL(%q) = %v, want an error containing %q", v.URL, err, v.Error)
				}
				if portal != "" || req != nil {
					t.Fatalf("result with an error: %q %x", portal, req)
				}
				return
			}
			want, _ := hex.DecodeString(v.Request)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(req, want) {
				t.Fatalf("request %x, want %x", req, want)
			}
			u, err := RequestURL(v.Portal, want)
			if err != nil || u != strings.ToUpper(v.URL) {
				t.Fatalf("RequestURL = %q, %v; want %q", u, err, strings.ToUpper(v.URL))
			}
			if np, _ := NormalizePortal(v.Portal); np != portal {
				t.Fatalf("portal %q, want %q", portal, np)
			}
		})
	}
}

func TestBase32AgainstStdlib(t *testing.T) {
	std := base32.NewEncoding(crockford).WithPadding(base32.NoPadding)
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 64 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		s := encodeBase32(b)
		if want := std.EncodeToString(b); s != want {
			t.Fatalf("encodeBase32(%x) = %q, want %q", b, s, want)
		}
		got, err := decodeBase32(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("decodeBase32(%q) = %x, %v", s, got, err)
		}
	}
}

func TestRequestCapacity(t *testing.T) {
	const portal = "https://portal.example"
	if RequestMaxChars != 366 {
		t.Fatalf("RequestMaxChars = %d, want 366", RequestMaxChars)
	}
	maxBytes, err := MaxRequestBytes(portal)
	if err != nil || maxBytes != 213 {
		t.Fatalf("MaxRequestBytes = %d, %v; want 213", maxBytes, err)
	}
	u, err := RequestURL(portal, make([]byte, maxBytes))
	if err != nil || len(u) > RequestMaxChars {
		t.Fatalf("largest request: %d characters, %v", len(u), err)
	}
	c, err := RequestQR(u)
	if err != nil || c.Version != 11 {
		t.Fatalf("RequestQR of the largest request: %v", err)
	}
	_, err = RequestURL(portal, make([]byte, maxBytes+1))
	if !errors.Is(err, ErrTooLong) || !strings.Contains(err.Error(), "at most 213 bytes") {
		t.Fatalf("one byte more: %v", err)
	}
	if _, err := RequestQR(u + "0"); !errors.Is(err, ErrTooLong) {
		t.Fatalf("RequestQR of 367 characters: %v", err)
	}
}

func TestPortal(t *testing.T) {
	for in, want := range map[string]string{
		"https://portal.example":            "HTTPS://PORTAL.EXAMPLE",
		"https://portal.example/":           "HTTPS://PORTAL.EXAMPLE",
		"HTTP://10.0.0.1:8080/licet/":       "HTTP://10.0.0.1:8080/LICET",
		"https://xn--bcher-kva.example/a-b": "HTTPS://XN--BCHER-KVA.EXAMPLE/A-B",
	} {
		got, err := NormalizePortal(in)
		if err != nil || got != want {
			t.Errorf("NormalizePortal(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "portal.example", "ftp://portal.example", "https://", "https://u@portal.example",
		"https://portal.example/?q=1", "https://portal.example/#x", "https://portal.example/a_b", "https://bücher.example", "https://portal.example/a b"} {
		if _, err := NormalizePortal(bad); !errors.Is(err, ErrRequestURL) {
			t.Errorf("NormalizePortal(%q) = %v", bad, err)
		}
	}
}

func TestRequestQRScan(t *testing.T) {
	req := make([]byte, 150)
	for i := range req {
		req[i] = byte(i * 13)
	}
	u, err := RequestURL("https://portal.example", req)
	if err != nil {
		t.Fatal(err)
	}
	c, err := RequestQR(u)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scan.Image(c.Image(3, 4))
	if err != nil || res.Text != u {
		t.Fatalf("scan: %+v, %v", res, err)
	}
	_, got, err := ParseRequestURL(res.Text)
	if err != nil || !bytes.Equal(got, req) {
		t.Fatalf("ParseRequestURL: %v", err)
	}
}

func FuzzParseRequestURL(f *testing.F) {
	for _, v := range loadRequestVectors(f) {
		f.Add(v.URL)
	}
	f.Fuzz(func(t *testing.T, s string) {
		portal, req, err := ParseRequestURL(s)
		if err != nil {
			if portal != "" || req != nil {
				t.Fatalf("result with an error: %q %x", portal, req)
			}
			if !errors.Is(err, ErrRequestURL) && !errors.Is(err, ErrTooLong) {
				t.Fatalf("error %v wraps neither ErrRequestURL nor ErrTooLong", err)
			}
			return
		}
		u, err := RequestURL(portal, req)
		if err != nil || u != strings.ToUpper(s) {
			t.Fatalf("RequestURL(ParseRequestURL(%q)) = %q, %v", s, u, err)
		}
	})
}

func FuzzBase32(f *testing.F) {
	f.Add("00")
	f.Add("ZW")
	f.Add("ZZ")
	f.Add("C5P6RRBF")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := decodeBase32(s)
		if err != nil {
			if b != nil {
				t.Fatalf("result with an error: %x", b)
			}
			return
		}
		if got := encodeBase32(b); got != s {
			t.Fatalf("encodeBase32(decodeBase32(%q)) = %q", s, got)
		}
	})
}
