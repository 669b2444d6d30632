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
		return codeFailure(err, devcode.ErrorKind(err))
	}
	return deviceCodeValue(p)
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
	return progressAnswer(pr, devcode.ErrorKind, func() map[string]any { return deviceCodeValue(pr.Result) })
}

func deviceCodeValue(p devcode.Parsed) map[string]any {
	return codeValue(p.Canonical, p.Corrections, map[string]any{
		"version": int(p.Code.Version),
		"flags":   int(p.Code.Flags),
		"product": int(p.Code.Product),
		"digest":  hex.EncodeToString(p.Code.Digest[:]),
		"nonce":   int(p.Code.Nonce),
	})
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
