package main

import (
	"encoding/hex"

	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/release"
)

// The longer typed codes (docs/formats.md, "Confirmation codes" and
// "Release codes") answer in the shape of device codes: the same result,
// canonical, corrections and error fields, with their own fields.

// parseConfirmationCode is licet.parseConfirmationCode: a typed
// confirmation code read with correction (at most one character per check
// block). Whether it verifies needs the order license and the device code,
// which only the terminal has.
//
//	{ok: true, result: "valid"|"corrected", canonical, corrections,
//	 fields: {version, days, license_id}}
func parseConfirmationCode(s string) map[string]any {
	p, err := confirm.Parse(s)
	if err != nil {
		return codeFailure(err, confirm.ErrorKind(err))
	}
	return codeValue(p.Canonical, p.Corrections, map[string]any{
		"version":    int(p.Code.Version),
		"days":       int(p.Code.Days),
		"license_id": p.Code.LicenseID().String(),
	})
}

// checkConfirmationCode is licet.checkConfirmationCode: a confirmation
// code being typed, each check block checked as soon as it is complete.
func checkConfirmationCode(s string) map[string]any {
	pr := confirm.CheckPartial(s)
	return progressAnswer(pr, confirm.ErrorKind, func() map[string]any { return parseConfirmationCode(s) })
}

// parseReleaseCode is licet.parseReleaseCode: a typed release code read
// with correction.
//
//	{ok: true, result, canonical, corrections,
//	 fields: {version, flags, license_prefix, day, date}}
func parseReleaseCode(s string) map[string]any {
	p, err := release.Parse(s)
	if err != nil {
		return codeFailure(err, release.ErrorKind(err))
	}
	return codeValue(p.Canonical, p.Corrections, map[string]any{
		"version":        int(p.Code.Version),
		"flags":          int(p.Code.Flags),
		"license_prefix": hex.EncodeToString(p.Code.License[:]),
		"day":            int(p.Code.Day),
		"date":           p.Code.Date().Format("2006-01-02"),
	})
}

// checkReleaseCode is licet.checkReleaseCode: a release code being typed.
func checkReleaseCode(s string) map[string]any {
	pr := release.CheckPartial(s)
	return progressAnswer(pr, release.ErrorKind, func() map[string]any { return parseReleaseCode(s) })
}

func codeValue(canonical string, cs []devcode.Correction, fields map[string]any) map[string]any {
	result := "valid"
	corr := make([]any, len(cs))
	for i, c := range cs {
		result = "corrected"
		corr[i] = map[string]any{"position": c.Pos, "group": c.Group(), "was": string(rune(c.Was)), "became": string(rune(c.Became))}
	}
	return map[string]any{"ok": true, "result": result, "canonical": canonical, "corrections": corr, "fields": fields}
}

func codeFailure(err error, kind string) map[string]any {
	e := devcodeError(err)
	if kind != "" {
		e["kind"] = kind
	}
	return map[string]any{"ok": false, "result": "invalid", "error": e}
}

// progressAnswer is the answer for a code being typed (see
// checkDeviceCode); parse gives the full answer once it is complete.
func progressAnswer(pr devcode.Progress, kind func(error) string, parse func() map[string]any) map[string]any {
	groups := make([]any, len(pr.Groups))
	for i, g := range pr.Groups {
		groups[i] = map[string]any{"text": g.Text, "status": g.Status.String()}
	}
	out := map[string]any{
		"input":    pr.Canonical,
		"typed":    pr.Typed,
		"length":   5 * len(pr.Groups),
		"complete": pr.Complete,
		"groups":   groups,
	}
	switch {
	case pr.Err != nil:
		for k, v := range codeFailure(pr.Err, kind(pr.Err)) {
			out[k] = v
		}
	case !pr.Complete:
		out["ok"], out["result"] = true, "incomplete"
	default:
		// Complete and accepted: the full parse gives the fields (it
		// agrees with CheckPartial on complete input).
		for k, v := range parse() {
			out[k] = v
		}
	}
	return out
}
