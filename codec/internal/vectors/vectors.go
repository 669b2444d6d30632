// Package vectors reads and writes the test vector files of the codec
// packages (testdata/vectors/*.json, in the shape of Wycheproof's files)
// and the other files their tests generate, such as golden files. It is for
// tests only.
//
// A generated file is checked in and compared with its generator's output
// on every run, so that the file and the code cannot drift apart; the
// -update flag, which this package defines for every test binary that
// imports it, rewrites the file instead.
package vectors

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the generated files in testdata from their generators")

// File is the top level of a vector file, in the shape of Wycheproof's:
// groups of type G, each with its tests.
type File[G any] struct {
	Algorithm     string            `json:"algorithm"`
	Generator     string            `json:"generator"`
	NumberOfTests int               `json:"numberOfTests"`
	Header        []string          `json:"header"`
	Notes         map[string]string `json:"notes"`
	TestGroups    []G               `json:"testGroups"`
}

// Marshal returns v as vector files hold it: JSON indented by two spaces,
// with <, > and & as they are, ending in a newline.
func Marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic("vectors: " + err.Error())
	}
	return buf.Bytes()
}

// Load reads the JSON file at path as a V; a field V does not know is an
// error.
func Load[V any](t testing.TB, path string) V {
	t.Helper()
	var v V
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// Check fails t unless the file at path holds want, its generator's
// output. With -update it first writes want to path, creating the
// directory if need be.
func Check(t testing.TB, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its generator's output; review the change and run go test -run '^%s$' -update", path, t.Name())
	}
}

// Hex decodes s, a hexadecimal field of a vector.
func Hex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
