package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

// readJSON reads a vector file relative to the repository root.
func readJSON(t testing.TB, rel string, v any) {
	t.Helper()
	b, err := os.ReadFile("../" + rel)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// errKind returns the error kind of a failed answer, "" for success.
func errKind(m map[string]any) string {
	if m["ok"] == true {
		return ""
	}
	e, _ := m["error"].(map[string]any)
	k, _ := e["kind"].(string)
	return k
}
