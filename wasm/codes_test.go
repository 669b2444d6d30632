package main

import (
	"reflect"
	"testing"
)

// codeVectors is the shape of the confirmation- and release-code vector
// files. Parsing alone decides syntax, length, uncorrectable, version and
// malformed; the other errors (a signature, a tag, the terms) need what
// only the terminal or the portal holds, so such codes parse.
type codeVectors struct {
	TestGroups []struct {
		Type  string `json:"type"`
		Tests []struct {
			TcID        int              `json:"tcId"`
			Input       string           `json:"input"`
			Result      string           `json:"result"`
			Error       string           `json:"error"`
			Canonical   string           `json:"canonical"`
			Corrections []map[string]any `json:"corrections"`
			Days        *float64         `json:"days"`
			Day         *float64         `json:"day"`
			LicenseID   string           `json:"licenseId"`
		} `json:"tests"`
	} `json:"testGroups"`
}

var parseKinds = map[string]bool{"syntax": true, "length": true, "uncorrectable": true, "version": true, "malformed": true}

func TestCodeVectors(t *testing.T) {
	for _, c := range []struct {
		file         string
		parse, check func(string) map[string]any
	}{
		{"codec/confirm/testdata/vectors/confirm.json", parseConfirmationCode, checkConfirmationCode},
		{"codec/release/testdata/vectors/release.json", parseReleaseCode, checkReleaseCode},
	} {
		var f codeVectors
		readJSON(t, c.file, &f)
		n := 0
		for _, g := range f.TestGroups {
			for _, v := range g.Tests {
				n++
				got := plain(t, c.parse(v.Input))
				chk := plain(t, c.check(v.Input))
				if v.Result == "invalid" && parseKinds[v.Error] {
					// Too short is not an error yet while typing.
					short := v.Error == "length" && chk["result"] == "incomplete"
					if errKind(got) != v.Error || (errKind(chk) != v.Error && !short) {
						t.Errorf("%s tcId %d: kinds %q %q, want %s", c.file, v.TcID, errKind(got), errKind(chk), v.Error)
					}
					continue
				}
				if got["ok"] != true || chk["ok"] != true || chk["result"] != got["result"] || chk["canonical"] != got["canonical"] {
					t.Errorf("%s tcId %d: %v / %v", c.file, v.TcID, got, chk)
					continue
				}
				if v.Result != "invalid" {
					if got["result"] != v.Result || got["canonical"] != v.Canonical {
						t.Errorf("%s tcId %d: %v %v, want %s %s", c.file, v.TcID, got["result"], got["canonical"], v.Result, v.Canonical)
					}
					var corr []map[string]any
					for _, x := range got["corrections"].([]any) {
						m := x.(map[string]any)
						corr = append(corr, map[string]any{"position": m["position"], "was": m["was"], "became": m["became"]})
					}
					if !reflect.DeepEqual(corr, v.Corrections) {
						t.Errorf("%s tcId %d: corrections %v, want %v", c.file, v.TcID, corr, v.Corrections)
					}
				}
				fields := got["fields"].(map[string]any)
				if v.Days != nil && fields["days"] != *v.Days {
					t.Errorf("%s tcId %d: days %v, want %v", c.file, v.TcID, fields["days"], *v.Days)
				}
				if v.Day != nil && fields["day"] != *v.Day {
					t.Errorf("%s tcId %d: day %v, want %v", c.file, v.TcID, fields["day"], *v.Day)
				}
				if v.LicenseID != "" && fields["license_id"] != v.LicenseID {
					t.Errorf("%s tcId %d: license id %v, want %s", c.file, v.TcID, fields["license_id"], v.LicenseID)
				}
			}
		}
		if n < 20 {
			t.Fatalf("%s: only %d vectors", c.file, n)
		}
	}
	if got := checkReleaseCode("22WR8-B0W"); got["result"] != "incomplete" || len(got["groups"].([]any)) != 8 || got["length"] != 40 {
		t.Errorf("partial release code: %v", got)
	}
	if got := checkConfirmationCode("2"); got["result"] != "incomplete" || len(got["groups"].([]any)) != 16 {
		t.Errorf("partial confirmation code: %v", got)
	}
}
