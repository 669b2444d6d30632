package codec

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// Armour labels. A file's label follows the type of its last object.
const (
	LabelLicense        = "LICET LICENSE"         // order licenses, device licenses and leases
	LabelUsageReport    = "LICET USAGE REPORT"    // usage reports
	LabelReleaseReceipt = "LICET RELEASE RECEIPT" // release receipts
	LabelRequest        = "LICET REQUEST"         // request bundles
)

// LabelFor returns the armour label of a file whose last object has type t.
func LabelFor(t Type) string {
	switch t {
	case TypeUsageReport:
		return LabelUsageReport
	case TypeReleaseReceipt:
		return LabelReleaseReceipt
	case TypeRequest:
		return LabelRequest
	}
	return LabelLicense
}

// MaxArmouredSize is the size of the longest armoured text Dearmour reads:
// a file of MaxObjectSize bytes in base64 lines, with room for the BEGIN
// and END lines and white space around them.
const MaxArmouredSize = MaxObjectSize/3*4 + MaxObjectSize/armourLine + 256

const (
	armourLine     = 64
	armourBegin    = "-----BEGIN "
	armourEnd      = "-----END "
	armourDashes   = "-----"
	maxArmourLabel = 32
)

// Armour returns b as armoured text: a BEGIN line with the label, the
// standard base64 of b (with padding) in lines of 64 characters, and an END
// line, each ending in a line feed.
func Armour(label string, b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	out.Grow(len(enc) + len(enc)/armourLine + 2*len(label) + 40)
	out.WriteString(armourBegin + label + armourDashes + "\n")
	for len(enc) > 0 {
		n := min(armourLine, len(enc))
		out.WriteString(enc[:n])
		out.WriteByte('\n')
		enc = enc[n:]
	}
	out.WriteString(armourEnd + label + armourDashes + "\n")
	return out.Bytes()
}

// IsArmoured reports whether b looks like armoured text: after optional
// white space it starts with "-----BEGIN ".
func IsArmoured(b []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte(armourBegin))
}

// CanonicalArmour returns the form of armoured text that Armour would
// write for what Dearmour reads from it: without surrounding white space,
// with line feeds for CR LF, and ending in one line feed. It is for tests
// and for callers that compare armoured files.
func CanonicalArmour(b []byte) []byte {
	b = bytes.Trim(b, " \t\r\n")
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return append(b, '\n')
}

// Dearmour reads armoured text. It accepts white space around the text and
// CR LF line ends, and nothing else beyond what Armour writes: the label
// must be upper-case letters and spaces starting with "LICET ", the END
// line must repeat it, every base64 line but the last must be exactly 64
// characters, and the base64 must be canonical.
func Dearmour(b []byte) (label string, data []byte, err error) {
	fail := func(format string, args ...any) (string, []byte, error) {
		return "", nil, decodeErr("armour", ErrMalformed, nil, format, args...)
	}
	if len(b) > MaxArmouredSize {
		return fail("%d bytes is too long", len(b))
	}
	text := string(CanonicalArmour(b))
	if strings.ContainsRune(text, '\r') {
		return fail("carriage return without line feed")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return fail("want a BEGIN line, base64 lines and an END line")
	}
	first, last := lines[0], lines[len(lines)-1]
	if !strings.HasPrefix(first, armourBegin) || !strings.HasSuffix(first, armourDashes) || len(first) < len(armourBegin)+len(armourDashes) {
		return fail("first line is not a BEGIN line")
	}
	label = first[len(armourBegin) : len(first)-len(armourDashes)]
	if !validLabel(label) {
		return fail("label %q is not LICET followed by upper-case words", label)
	}
	if last != armourEnd+label+armourDashes {
		return fail("last line is not %q", armourEnd+label+armourDashes)
	}
	body := lines[1 : len(lines)-1]
	var enc strings.Builder
	for i, l := range body {
		if len(l) == 0 || len(l) > armourLine || (i < len(body)-1 && len(l) != armourLine) {
			return fail("base64 line %d is %d characters, want %d (fewer only on the last line)", i+1, len(l), armourLine)
		}
		enc.WriteString(l)
	}
	data, err = base64.StdEncoding.Strict().DecodeString(enc.String())
	if err != nil {
		return "", nil, decodeErr("armour", ErrMalformed, err, "base64")
	}
	if len(data) == 0 {
		return fail("no data")
	}
	return label, data, nil
}

func validLabel(l string) bool {
	if !strings.HasPrefix(l, "LICET ") || len(l) > maxArmourLabel || strings.HasSuffix(l, " ") || strings.Contains(l, "  ") {
		return false
	}
	for _, r := range l {
		if (r < 'A' || r > 'Z') && r != ' ' {
			return false
		}
	}
	return true
}
