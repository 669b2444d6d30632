package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
)

// Error kinds of license files, the names the vector files use.
var objectErrorKinds = []struct {
	err  error
	kind string
}{
	{codec.ErrUntrustedKey, "untrusted-key"},
	{codec.ErrBadSignature, "bad-signature"},
	{codec.ErrExpired, "expired"},
	{codec.ErrNotYetValid, "not-yet-valid"},
	{codec.ErrDelegation, "delegation"},
	{codec.ErrWrongProduct, "wrong-product"},
	{codec.ErrChain, "chain"},
	{codec.ErrNonCanonical, "non-canonical"},
	{codec.ErrUnknownField, "unknown-field"},
	{codec.ErrVersion, "version"},
	{codec.ErrInvalid, "invalid"},
	{codec.ErrMalformed, "malformed"},
}

// objectErrorKind names the reason of a codec error; the most specific
// reason wins (a non-canonical object is also malformed).
func objectErrorKind(err error) string {
	for _, k := range objectErrorKinds {
		if errors.Is(err, k.err) {
			return k.kind
		}
	}
	return "malformed"
}

// parseRoots reads trusted public keys in text form, one a line; blank
// lines and everything after # are ignored.
func parseRoots(text string) ([]*cose.PublicKey, error) {
	var keys []*cose.PublicKey
	for i, line := range strings.Split(text, "\n") {
		if j := strings.IndexByte(line, '#'); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k := new(cose.PublicKey)
		if err := k.UnmarshalText([]byte(line)); err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// readLicenseFile is licet.readLicenseFile: a license file (armoured text or
// CBOR) read without checking its signatures, in both forms.
//
//	{ok: true, armoured, label, armour, binary (Uint8Array), links, leaf}
func readLicenseFile(b []byte) map[string]any {
	f, err := codec.ParseFile(b)
	if err != nil {
		return failure(objectErrorKind(err), err)
	}
	out := fileAnswer(f)
	out["ok"], out["result"] = true, "valid"
	out["binary"] = f.Marshal()
	out["armour"] = string(f.Armour())
	return out
}

// verifyLicense is licet.verifyLicense: a license file checked against
// trusted roots (text form, one a line) at an instant.
//
//	{ok, result: "valid"|"invalid", armoured, label, links, leaf,
//	 order?, root?, signer?, error?: {kind, message, link?}}
//
// links and leaf are present whenever the file could be read, so that a
// page can show what a file claims even when it does not verify; ok says
// whether it does.
func verifyLicense(b []byte, roots string, now time.Time) map[string]any {
	keys, err := parseRoots(roots)
	if err != nil {
		return failure("roots", fmt.Errorf("trusted keys: %w", err))
	}
	f, err := codec.ParseFile(b)
	if err != nil {
		return failure(objectErrorKind(err), err)
	}
	out := fileAnswer(f)
	v := codec.Verifier{Roots: keys, Now: now}
	res, err := v.Verify(f)
	if err != nil {
		e := map[string]any{"kind": objectErrorKind(err), "message": err.Error()}
		var ve *codec.VerifyError
		if errors.As(err, &ve) {
			e["link"] = ve.Link + 1
		}
		if len(keys) == 0 {
			e["kind"], e["message"] = "untrusted-key", "codec: no trusted keys given"
		}
		out["ok"], out["result"], out["error"] = false, "invalid", e
		return out
	}
	out["ok"], out["result"] = true, "valid"
	out["root"] = res.Root.ID().String()
	out["signer"] = res.Signer.ID().String()
	if res.Order != nil {
		if fields, err := plainFields(res.Order); err == nil {
			out["order"] = fields
		}
	}
	return out
}

// fileAnswer describes the links of a parsed file.
func fileAnswer(f *codec.File) map[string]any {
	links := make([]any, len(f.Links))
	for i, l := range f.Links {
		t := codec.TypeOf(l.Object)
		links[i] = map[string]any{
			"type":   t.String(),
			"id":     codec.HeaderOf(l.Object).ID.String(),
			"key_id": l.Message.KeyID.String(),
			"size":   len(l.Raw),
		}
	}
	leaf := f.Leaf()
	fields, err := plainFields(leaf.Object)
	if err != nil {
		fields = map[string]any{}
	}
	fields["type"] = codec.TypeOf(leaf.Object).String()
	return map[string]any{
		"armoured": f.Armoured,
		"label":    codec.LabelFor(codec.TypeOf(leaf.Object)),
		"links":    links,
		"leaf":     fields,
	}
}
