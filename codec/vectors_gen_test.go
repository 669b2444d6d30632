package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/fxamacker/cbor/v2"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/internal/vectors"
)

// The vector generator. `go test ./codec -run TestVectorsUpToDate -update`
// rewrites testdata/vectors/*.json; without -update the test fails when the
// checked-in files differ from what the generator makes, so the files and
// this code cannot drift apart. Everything is deterministic: keys from
// cosetest.KeyFromSeed labels, ML-DSA-65 in its deterministic variant
// (cosetest.SignDeterministic), fixed ids and fixed times.

const vectorDir = "testdata/vectors"

// vectorFile is the Wycheproof-shaped top level of a vector file.
type vectorFile struct {
	Algorithm        string            `json:"algorithm"`
	GeneratorVersion string            `json:"generatorVersion"`
	NumberOfTests    int               `json:"numberOfTests"`
	Header           []string          `json:"header"`
	Notes            map[string]string `json:"notes"`
	TestGroups       []vectorGroup     `json:"testGroups"`
}

type vectorGroup struct {
	Type  string       `json:"type"`
	Roots []string     `json:"roots,omitempty"` // trusted roots, text form of cose.PublicKey
	Tests []vectorTest `json:"tests"`
}

type vectorTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Object  string   `json:"object,omitempty"` // objects.json: the object type the bytes are decoded as
	CBOR    string   `json:"cbor,omitempty"`   // hex: an object (objects.json) or a CBOR file (chains.json)
	Armour  string   `json:"armour,omitempty"` // chains.json: an armoured file
	At      string   `json:"at,omitempty"`     // chains.json: the verification instant, RFC 3339
	Leaf    string   `json:"leaf,omitempty"`   // chains.json, valid: the type of the verified object
	Result  string   `json:"result"`           // valid or invalid
	Error   string   `json:"error,omitempty"`  // invalid: the reason, one of the notes' keys
	Flags   []string `json:"flags,omitempty"`
}

// reasons maps the vectors' error names to the sentinels tests check.
var reasons = map[string]error{
	"malformed":     ErrMalformed,
	"non-canonical": ErrNonCanonical,
	"unknown-field": ErrUnknownField,
	"version":       ErrVersion,
	"invalid":       ErrInvalid,
	"untrusted-key": ErrUntrustedKey,
	"bad-signature": ErrBadSignature,
	"expired":       ErrExpired,
	"not-yet-valid": ErrNotYetValid,
	"delegation":    ErrDelegation,
	"wrong-product": ErrWrongProduct,
	"chain":         ErrChain,
}

var reasonNotes = map[string]string{
	"malformed":     "ErrMalformed: not well-formed CBOR, wrong types, limits, duplicate keys, indefinite lengths, tags, bad COSE or armour",
	"non-canonical": "ErrNonCanonical: decodes, but is not the core deterministic encoding (or carries a zero-valued field)",
	"unknown-field": "ErrUnknownField: an unknown key below 1000",
	"version":       "ErrVersion: a format version other than 1",
	"invalid":       "ErrInvalid: decodes, but breaks a rule of the object's format",
	"untrusted-key": "ErrUntrustedKey: signed by a key that is neither a trusted root nor the order's site key",
	"bad-signature": "ErrBadSignature: a half of the hybrid signature does not verify",
	"expired":       "ErrExpired: the instant is at or after not_after",
	"not-yet-valid": "ErrNotYetValid: the instant is before not_before",
	"delegation":    "ErrDelegation: the site key signed beyond its order",
	"wrong-product": "ErrWrongProduct: a grant for another product than its order's",
	"chain":         "ErrChain: the file's chain has the wrong shape",
}

func reasonName(err error) string {
	// The most precise reason first: ErrMalformed also matches the others.
	for _, n := range []string{"non-canonical", "unknown-field", "version", "invalid", "untrusted-key", "bad-signature",
		"expired", "not-yet-valid", "delegation", "wrong-product", "chain", "malformed"} {
		if errors.Is(err, reasons[n]) {
			return n
		}
	}
	return "?"
}

// builder collects tests for one file.
type builder struct {
	file  vectorFile
	group *vectorGroup
	n     int
}

func (b *builder) startGroup(typ string, roots ...*cose.PublicKey) {
	g := vectorGroup{Type: typ}
	for _, r := range roots {
		txt, err := r.MarshalText()
		if err != nil {
			panic(err)
		}
		g.Roots = append(g.Roots, string(txt))
	}
	b.file.TestGroups = append(b.file.TestGroups, g)
	b.group = &b.file.TestGroups[len(b.file.TestGroups)-1]
}

func (b *builder) add(t vectorTest) {
	b.n++
	t.TcID = b.n
	if t.Error == "" {
		t.Result = "valid"
	} else {
		t.Result = "invalid"
	}
	b.group.Tests = append(b.group.Tests, t)
}

func (b *builder) json() []byte {
	b.file.NumberOfTests = b.n
	return vectors.Marshal(b.file)
}

func mustMarshal(o Object) []byte {
	b, err := Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}

// topMap returns an object's top-level map for editing.
func topMap(o Object) map[uint64]cbor.RawMessage {
	var m map[uint64]cbor.RawMessage
	if err := looseMode.Unmarshal(mustMarshal(o), &m); err != nil {
		panic(err)
	}
	return m
}

func encodeMap(m map[uint64]cbor.RawMessage) []byte {
	b, err := encMode.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}

func rawOf(v any) cbor.RawMessage {
	b, err := encMode.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// encodeUnsorted writes a map with its keys in descending order.
func encodeUnsorted(m map[uint64]cbor.RawMessage) []byte {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] > keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	out := []byte{0xa0 | byte(len(m))}
	for _, k := range keys {
		out = append(out, rawOf(k)...)
		out = append(out, m[k]...)
	}
	return out
}

func genObjects() []byte {
	b := &builder{file: vectorFile{
		Algorithm:        "licet-objects",
		GeneratorVersion: "1",
		Header: []string{
			"CBOR payloads of Licet's signed objects (docs/formats.md, Signed objects), decoded with the",
			"decoder of their 'object' type. Valid ones re-encode to the same bytes.",
		},
		Notes: reasonNotes,
	}}
	order := sampleOrder()
	samples := []struct {
		comment string
		o       Object
	}{
		{"periodic order license with site key", order},
		{"permanent order license with confirmation key and approval flags", permanentOrder()},
		{"lease drawn on the periodic order", sampleLease(order)},
		{"vendor-direct device license with components", sampleDevice()},
		{"usage report with three chained ledger entries", sampleReport(order)},
		{"release receipt", sampleReceipt(order)},
		{"request bundle", sampleRequest()},
	}
	b.startGroup("valid objects")
	for _, s := range samples {
		b.add(vectorTest{Comment: s.comment, Object: TypeOf(s.o).String(), CBOR: hex.EncodeToString(mustMarshal(s.o))})
	}
	unl := sampleOrder()
	unl.ID, unl.Mode, unl.Seats, unl.NotAfter = fixedID("order unlimited"), ModeUnlimited, 0, 0
	b.add(vectorTest{Comment: "unlimited order without end or seats", Object: "order", CBOR: hex.EncodeToString(mustMarshal(unl))})
	ext := sampleDevice()
	ext.Ext = map[uint64]Bytes{1000: Bytes(rawOf("note")), 1001: Bytes(rawOf(map[string]int{"a": 1}))}
	b.add(vectorTest{Comment: "device license with two extension fields (kept, ignored)", Object: "device", CBOR: hex.EncodeToString(mustMarshal(ext))})
	cont := sampleDevice()
	cont.Binding = Binding{Instance: "i-0123456789abcdef", Policy: MatchLoose}
	b.add(vectorTest{Comment: "device license bound to a container instance id", Object: "device", CBOR: hex.EncodeToString(mustMarshal(cont))})

	b.startGroup("invalid objects")
	bad := func(comment, object, reason string, enc []byte) {
		b.add(vectorTest{Comment: comment, Object: object, CBOR: hex.EncodeToString(enc), Error: reason})
	}
	rec := sampleReceipt(order)
	recB := mustMarshal(rec)
	bad("empty input", "release-receipt", "malformed", nil)
	bad("truncated", "release-receipt", "malformed", recB[:len(recB)-3])
	bad("trailing byte", "release-receipt", "malformed", append(bytes.Clone(recB), 0))
	bad("array instead of map", "release-receipt", "malformed", []byte{0x80})
	bad("tag 1 around the object", "release-receipt", "malformed", append([]byte{0xc1}, recB...))
	indef := append([]byte{0xbf}, recB[1:]...)
	bad("indefinite-length map", "release-receipt", "malformed", append(indef, 0xff))
	m := topMap(rec)
	dup := encodeMap(m)
	dup[0]++
	dup = append(dup, rawOf(uint64(4))...)
	dup = append(dup, m[4]...)
	bad("duplicate key 4 (issued_at)", "release-receipt", "malformed", dup)
	bad("keys in descending order", "release-receipt", "non-canonical", encodeUnsorted(m))
	m2 := topMap(rec)
	m2[4] = cbor.RawMessage(append([]byte{0x1b, 0, 0, 0, 0}, m2[4][1:]...))
	bad("issued_at as a non-minimal 8-byte integer", "release-receipt", "non-canonical", encodeMap(m2))
	m3 := topMap(rec)
	m3[5] = rawOf(0)
	bad("not_before present at zero", "release-receipt", "non-canonical", encodeMap(m3))
	m4 := topMap(rec)
	m4[99] = rawOf(1)
	bad("unknown critical key 99", "release-receipt", "unknown-field", encodeMap(m4))
	m5 := topMap(rec)
	m5[2] = rawOf(2)
	bad("version 2", "release-receipt", "version", encodeMap(m5))
	m6 := topMap(rec)
	m6[1000] = cbor.RawMessage{0x18, 0x05}
	bad("extension 1000 with a non-minimal integer", "release-receipt", "non-canonical", encodeMap(m6))
	m7 := topMap(rec)
	m7[71] = rawOf([]byte{1, 2, 3})
	bad("digest of 3 bytes", "release-receipt", "invalid", encodeMap(m7))
	m8 := topMap(rec)
	m8[70] = rawOf(make([]byte, 15))
	bad("license id of 15 bytes", "release-receipt", "malformed", encodeMap(m8))
	m9 := topMap(rec)
	m9[1] = rawOf(2)
	bad("type field says device license", "release-receipt", "invalid", encodeMap(m9))
	m10 := topMap(rec)
	m10[4] = rawOf("2026-01-01T00:00:00Z")
	bad("issued_at as text", "release-receipt", "malformed", encodeMap(m10))

	perm := topMap(permanentOrder())
	delete(perm, 17)
	bad("permanent order without seats", "order", "invalid", encodeMap(perm))
	unlB := topMap(unl)
	unlB[17] = rawOf(10)
	bad("unlimited order with 10 seats", "order", "invalid", encodeMap(unlB))
	per := topMap(order)
	delete(per, 18)
	delete(per, 19)
	bad("periodic order without lease period", "order", "invalid", encodeMap(per))
	feat := topMap(order)
	feat[21] = cbor.RawMessage(append([]byte{0xa3}, append(append(rawOf("a"), rawOf("1")...), append(append(rawOf("b"), rawOf("2")...), append(rawOf("a"), rawOf("3")...)...)...)...))
	bad("feature map with a duplicate name", "order", "malformed", encodeMap(feat))
	siteB := topMap(order)
	siteB[23] = rawOf([]byte("not a key"))
	bad("site key that is not a public key", "order", "invalid", encodeMap(siteB))
	ls := topMap(sampleLease(order))
	delete(ls, 6)
	bad("lease without not_after", "lease", "invalid", encodeMap(ls))
	bind := topMap(sampleDevice())
	bind[31] = rawOf(map[uint64]any{1: []byte{1, 2, 3, 4, 5, 6, 7}})
	bad("binding digest of 7 bytes", "device", "invalid", encodeMap(bind))
	bind2 := topMap(sampleDevice())
	bind2[31] = rawOf(map[uint64]any{1: []byte(digestOf("x", 8)), 9: 1})
	bad("binding with unknown key 9", "device", "malformed", encodeMap(bind2))
	rep := sampleReport(order)
	mustMarshal(rep)
	rep.Entries[1].InUse = 99
	repB, err := encMode.Marshal(rep)
	if err != nil {
		panic(err)
	}
	bad("ledger entry 9 does not chain to the edited entry 8", "usage-report", "invalid", repB)
	return b.json()
}

func genChains() []byte {
	b := &builder{file: vectorFile{
		Algorithm:        "licet-chains",
		GeneratorVersion: "1",
		Header: []string{
			"License files (docs/formats.md, Signed objects and Chain verification): a CBOR array of",
			"hybrid COSE_Sign messages (hex in 'cbor') or the same armoured ('armour'), verified against",
			"the group's roots at the instant 'at'. Keys are cosetest.KeyFromSeed labels, signatures",
			"cosetest.SignDeterministic.",
		},
		Notes: reasonNotes,
	}}
	at := func(days int) string { return ts(days).Time().Format(time.RFC3339) }
	hexOf := func(f *File) string { return hex.EncodeToString(f.Marshal()) }
	add := func(comment string, f *File, day int, leaf, reason string) {
		b.add(vectorTest{Comment: comment, CBOR: hexOf(f), At: at(day), Leaf: leaf, Error: reason})
	}

	order := sampleOrder()
	orderS := signDet(rootKey, order)
	lease := sampleLease(order)
	leaseS := signDet(siteKey, lease)
	perm := permanentOrder()
	permS := signDet(rootKey, perm)
	dev := sampleDevice()
	devS := signDet(rootKey, dev)

	b.startGroup("one root", rootKey.Public())
	add("order license alone", fileOf(orderS), 30, "order", "")
	add("order and a lease its site key signed", fileOf(orderS, leaseS), 12, "lease", "")
	add("vendor-direct device license without end", fileOf(devS), 1000, "device", "")
	b.add(vectorTest{Comment: "order and lease, armoured", Armour: string(fileOf(orderS, leaseS).Armour()), At: at(12), Leaf: "lease"})
	b.add(vectorTest{Comment: "vendor-direct device license, armoured", Armour: string(fileOf(devS).Armour()), At: at(6), Leaf: "device"})

	sdev := sampleDevice()
	sdev.ID, sdev.Order, sdev.NotAfter = fixedID("site device 1"), perm.ID, perm.NotAfter
	sdev.Features = map[string]string{"export": "on", "channels": "16"}
	add("permanent order and a device license its site key signed", fileOf(permS, signDet(siteKey, sdev)), 100, "device", "")
	add("order and a usage report", fileOf(orderS, signDet(siteKey, sampleReport(order))), 41, "usage-report", "")
	add("usage report after the order ended", fileOf(orderS, signDet(siteKey, sampleReport(order))), 400, "usage-report", "")
	add("order and a release receipt", fileOf(orderS, signDet(siteKey, sampleReceipt(order))), 21, "release-receipt", "")
	vlease := sampleLease(order)
	vlease.Order = ID{}
	add("vendor-direct lease", fileOf(signDet(rootKey, vlease)), 12, "lease", "")
	extDev := sampleDevice()
	extDev.Ext = map[uint64]Bytes{1000: Bytes(rawOf("kept"))}
	add("device license with an extension field", fileOf(signDet(rootKey, extDev)), 6, "device", "")

	add("order signed by an untrusted key", fileOf(signDet(otherKey, order)), 30, "", "untrusted-key")
	add("lease signed by a key other than the site key", fileOf(orderS, signDet(otherKey, lease)), 12, "", "untrusted-key")
	add("lease signed by the root instead of the site key", fileOf(orderS, signDet(rootKey, lease)), 12, "", "untrusted-key")
	add("order expired", fileOf(orderS), 365, "", "expired")
	add("order not yet valid", fileOf(orderS), -1, "", "not-yet-valid")
	add("lease expired", fileOf(orderS, leaseS), 17, "", "expired")
	add("lease not yet valid", fileOf(orderS, leaseS), 9, "", "not-yet-valid")
	add("lease checked after its order ended", fileOf(orderS, leaseS), 366, "", "expired")

	edit := func(label string, f func(l *Lease)) []byte {
		l := sampleLease(order)
		l.ID = fixedID(label)
		f(l)
		return signDet(siteKey, l)
	}
	add("lease outlives its order", fileOf(orderS, edit("late", func(l *Lease) {
		l.IssuedAt, l.NotBefore, l.RenewAfter, l.ServerTime, l.NotAfter = ts(362), ts(362), ts(363), ts(362), ts(366)
	})), 363, "", "delegation")
	add("lease for another product", fileOf(orderS, edit("product", func(l *Lease) { l.Product = 8 })), 12, "", "wrong-product")
	add("lease with a feature the order lacks", fileOf(orderS, edit("feature", func(l *Lease) { l.Features["audit"] = "on" })), 12, "", "delegation")
	add("lease with a feature at another value", fileOf(orderS, edit("value", func(l *Lease) { l.Features["channels"] = "64" })), 12, "", "delegation")
	add("lease longer than the lease period", fileOf(orderS, edit("long", func(l *Lease) { l.NotAfter = ts(18) })), 12, "", "delegation")
	add("lease drawing on another order", fileOf(orderS, edit("other order", func(l *Lease) { l.Order = fixedID("another order") })), 12, "", "delegation")
	add("lease issued before its order", fileOf(orderS, edit("early", func(l *Lease) { l.IssuedAt, l.ServerTime = ts(-1), ts(-1) })), 12, "", "delegation")
	pdev := sampleDevice()
	pdev.ID, pdev.Order, pdev.NotAfter = fixedID("periodic device"), order.ID, ts(300)
	add("device license under a periodic order", fileOf(orderS, signDet(siteKey, pdev)), 12, "", "delegation")
	plse := sampleLease(perm)
	add("lease under a permanent order", fileOf(permS, signDet(siteKey, plse)), 12, "", "delegation")
	held := sampleOrder()
	held.ID, held.SiteKey = fixedID("vendor-held order"), nil
	hlease := sampleLease(held)
	add("lease under a vendor-held order", fileOf(signDet(rootKey, held), signDet(siteKey, hlease)), 12, "", "delegation")
	over := sampleReport(order)
	over.Entries = over.Entries[:1]
	over.Entries[0].InUse = 51
	add("usage report showing 51 seats of 50", fileOf(orderS, signDet(siteKey, over)), 41, "", "delegation")
	add("usage report without its order", fileOf(signDet(siteKey, sampleReport(order))), 41, "", "untrusted-key")
	add("usage report signed by a root alone", fileOf(signDet(rootKey, sampleReport(order))), 41, "", "chain")
	add("two device licenses", fileOf(devS, devS), 6, "", "chain")
	add("request bundle signed by a root", fileOf(signDet(rootKey, sampleRequest())), 6, "", "chain")

	flip := func(raw []byte, i int) []byte {
		c := bytes.Clone(raw)
		c[i] ^= 0x01
		return c
	}
	mlAt := bytes.Index(devS, []byte{0x59, 0x0c, 0xed}) // the ML-DSA-65 signature's byte-string head
	if mlAt < 0 {
		panic("no ML-DSA-65 signature found")
	}
	add("ML-DSA-65 half of the signature altered", fileOf(flip(devS, mlAt+3+100)), 6, "", "bad-signature")
	add("Ed25519 half of the signature altered", fileOf(flip(devS, len(devS)-1)), 6, "", "bad-signature")
	swapped := bytes.Clone(devS)
	otherS := signDet(otherKey, dev)
	copy(swapped[len(swapped)-64:], otherS[len(otherS)-64:])
	add("Ed25519 half replaced by another key's signature", fileOf(swapped), 6, "", "bad-signature")

	b.startGroup("two roots, rotation", rootKey.Public(), root2Key.Public())
	add("device license signed by the second root", fileOf(signDet(root2Key, dev)), 6, "device", "")
	add("order signed by the first root", fileOf(orderS), 6, "order", "")

	b.startGroup("malformed files", rootKey.Public())
	raw := func(comment string, enc []byte) {
		b.add(vectorTest{Comment: comment, CBOR: hex.EncodeToString(enc), At: at(6), Error: "malformed"})
	}
	good := fileOf(devS).Marshal()
	raw("empty file", nil)
	raw("empty array", []byte{0x80})
	raw("three links", rawFile(orderS, leaseS, leaseS))
	raw("file truncated", good[:len(good)-1])
	raw("bare COSE_Sign message instead of a file", devS)
	raw("indefinite-length array", append(append([]byte{0x9f}, good[1:]...), 0xff))
	ct := cosetest.SignDeterministic(rootKey, TypeLease.ContentType(), mustMarshal(dev))
	raw("content type says lease, payload is a device license", rawFile(ct))
	b.add(vectorTest{Comment: "armour label does not fit the object", Armour: string(Armour(LabelUsageReport, good)), At: at(6), Error: "malformed"})
	arm := string(fileOf(devS).Armour())
	b.add(vectorTest{Comment: "armour with a line of 63 characters", Armour: arm[:40] + arm[41:], At: at(6), Error: "malformed"})
	return b.json()
}

// rawFile encodes signed messages as a file without decoding them.
func rawFile(signed ...[]byte) []byte {
	b, err := encMode.Marshal(signed)
	if err != nil {
		panic(err)
	}
	return b
}

func TestVectorsUpToDate(t *testing.T) {
	vectors.Check(t, filepath.Join(vectorDir, "objects.json"), genObjects())
	vectors.Check(t, filepath.Join(vectorDir, "chains.json"), genChains())
}
