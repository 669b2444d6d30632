package main

import (
	"bytes"
	"testing"
	"time"
)

// FuzzParseRequestURL: no panic, ok agrees with result, and an accepted
// URL is rebuilt by requestURL from what it answered.
func FuzzParseRequestURL(f *testing.F) {
	var v struct {
		Tests []struct {
			URL string `json:"url"`
		} `json:"tests"`
	}
	readJSON(f, "airgap/testdata/vectors/request-url.json", &v)
	for _, x := range v.Tests {
		f.Add(x.URL)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseRequestURL(s)
		if (got["ok"] == true) != (got["result"] == "valid") {
			t.Fatalf("ok and result disagree: %v", got)
		}
		if got["ok"] != true {
			if got["bundle"] != nil || got["url"] != nil {
				t.Fatalf("failure with a result: %v", got)
			}
			return
		}
		again := requestURL(got["portal"].(string), got["bundle"].([]byte))
		if again["url"] != got["url"] {
			t.Fatalf("%q: rebuilt %v, answered %v", s, again["url"], got["url"])
		}
	})
}

// FuzzReadLicenseFile: no panic; a file that reads gives a binary form
// that reads back to itself and verifies (or not) without panicking.
func FuzzReadLicenseFile(f *testing.F) {
	var v chainVectors
	readJSON(f, "codec/testdata/vectors/chains.json", &v)
	for _, g := range v.TestGroups {
		for _, x := range g.Tests {
			if x.CBOR != "" {
				f.Add(unhex(f, x.CBOR))
			} else {
				f.Add([]byte(x.Armour))
			}
		}
	}
	roots := v.TestGroups[0].Roots[0]
	at := time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		got := readLicenseFile(b)
		vr := verifyLicense(b, roots, at)
		if got["ok"] != true {
			if vr["ok"] == true || got["binary"] != nil {
				t.Fatalf("unreadable file: %v / %v", got, vr)
			}
			return
		}
		bin := got["binary"].([]byte)
		again := readLicenseFile(bin)
		if again["ok"] != true || !bytes.Equal(again["binary"].([]byte), bin) || again["armour"] != got["armour"] {
			t.Fatalf("binary form does not read back: %v", again)
		}
	})
}

// FuzzReceiverAdd: no panic, a malformed frame leaves the progress as it
// was, and ok agrees with the result.
func FuzzReceiverAdd(f *testing.F) {
	var v frameVectors
	readJSON(f, "airgap/fountain/testdata/vectors/frames.json", &v)
	for _, x := range v.Tests {
		f.Add(x.Text)
	}
	e, _ := newSender([]byte("a payload the receiver has begun to receive"), 8, 0)
	f.Fuzz(func(t *testing.T, s string) {
		r := newReceiver(2)
		r.add(e.Frame(0))
		before := progressValue(r.d.Progress())
		got := r.add(s)
		if (got["ok"] == true) != (got["result"] != "malformed") {
			t.Fatalf("ok and result disagree: %v", got)
		}
		if got["result"] == "malformed" {
			after := progressValue(r.d.Progress())
			if after["frames"] != before["frames"] || after["rank"] != before["rank"] {
				t.Fatalf("malformed frame changed the progress: %v -> %v", before, after)
			}
		}
	})
}
