package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/codec"
)

type chainVectors struct {
	TestGroups []struct {
		Type  string   `json:"type"`
		Roots []string `json:"roots"`
		Tests []struct {
			TcID    int    `json:"tcId"`
			Comment string `json:"comment"`
			CBOR    string `json:"cbor"`
			Armour  string `json:"armour"`
			At      string `json:"at"`
			Leaf    string `json:"leaf"`
			Result  string `json:"result"`
			Error   string `json:"error"`
		} `json:"tests"`
	} `json:"testGroups"`
}

func TestVerifyLicenseChainVectors(t *testing.T) {
	var f chainVectors
	readJSON(t, "codec/testdata/vectors/chains.json", &f)
	n := 0
	for _, g := range f.TestGroups {
		roots := "# trusted\n" + strings.Join(g.Roots, "\n") + "\n"
		for _, v := range g.Tests {
			n++
			file := []byte(v.Armour)
			if v.CBOR != "" {
				file = unhex(t, v.CBOR)
			}
			at, err := time.Parse(time.RFC3339, v.At)
			if err != nil {
				t.Fatal(err)
			}
			got := verifyLicense(file, roots, at)
			if v.Result == "valid" {
				if got["ok"] != true || got["result"] != "valid" {
					t.Errorf("tcId %d (%s): %v", v.TcID, v.Comment, got["error"])
					continue
				}
				leaf := got["leaf"].(map[string]any)
				if leaf["type"] != v.Leaf {
					t.Errorf("tcId %d: leaf %v, want %s", v.TcID, leaf["type"], v.Leaf)
				}
				if got["root"] == nil || got["signer"] == nil {
					t.Errorf("tcId %d: no root or signer: %v", v.TcID, got)
				}
				// Both forms of the file read back to the same binary.
				r := readLicenseFile(file)
				again := readLicenseFile([]byte(r["armour"].(string)))
				if r["ok"] != true || !bytes.Equal(r["binary"].([]byte), again["binary"].([]byte)) || r["armoured"] != (v.Armour != "") {
					t.Errorf("tcId %d: readLicenseFile: %v", v.TcID, r)
				}
				continue
			}
			if got["ok"] != false || errKind(got) != v.Error {
				t.Errorf("tcId %d (%s): kind %q, want %q: %v", v.TcID, v.Comment, errKind(got), v.Error, got["error"])
			}
			if e := got["error"].(map[string]any); e["message"] == "" {
				t.Errorf("tcId %d: no message", v.TcID)
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d vectors", n)
	}
}

func TestVerifyLicenseKeys(t *testing.T) {
	var f chainVectors
	readJSON(t, "codec/testdata/vectors/chains.json", &f)
	v := f.TestGroups[0].Tests[0]
	file := unhex(t, v.CBOR)
	at, _ := time.Parse(time.RFC3339, v.At)
	// No keys: not trusted, but the file's content is still shown.
	got := verifyLicense(file, "\n# none\n", at)
	if errKind(got) != "untrusted-key" || got["leaf"].(map[string]any)["type"] != "order" || len(got["links"].([]any)) != 1 {
		t.Errorf("no keys: %v", got)
	}
	if got := verifyLicense(file, "licet-pub1:AAAA", at); errKind(got) != "roots" {
		t.Errorf("bad key: %v", got)
	}
	if got := readLicenseFile([]byte("-----BEGIN LICET LICENSE-----\nAAAA\n-----END LICET LICENSE-----\n")); errKind(got) != "malformed" {
		t.Errorf("bad armour: %v", got)
	}
	if k := objectErrorKind(codec.ErrNonCanonical); k != "non-canonical" {
		t.Errorf("kind %s", k)
	}
}
