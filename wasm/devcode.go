package main

import (
	"encoding/hex"
	"errors"

	"licet.dev/licet/codec/devcode"
)

// parseDeviceCode is licet.parseDeviceCode: a complete device code as a
// person typed it, read with correction.
//
//	{ok: true, result: "valid"|"corrected", canonical, fields, corrections}
//	{ok: false, result: "invalid", error: {kind, message, position?}}
func parseDeviceCode(s string) map[string]any {
	p, err := devcode.Parse(s)
	if err != nil {
		return map[string]any{"ok": false, "result": "invalid", "error": devcodeError(err)}
	}
	return parsedValue(p)
}

// checkDeviceCode is licet.checkDeviceCode: input that is still being
// typed, checked group by group.
//
//	{ok, result: "incomplete"|"valid"|"corrected"|"invalid", input, typed,
//	 length, complete, groups: [{text, status}], error?,
//	 canonical?, fields?, corrections?}
//
// ok is false only when result is "invalid"; canonical, fields and
// corrections are present when the code is complete and accepted.
func checkDeviceCode(s string) map[string]any {
	pr := devcode.CheckPartial(s)
	groups := make([]any, len(pr.Groups))
	for i, g := range pr.Groups {
		groups[i] = map[string]any{"text": g.Text, "status": g.Status.String()}
	}
	out := map[string]any{
		"input":    pr.Canonical,
		"typed":    pr.Typed,
		"length":   devcode.Len,
		"complete": pr.Complete,
		"groups":   groups,
	}
	switch {
	case pr.Err != nil:
		out["ok"] = false
		out["result"] = "invalid"
		out["error"] = devcodeError(pr.Err)
	case !pr.Complete:
		out["ok"] = true
		out["result"] = "incomplete"
	default:
		for k, v := range parsedValue(pr.Result) {
			out[k] = v
		}
	}
	return out
}

func parsedValue(p devcode.Parsed) map[string]any {
	result := "valid"
	corr := make([]any, len(p.Corrections))
	for i, c := range p.Corrections {
		result = "corrected"
		corr[i] = map[string]any{
			"position": c.Pos,
			"group":    c.Group(),
			"was":      string(rune(c.Was)),
			"became":   string(rune(c.Became)),
		}
	}
	return map[string]any{
		"ok":          true,
		"result":      result,
		"canonical":   p.Canonical,
		"corrections": corr,
		"fields": map[string]any{
			"version": int(p.Code.Version),
			"flags":   int(p.Code.Flags),
			"product": int(p.Code.Product),
			"digest":  hex.EncodeToString(p.Code.Digest[:]),
			"nonce":   int(p.Code.Nonce),
		},
	}
}

// devcodeError describes an error of the devcode package: its stable kind
// (devcode.ErrorKind), its message, and where it is: the 1-based position
// of a bad character in the input, or the first and last characters of a
// check block that failed.
func devcodeError(err error) map[string]any {
	out := map[string]any{"kind": devcode.ErrorKind(err), "message": err.Error()}
	var se *devcode.SyntaxError
	var ce *devcode.CheckError
	var le *devcode.LengthError
	switch {
	case errors.As(err, &se):
		out["position"] = se.Pos
		out["char"] = string(se.Char)
	case errors.As(err, &ce):
		out["first"] = ce.First
		out["last"] = ce.Last
	case errors.As(err, &le):
		out["got"] = le.Got
		out["want"] = le.Want
	}
	if out["kind"] == "" {
		out["kind"] = "internal"
	}
	return out
}
