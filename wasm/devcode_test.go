package main

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// The vector file of codec/devcode, read here in the shape the JavaScript
// API answers with (the Node tests in test/ read the same file).
type vectorFile struct {
	TestGroups []struct {
		Type  string           `json:"type"`
		Tests []map[string]any `json:"tests"`
	} `json:"testGroups"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	b, err := os.ReadFile("../codec/devcode/testdata/vectors/devcode.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// plain round-trips v through JSON, as js.ValueOf and JSON.stringify would
// see it: numbers become float64, slices []any.
func plain(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDevcodeVectors(t *testing.T) {
	f := loadVectors(t)
	n := 0
	for _, g := range f.TestGroups {
		for _, v := range g.Tests {
			n++
			input := v["input"].(string)
			var got map[string]any
			switch g.Type {
			case "DeviceCodeParse":
				got = plain(t, parseDeviceCode(input))
			case "DeviceCodeCheckPartial":
				got = plain(t, checkDeviceCode(input))
				var groups []any
				for _, gr := range got["groups"].([]any) {
					groups = append(groups, gr.(map[string]any)["status"])
				}
				if !reflect.DeepEqual(groups, v["groups"]) {
					t.Errorf("tcId %v %q: groups %v, want %v", v["tcId"], input, groups, v["groups"])
				}
			default:
				t.Fatalf("unknown group type %q", g.Type)
			}
			checkAnswer(t, v, got)
		}
	}
	if n < 100 {
		t.Fatalf("only %d vectors", n)
	}
}

func checkAnswer(t *testing.T, v, got map[string]any) {
	t.Helper()
	id, input := v["tcId"], v["input"]
	if got["result"] != v["result"] {
		t.Errorf("tcId %v %q: result %v, want %v (%v)", id, input, got["result"], v["result"], got["error"])
		return
	}
	if got["ok"] != (v["result"] != "invalid") {
		t.Errorf("tcId %v: ok %v for result %v", id, got["ok"], v["result"])
	}
	if v["result"] == "invalid" {
		e := got["error"].(map[string]any)
		if e["kind"] != v["error"] {
			t.Errorf("tcId %v %q: error kind %v, want %v", id, input, e["kind"], v["error"])
		}
		if pos, ok := v["errorPos"]; ok && e["position"] != pos {
			t.Errorf("tcId %v %q: error position %v, want %v", id, input, e["position"], pos)
		}
		if e["message"] == "" {
			t.Errorf("tcId %v: empty error message", id)
		}
		return
	}
	if v["result"] == "incomplete" {
		return
	}
	if got["canonical"] != v["canonical"] {
		t.Errorf("tcId %v: canonical %v, want %v", id, got["canonical"], v["canonical"])
	}
	if !reflect.DeepEqual(got["fields"], v["fields"]) {
		t.Errorf("tcId %v: fields %v, want %v", id, got["fields"], v["fields"])
	}
	want := []any{}
	if c, ok := v["corrections"]; ok {
		want = c.([]any)
	}
	var corr []any
	for _, c := range got["corrections"].([]any) {
		m := c.(map[string]any)
		if m["group"] != float64((int(m["position"].(float64))-1)/5+1) {
			t.Errorf("tcId %v: correction %v in the wrong group", id, m)
		}
		corr = append(corr, map[string]any{"position": m["position"], "was": m["was"], "became": m["became"]})
	}
	if len(corr) != len(want) || (len(want) > 0 && !reflect.DeepEqual(corr, want)) {
		t.Errorf("tcId %v: corrections %v, want %v", id, corr, want)
	}
}

// FuzzCheckDeviceCode checks that the answers never panic, that an
// answer's ok matches its result, and that for complete input the partial
// check agrees with the full parse.
func FuzzCheckDeviceCode(f *testing.F) {
	for _, g := range loadVectors(f).TestGroups {
		for _, v := range g.Tests {
			f.Add(v["input"].(string))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := parseDeviceCode(s)
		c := checkDeviceCode(s)
		if p["ok"] != (p["result"] != "invalid") || c["ok"] != (c["result"] != "invalid") {
			t.Fatalf("ok and result disagree: %v / %v", p, c)
		}
		if len(c["groups"].([]any)) != 5 {
			t.Fatalf("groups: %v", c["groups"])
		}
		if c["complete"] == true && c["ok"] == true {
			if p["ok"] != true || p["canonical"] != c["canonical"] || p["result"] != c["result"] {
				t.Fatalf("complete %q: check %v, parse %v", s, c, p)
			}
		}
		if p["ok"] == true {
			again := parseDeviceCode(p["canonical"].(string))
			if again["result"] != "valid" || again["canonical"] != p["canonical"] {
				t.Fatalf("canonical %v does not parse back: %v", p["canonical"], again)
			}
		}
	})
}
