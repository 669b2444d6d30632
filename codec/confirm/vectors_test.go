package confirm

import (
	"bytes"
	"crypto/elliptic"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/codec/internal/vectors"
)

const vectorPath = "testdata/vectors/confirm.json"

type vectorFile = vectors.File[vectorGroup]

// vectorGroup is one confirmation key and one order license.
type vectorGroup struct {
	Type      string      `json:"type"`
	Comment   string      `json:"comment"`
	Seed      string      `json:"seed"`      // the private key's seed, hex
	PublicKey string      `json:"publicKey"` // SEC 1 compressed, hex
	Order     vectorOrder `json:"order"`
	Tests     []vector    `json:"tests"`
}

// vectorOrder holds the order license fields that confirmation codes
// depend on; times are Unix seconds, 0 for absent.
type vectorOrder struct {
	ID         string `json:"id"`
	IssuedAt   int64  `json:"issuedAt"`
	NotBefore  int64  `json:"notBefore"`
	NotAfter   int64  `json:"notAfter"`
	Product    uint16 `json:"product"`
	Mode       string `json:"mode"`
	ConfirmAlg int64  `json:"confirmAlg"`
	ConfirmKey string `json:"confirmKey"` // hex
}

type vector struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Flags   []string `json:"flags,omitempty"`
	// Device is the terminal's device code, canonical.
	Device string `json:"device"`
	// Input is the confirmation code as typed.
	Input string `json:"input"`
	// Result is "valid" (accepted as typed), "corrected" (accepted after
	// the corrections listed) or "invalid".
	Result      string             `json:"result"`
	Canonical   string             `json:"canonical,omitempty"`
	Days        *uint16            `json:"days,omitempty"`
	NotAfter    *int64             `json:"notAfter,omitempty"` // the grant's end, Unix seconds; 0 for none
	LicenseID   string             `json:"licenseId,omitempty"`
	Corrections []vectorCorrection `json:"corrections,omitempty"`
	Error       string             `json:"error,omitempty"` // ErrorKind
}

type vectorCorrection struct {
	Position int    `json:"position"`
	Was      string `json:"was"`
	Became   string `json:"became"`
}

func (o vectorOrder) license(t testing.TB) *codec.OrderLicense {
	t.Helper()
	var id codec.ID
	var mode codec.Mode
	key, err1 := hex.DecodeString(o.ConfirmKey)
	if err := id.UnmarshalText([]byte(o.ID)); err != nil || err1 != nil {
		t.Fatalf("order id %q / key: %v %v", o.ID, err, err1)
	}
	if err := mode.UnmarshalText([]byte(o.Mode)); err != nil {
		t.Fatal(err)
	}
	ol := &codec.OrderLicense{
		Header:     codec.Header{ID: id, IssuedAt: codec.Timestamp(o.IssuedAt), NotBefore: codec.Timestamp(o.NotBefore), NotAfter: codec.Timestamp(o.NotAfter)},
		Customer:   "Vector Site",
		Product:    o.Product,
		Mode:       mode,
		Seats:      5,
		ConfirmKey: codec.ConfirmKey{Alg: o.ConfirmAlg, Key: key},
	}
	switch mode {
	case codec.ModeUnlimited:
		ol.Seats = 0
	case codec.ModePeriodic, codec.ModeConcurrent:
		ol.LeasePeriod = codec.Days(7)
	}
	return ol
}

func orderOf(o *codec.OrderLicense) vectorOrder {
	return vectorOrder{
		ID: o.ID.String(), IssuedAt: int64(o.IssuedAt), NotBefore: int64(o.NotBefore), NotAfter: int64(o.NotAfter),
		Product: o.Product, Mode: o.Mode.String(), ConfirmAlg: o.ConfirmKey.Alg, ConfirmKey: hex.EncodeToString(o.ConfirmKey.Key),
	}
}

// vectorGen builds the vectors. Expected outcomes follow from how each
// input is made (a code signed for the group's order and a device code; a
// known substitution; a different device, order or day count; a field
// set out of range), never from running Parse or Verify. The signer is
// checked independently by TestIndependentArithmetic.
type vectorGen struct {
	rng   *rand.Rand
	key   *PrivateKey
	order *codec.OrderLicense
	tests []vector
	next  *int
}

func (g *vectorGen) add(v vector) {
	*g.next++
	v.TcID = *g.next
	g.tests = append(g.tests, v)
}

func (g *vectorGen) device() devcode.DeviceCode {
	var d [8]byte
	for i := range d {
		d[i] = byte(g.rng.Uint32())
	}
	return devcode.New(g.order.Product, d, g.rng.Uint32())
}

func (g *vectorGen) sign(device devcode.DeviceCode, days uint16) Code {
	c, err := New(g.key, g.order, device, days)
	if err != nil {
		panic(err)
	}
	return c
}

func (g *vectorGen) valid(comment string, flags []string, device devcode.DeviceCode, c Code, input string) {
	end, err := NotAfter(g.order, c.Days)
	if err != nil {
		panic(err)
	}
	days, na := c.Days, int64(end)
	g.add(vector{Comment: comment, Flags: flags, Device: device.String(), Input: input, Result: "valid",
		Canonical: c.String(), Days: &days, NotAfter: &na, LicenseID: c.LicenseID().String()})
}

func (g *vectorGen) invalid(comment string, flags []string, device devcode.DeviceCode, input, kind string) {
	g.add(vector{Comment: comment, Flags: flags, Device: device.String(), Input: input, Result: "invalid", Error: kind})
}

const symbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// substitute replaces the character at 0-based position i of a canonical
// code (hyphens not counted) by the one d further in the alphabet.
func substitute(code string, i, d int) (string, vectorCorrection) {
	b := []byte(strings.ReplaceAll(code, "-", ""))
	was := b[i]
	b[i] = symbols[(strings.IndexByte(symbols, was)+d)%32]
	return group(string(b)), vectorCorrection{Position: i + 1, Was: string(b[i]), Became: string(was)}
}

func group(s string) string {
	var parts []string
	for len(s) > 5 {
		parts, s = append(parts, s[:5]), s[5:]
	}
	return strings.Join(append(parts, s), "-")
}

// encodeRaw encodes fields without the range checks of Code.String.
func encodeRaw(version uint8, days uint16, e []byte, s []byte) string {
	var w devcode.BitWriter
	w.Uint(uint64(version), versionBits)
	w.Uint(uint64(days), DaysBits)
	w.Bytes(e)
	w.Bytes(s)
	text, err := layout.Encode(&w)
	if err != nil {
		panic(err)
	}
	return text
}

func newGroup(comment, seedLabel string, order *codec.OrderLicense, next *int) (*vectorGen, vectorGroup) {
	seed := seedOf(seedLabel)
	key, err := NewKeyFromSeed(seed)
	if err != nil {
		panic(err)
	}
	if order.ConfirmKey.Alg == 0 && order.ConfirmKey.Key == nil {
		order.ConfirmKey = key.Public().ConfirmKey()
	}
	g := &vectorGen{rng: rand.New(rand.NewPCG(0x636f6e6669726d, uint64(*next))), key: key, order: order, next: next}
	return g, vectorGroup{Type: "ConfirmationCode", Comment: comment, Seed: hex.EncodeToString(seed), PublicKey: key.Public().String()}
}

func generateVectors() vectorFile {
	next := 0
	var groups []vectorGroup
	finish := func(g *vectorGen, vg vectorGroup) {
		vg.Order = orderOf(g.order)
		vg.Tests = g.tests
		groups = append(groups, vg)
	}
	other, _ := NewKeyFromSeed(seedOf("vectors other key"))

	// Group 1: a permanent order for a year from 2026-01-01.
	o1 := &codec.OrderLicense{
		Header:  codec.Header{ID: codec.ID{0x01, 0xc0, 0xf1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4, 5}, IssuedAt: jan2026 - 86400, NotBefore: jan2026, NotAfter: jan2026 + 365*day},
		Product: 0x1234, Mode: codec.ModePermanent,
	}
	g, vg := newGroup("permanent order, 2026-01-01 to 2027-01-01", "vectors key 1", o1, &next)
	known := testDevice
	for _, days := range []uint16{0, 1, 30, 365} {
		c := g.sign(known, days)
		g.valid(fmt.Sprintf("device code of docs/formats.md, %d days", days), []string{"Known"}, known, c, c.String())
	}
	for range 6 {
		d := g.device()
		c := g.sign(d, uint16(1+g.rng.IntN(365)))
		g.valid("random device code and day count", []string{"Random"}, d, c, c.String())
	}
	c := g.sign(known, 30)
	plain := strings.ReplaceAll(c.String(), "-", "")
	g.valid("lower case, spaces, O for 0 and l for 1", []string{"Lenient"}, known, c,
		strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(strings.Join(strings.Split(group(plain), "-"), " "))))
	g.valid("no separators", []string{"Lenient"}, known, c, plain)
	for _, pos := range [][]int{{0}, {29}, {30}, {54}, {55}, {79}, {12, 40, 61}} {
		in := c.String()
		var corr []vectorCorrection
		for _, p := range pos {
			var k vectorCorrection
			in, k = substitute(in, p, 1+g.rng.IntN(31))
			corr = append(corr, k)
		}
		end, _ := NotAfter(g.order, c.Days)
		days, na := c.Days, int64(end)
		g.add(vector{Comment: fmt.Sprintf("one wrong character in a check block at %v", pos), Flags: []string{"Substitution"}, Device: known.String(),
			Input: in, Result: "corrected", Canonical: c.String(), Days: &days, NotAfter: &na, LicenseID: c.LicenseID().String(), Corrections: corr})
	}
	two, _ := substitute(c.String(), 31, 3)
	two, _ = substitute(two, 50, 9)
	g.invalid("two wrong characters in block 31-55", []string{"DoubleSubstitution"}, known, two, "uncorrectable")
	swapped := []byte(c.String())
	i := 7
	for swapped[i] == swapped[i+1] {
		i++
	}
	swapped[i], swapped[i+1] = swapped[i+1], swapped[i]
	g.invalid("two neighbours swapped", []string{"Transposition"}, known, string(swapped), "uncorrectable")
	g.invalid("U is never part of a code", []string{"Syntax"}, known, "U"+c.String()[1:], "syntax")
	g.invalid("79 characters", []string{"Length"}, known, plain[:79], "length")
	g.invalid("a device code is not a confirmation code", []string{"Length"}, known, known.String(), "length")
	otherNonce := known
	otherNonce.Nonce++
	g.invalid("code for the same terminal's previous request (nonce - 1)", []string{"BadSignature"}, otherNonce, c.String(), "bad-signature")
	otherDigest := known
	otherDigest.Digest[0] ^= 0x80
	g.invalid("code for another terminal", []string{"BadSignature"}, otherDigest, c.String(), "bad-signature")
	c31 := c
	c31.Days = 31
	g.invalid("day count changed from 30 to 31", []string{"BadSignature"}, known, c31.String(), "bad-signature")
	forged, err := New(other, &codec.OrderLicense{Header: o1.Header, Product: o1.Product, Mode: o1.Mode, ConfirmKey: other.Public().ConfirmKey()}, known, 30)
	if err != nil {
		panic(err)
	}
	g.invalid("signed with another confirmation key", []string{"BadSignature"}, known, forged.String(), "bad-signature")
	product := devcode.New(0x1235, known.Digest, known.Nonce)
	g.invalid("device code of another product", []string{"WrongProduct"}, product, c.String(), "wrong-product")
	g.invalid("400 days: after the order's end", []string{"Terms"}, known, encodeRaw(1, 400, c.Challenge[:], c.Response[:]), "terms")
	g.invalid("format version 2", []string{"Version"}, known, encodeRaw(2, 30, c.Challenge[:], c.Response[:]), "version")
	g.invalid("response equal to the group order n", []string{"Malformed"}, known, encodeRaw(1, 30, c.Challenge[:], orderBytes()), "malformed")
	g.invalid("response 2^224 - 1", []string{"Malformed"}, known, encodeRaw(1, 30, c.Challenge[:], bytes.Repeat([]byte{0xff}, 28)), "malformed")
	finish(g, vg)

	// Group 2: an unlimited order without an end, issued 2026-03-01, no
	// not_before: days count from issued_at.
	o2 := &codec.OrderLicense{
		Header:  codec.Header{ID: codec.ID{0x02, 0xc0, 0xf1, 0xab, 0xcd, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, IssuedAt: jan2026 + 59*day + 12*3600},
		Product: 7, Mode: codec.ModeUnlimited,
	}
	g, vg = newGroup("unlimited order without an end; days count from issued_at", "vectors key 2", o2, &next)
	for _, days := range []uint16{0, 1, MaxDays} {
		d := g.device()
		c := g.sign(d, days)
		g.valid(fmt.Sprintf("%d days from issued_at", days), nil, d, c, c.String())
	}
	finish(g, vg)

	// Group 3: a periodic order: its terminals get leases, not codes.
	o3 := &codec.OrderLicense{
		Header:  codec.Header{ID: codec.ID{0x03, 0xc0, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, IssuedAt: jan2026, NotAfter: jan2026 + 90*day},
		Product: 0x1234, Mode: codec.ModePeriodic,
	}
	g, vg = newGroup("periodic order: codes are refused whatever their signature", "vectors key 3", o3, &next)
	o3perm := *o3
	o3perm.Mode = codec.ModePermanent
	cp, err := New(g.key, &o3perm, known, 10)
	if err != nil {
		panic(err)
	}
	g.invalid("code signed as if the order were permanent", []string{"Terms"}, known, cp.String(), "terms")
	finish(g, vg)

	// Group 4: an order that names no confirmation key.
	o4 := &codec.OrderLicense{
		Header:     codec.Header{ID: codec.ID{0x04, 0xc0, 0xf1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4}, IssuedAt: jan2026},
		Product:    0x1234,
		Mode:       codec.ModePermanent,
		ConfirmKey: codec.ConfirmKey{Alg: -65535, Key: codec.Bytes{1, 2, 3}},
	}
	g, vg = newGroup("order whose confirm_key has another algorithm", "vectors key 4", o4, &next)
	g.invalid("valid code of group 1 under an order without a usable key", []string{"NoKey"}, known, c.String(), "no-key")
	finish(g, vg)

	return vectorFile{
		Algorithm:     "licet-confirmation-code",
		Generator:     "codec/confirm/vectors_test.go generateVectors (go test ./codec/confirm -run TestVectors -update)",
		NumberOfTests: next,
		Header: []string{
			"Confirmation codes (docs/formats.md, Confirmation codes): 80 characters of Crockford base32 in",
			"three Reed-Solomon blocks (30, 25, 25) carrying version (4 bits), days (15), and an EC-Schnorr",
			"P-224 signature: challenge (112) and response (224). Each group is one key (seed, public key)",
			"and one order; each test a device code and a typed code, with what Parse and Verify give.",
		},
		Notes: map[string]string{
			"Known":              "the device code of docs/formats.md (product 0x1234, digest 0123456789abcdef, nonce 0x2aaaaa)",
			"Random":             "random device code and day count",
			"Lenient":            "case, separators, O/I/L read as 0/1/1",
			"Substitution":       "one wrong character in one or more check blocks, corrected",
			"DoubleSubstitution": "two wrong characters in one check block: rejected",
			"Transposition":      "two different neighbours swapped: rejected",
			"Syntax":             "a character outside the alphabet",
			"Length":             "other than 80 characters",
			"BadSignature":       "the signature does not verify for this order and device code",
			"WrongProduct":       "the device code is for another product than the order",
			"Terms":              "the order does not allow the grant (end after the order, or a mode that grants leases)",
			"Version":            "a format version other than 1",
			"Malformed":          "a response not below the group order",
			"NoKey":              "the order names no confirmation key of this algorithm",
		},
		TestGroups: groups,
	}
}

func orderBytes() []byte {
	b := make([]byte, 28)
	elliptic.P224().Params().N.FillBytes(b)
	return b
}

// TestVectorsGenerated keeps the vector file equal to the generator's
// output; -update rewrites it.
func TestVectorsGenerated(t *testing.T) {
	vectors.Check(t, vectorPath, vectors.Marshal(generateVectors()))
}

func TestVectors(t *testing.T) {
	v := vectors.Load[vectorFile](t, vectorPath)
	n := 0
	for _, g := range v.TestGroups {
		key, err := NewKeyFromSeed(vectors.Hex(t, g.Seed))
		if err != nil || key.Public().String() != g.PublicKey {
			t.Fatalf("group key: %v", err)
		}
		order := g.Order.license(t)
		for _, tc := range g.Tests {
			n++
			t.Run(fmt.Sprintf("%d %s", tc.TcID, tc.Comment), func(t *testing.T) {
				dev, err := devcode.Parse(tc.Device)
				if err != nil || dev.Corrected() {
					t.Fatalf("device code %q: %v", tc.Device, err)
				}
				p, err := Parse(tc.Input)
				var grant *Grant
				if err == nil {
					grant, err = Verify(order, dev.Code, p.Code)
				}
				if tc.Result == "invalid" {
					if err == nil || ErrorKind(err) != tc.Error {
						t.Fatalf("got %v (kind %q), want %q", err, ErrorKind(err), tc.Error)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var corr []vectorCorrection
				for _, c := range p.Corrections {
					corr = append(corr, vectorCorrection{Position: c.Pos, Was: string(c.Was), Became: string(c.Became)})
				}
				if !slices.Equal(corr, tc.Corrections) || (tc.Result == "corrected") != p.Corrected() {
					t.Fatalf("corrections %v, want %v", corr, tc.Corrections)
				}
				if p.Canonical != tc.Canonical || p.Code.Days != *tc.Days || int64(grant.NotAfter) != *tc.NotAfter || grant.LicenseID().String() != tc.LicenseID {
					t.Fatalf("got %s days %d end %d id %s", p.Canonical, p.Code.Days, grant.NotAfter, grant.LicenseID())
				}
				// Known answer for the signer: the same key, order, device
				// and day count give the same code.
				again, err := New(key, order, dev.Code, *tc.Days)
				if err != nil || again.String() != tc.Canonical {
					t.Fatalf("New gives %s, %v", again, err)
				}
			})
		}
	}
	if n != v.NumberOfTests || n < 30 {
		t.Fatalf("%d tests, header says %d", n, v.NumberOfTests)
	}
}
