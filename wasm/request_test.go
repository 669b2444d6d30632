package main

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint"
)

type recordVectors struct {
	Tests []struct {
		TcID   int    `json:"tcId"`
		Record string `json:"record"`
		Result string `json:"result"`
		Digest string `json:"digest"`
	} `json:"tests"`
}

func TestMakeRequestFromRecordVectors(t *testing.T) {
	var f recordVectors
	readJSON(t, "fingerprint/testdata/vectors/record.json", &f)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	n := 0
	for _, v := range f.Tests {
		rec := unhex(t, v.Record)
		got := makeRequest(requestInput{Product: 4242, Birth: rec, Nonce: 0x2b1f3, Portal: "https://portal.example", IssuedAt: at})
		if v.Result != "valid" {
			if errKind(got) != "birth_record" {
				t.Errorf("tcId %d: invalid record answered %v", v.TcID, got)
			}
			continue
		}
		n++
		if errKind(got) != "" {
			t.Fatalf("tcId %d: %v", v.TcID, got)
		}
		if got["digest"] != v.Digest {
			t.Errorf("tcId %d: digest %v, want %s", v.TcID, got["digest"], v.Digest)
		}
		d := unhex(t, v.Digest)
		want := devcode.New(4242, [8]byte(d[:8]), 0x2b1f3).String()
		if got["device_code"] != want {
			t.Errorf("tcId %d: device code %v, want %s", v.TcID, got["device_code"], want)
		}
		// The URL carries the bundle, and the bundle what the daemon puts
		// in it.
		u := got["request_url"].(string)
		portal, req, err := airgap.ParseRequestURL(u)
		if err != nil || portal != "HTTPS://PORTAL.EXAMPLE" || !bytes.Equal(req, got["bundle"].([]byte)) {
			t.Fatalf("tcId %d: URL %s: %q %x %v", v.TcID, u, portal, req, err)
		}
		rb, err := codec.DecodeRequestBundle(req)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := fingerprint.ParseRecord(rec)
		if rb.Product != 4242 || rb.Nonce != 0x2b1f3 || hex.EncodeToString(rb.Digest) != v.Digest || rb.IssuedAt != codec.At(at) ||
			(got["with_components"] == true) != (len(rb.Components) == len(r.Components)) || (got["with_components"] == false && len(rb.Components) != 0) {
			t.Errorf("tcId %d: bundle %+v", v.TcID, rb)
		}
		// The same request gives the same bundle (its id derives from it).
		again := makeRequest(requestInput{Product: 4242, Birth: rec, Nonce: 0x2b1f3, Portal: "https://portal.example", IssuedAt: at})
		if again["request_url"] != u {
			t.Errorf("tcId %d: a second call gave another URL", v.TcID)
		}
		// parseRequestURL reads it back, with the device code.
		p := parseRequestURL(strings.ToLower(u[:22]) + u[22:])
		if p["ok"] != true || p["url"] != u || p["device_code"] != want || !bytes.Equal(p["bundle"].([]byte), req) {
			t.Errorf("tcId %d: parseRequestURL: %v", v.TcID, p)
		}
		if fields := p["fields"].(map[string]any); fields["digest"] != v.Digest || fields["product"] != float64(4242) {
			t.Errorf("tcId %d: fields %v", v.TcID, fields)
		}
	}
	if n < 3 {
		t.Fatalf("only %d valid records", n)
	}
}

func TestMakeRequestLeavesComponentsOutWhenTooLong(t *testing.T) {
	var cs []fingerprint.Component
	for i := range 12 {
		cs = append(cs, fingerprint.Component{Kind: fingerprint.KindNIC, Hash: fingerprint.Hash{byte(i), 1, 2, 3}})
	}
	r, err := fingerprint.NewRecord(cs)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := r.MarshalBinary()
	at := time.Unix(1_780_000_000, 0)
	got := makeRequest(requestInput{Product: 7, Birth: rec, Nonce: 99, Portal: "https://portal.example", IssuedAt: at})
	if got["ok"] != true || got["with_components"] != false || got["request_url"] == nil {
		t.Fatalf("12 components: %v", got)
	}
	none := makeRequest(requestInput{Product: 7, Birth: rec, Nonce: 99, IssuedAt: at})
	if none["ok"] != true || none["request_url"] != nil || none["url_error"].(map[string]any)["kind"] != "no-portal" || none["with_components"] != true {
		t.Fatalf("no portal: %v", none)
	}
}

func TestMakeRequestRefusals(t *testing.T) {
	rec := unhex(t, "a201010281820150000102030405060708090a0b0c0d0e0f")
	at := time.Unix(1_780_000_000, 0)
	for _, c := range []struct {
		in   requestInput
		kind string
	}{
		{requestInput{Product: 0, Birth: rec, Nonce: 1, IssuedAt: at}, "product"},
		{requestInput{Product: 65536, Birth: rec, Nonce: 1, IssuedAt: at}, "product"},
		{requestInput{Product: 1, Birth: rec, Nonce: 0, IssuedAt: at}, "nonce"},
		{requestInput{Product: 1, Birth: rec, Nonce: devcode.MaxNonce + 1, IssuedAt: at}, "nonce"},
		{requestInput{Product: 1, Birth: rec[:10], Nonce: 1, IssuedAt: at}, "birth_record"},
		{requestInput{Product: 1, Birth: rec, Nonce: 1, IssuedAt: time.Unix(0, 0)}, "issued_at"},
	} {
		if got := makeRequest(c.in); errKind(got) != c.kind {
			t.Errorf("%+v: %v, want kind %s", c.in, got, c.kind)
		}
	}
	got := makeRequest(requestInput{Product: 1, Birth: rec, Nonce: 1, IssuedAt: at, Portal: "https://portal.example/a_b"})
	if got["ok"] != true || got["url_error"].(map[string]any)["kind"] != "portal" {
		t.Errorf("bad portal: %v", got)
	}
}

func TestRequestURLVectors(t *testing.T) {
	var f struct {
		Tests []struct {
			TcID    int    `json:"tcId"`
			Portal  string `json:"portal"`
			Request string `json:"request"`
			URL     string `json:"url"`
			Result  string `json:"result"`
		} `json:"tests"`
	}
	readJSON(t, "airgap/testdata/vectors/request-url.json", &f)
	for _, v := range f.Tests {
		p := parseRequestURL(v.URL)
		if v.Result != "valid" {
			if p["ok"] != false {
				t.Errorf("tcId %d: %s accepted: %v", v.TcID, v.URL, p)
			}
			continue
		}
		req := unhex(t, v.Request)
		if p["ok"] != true || !bytes.Equal(p["bundle"].([]byte), req) || p["url"] != strings.ToUpper(v.URL) {
			t.Errorf("tcId %d: %v", v.TcID, p)
		}
		// Not request bundles: the URL is still read, the bundle reported.
		if _, ok := p["bundle_error"]; !ok {
			t.Errorf("tcId %d: %x read as a bundle", v.TcID, req)
		}
		if u := requestURL(v.Portal, req); u["url"] != strings.ToUpper(v.URL) {
			t.Errorf("tcId %d: requestURL %v, want %s", v.TcID, u, strings.ToUpper(v.URL))
		}
	}
	if got := requestURL("ftp://x", []byte{1}); errKind(got) != "portal" {
		t.Errorf("ftp portal: %v", got)
	}
	if got := requestURL("https://portal.example", make([]byte, 300)); errKind(got) != "too-long" {
		t.Errorf("300 bytes: %v", got)
	}
	if got := parseRequestBundle([]byte{0xa0}); got["ok"] != false {
		t.Errorf("empty map read as a bundle: %v", got)
	}
}
