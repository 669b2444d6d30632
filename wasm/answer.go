package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// failure is the answer of a call that did not succeed: a stable kind, an
// English message for logs and fallbacks, and optional details.
func failure(kind string, err error, extra ...any) map[string]any {
	e := map[string]any{"kind": kind, "message": err.Error()}
	for i := 0; i+1 < len(extra); i += 2 {
		e[extra[i].(string)] = extra[i+1]
	}
	return map[string]any{"ok": false, "result": "invalid", "error": e}
}

// plainFields turns a value with JSON tags (the codec's objects, whose
// ids, bytes and times have text forms) into plain maps and slices.
func plainFields(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeBase64 reads standard or URL-safe base64, padded or not, ignoring
// white space.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	return b, nil
}
