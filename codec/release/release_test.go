package release

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/devcode"
)

var (
	vendorKey  = cosetest.KeyFromSeed("licet release vectors vendor")
	jan2026    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	testDevice = devcode.New(0x1234, [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, 0x2aaaaa)
)

// signedFile returns a license file holding one object signed
// deterministically by the vendor key.
func signedFile(t testing.TB, o codec.Object) *codec.File {
	t.Helper()
	payload, err := codec.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	raw := cosetest.SignDeterministic(vendorKey, codec.TypeOf(o).ContentType(), payload)
	f, err := codec.NewFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func idOf(label string) codec.ID {
	h := sha256.Sum256([]byte("licet release vectors id\x00" + label))
	return codec.ID(h[:16])
}

func deviceLicense() *codec.DeviceLicense {
	return &codec.DeviceLicense{
		Header: codec.Header{
			ID:        idOf("device license"),
			IssuedAt:  codec.At(jan2026),
			NotBefore: codec.At(jan2026),
			NotAfter:  codec.At(jan2026.AddDate(1, 0, 0)),
		},
		Product: 0x1234,
		Binding: codec.Binding{Digest: codec.Bytes(testDevice.Digest[:]), Nonce: testDevice.Nonce},
	}
}

func testOrder() *codec.OrderLicense {
	return &codec.OrderLicense{
		Header:   codec.Header{ID: idOf("order"), IssuedAt: codec.At(jan2026)},
		Customer: "Example Works",
		Product:  0x1234,
		Mode:     codec.ModePermanent,
		Seats:    1,
	}
}

func TestRoundTrip(t *testing.T) {
	f := signedFile(t, deviceLicense())
	a, err := FromFile(f.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	b, err := FromFile(f.Armour())
	if err != nil || b != a {
		t.Fatalf("armoured file gives another activation: %v", err)
	}
	if a.License != idOf("device license") || a.Secret == (Secret{}) {
		t.Fatalf("activation %v", a.License)
	}
	day, err := DayOf(jan2026.Add(36 * time.Hour))
	if err != nil || day != 20455 {
		t.Fatalf("DayOf: %d %v", day, err)
	}
	c := a.Code(day)
	text := c.String()
	if len(text) != 47 || strings.Count(text, "-") != 7 {
		t.Fatalf("code %q", text)
	}
	p, err := Parse(strings.ToLower(text))
	if err != nil || p.Code != c || p.Canonical != text || p.Corrected() {
		t.Fatalf("parse: %+v %v", p, err)
	}
	if err := a.Check(p.Code); err != nil {
		t.Fatal(err)
	}
	if !p.Code.Date().Equal(jan2026.AddDate(0, 0, 1)) || p.Code.LicensePrefix() != a.License.String()[:16] {
		t.Fatalf("date %s prefix %s", p.Code.Date(), p.Code.LicensePrefix())
	}
}

func TestCheckRejects(t *testing.T) {
	a, err := FromFile(signedFile(t, deviceLicense()).Marshal())
	if err != nil {
		t.Fatal(err)
	}
	c := a.Code(20455)
	other := deviceLicense()
	other.Binding.Nonce++ // same id, other signed bytes: another secret
	b, _ := FromFile(signedFile(t, other).Marshal())
	third := a
	third.License[15] ^= 1 // same prefix, other id
	day, tagged, flags, version := c, c, c, c
	day.Day++
	tagged.Tag[9] ^= 1
	flags.Flags = 1
	version.Version = 2
	prefix := c
	prefix.License[0] ^= 1
	for _, tc := range []struct {
		name string
		a    Activation
		c    Code
		kind string
	}{
		{"another license file with the same id", b, c, "bad-tag"},
		{"another id with the same prefix", third, c, "bad-tag"},
		{"day changed", a, day, "bad-tag"},
		{"tag changed", a, tagged, "bad-tag"},
		{"another license prefix", a, prefix, "other-license"},
		{"flags set", a, flags, "malformed"},
		{"version 2", a, version, "version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Check(tc.c)
			if ErrorKind(err) != tc.kind || !strings.HasPrefix(err.Error(), "release: ") {
				t.Fatalf("got %v (kind %q), want %q", err, ErrorKind(err), tc.kind)
			}
		})
	}
}

func TestFromFileRejects(t *testing.T) {
	if _, err := FromFile(signedFile(t, testOrder()).Marshal()); !errors.Is(err, ErrNotActivation) {
		t.Fatalf("order: %v", err)
	}
	if _, err := FromFile([]byte("not a license")); err == nil || !errors.Is(err, codec.ErrMalformed) {
		t.Fatalf("garbage: %v", err)
	}
	if _, err := FromLicenseFile(&codec.File{}); !errors.Is(err, ErrNotActivation) {
		t.Fatalf("empty: %v", err)
	}
}

func TestFromConfirmation(t *testing.T) {
	k, err := confirm.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	order := testOrder()
	order.ConfirmKey = k.Public().ConfirmKey()
	cc, err := confirm.New(k, order, testDevice, 10)
	if err != nil {
		t.Fatal(err)
	}
	a, err := FromConfirmation(cc)
	if err != nil || a.License != cc.LicenseID() {
		t.Fatalf("%v %v", a.License, err)
	}
	// The same bytes as a file would not give the same secret: the
	// derivations are separated.
	h := sha256.Sum256(append([]byte(labelFileSecret), mustBinary(t, cc)...))
	if a.Secret == Secret(h) {
		t.Fatal("confirmation and file secrets are not separated")
	}
	if err := a.Check(a.Code(20500)); err != nil {
		t.Fatal(err)
	}
	if _, err := FromConfirmation(confirm.Code{}); err == nil {
		t.Fatal("zero confirmation code accepted")
	}
}

func mustBinary(t *testing.T, c confirm.Code) []byte {
	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseErrors(t *testing.T) {
	a := Activation{License: idOf("x")}
	text := a.Code(1).String()
	plain := []byte(strings.ReplaceAll(text, "-", ""))
	one := bytes.Clone(plain)
	one[3], one[30] = 'Z', 'Z'
	if one[3] == plain[3] {
		one[3] = 'Y'
	}
	if one[30] == plain[30] {
		one[30] = 'Y'
	}
	p, err := Parse(string(one))
	if err != nil || p.Canonical != text || len(p.Corrections) != 2 {
		t.Fatalf("one typo per block: %+v %v", p, err)
	}
	var c Code
	if err := c.UnmarshalText(one); !errors.Is(err, ErrNeedsCorrection) || c != (Code{}) {
		t.Fatalf("UnmarshalText: %v", err)
	}
	two := bytes.Clone(plain)
	two[1], two[2] = two[2], two[1]
	if two[1] == plain[1] {
		two[1], two[2] = 'Z', 'Z'
	}
	if _, err := Parse(string(two)); ErrorKind(err) != "uncorrectable" || !strings.Contains(err.Error(), "characters 1-20") {
		t.Fatalf("two typos in block 1: %v", err)
	}
	for _, tc := range []struct {
		fields []uint64 // version, flags, pad
		kind   string
		group  int
	}{
		{[]uint64{2, 0, 0}, "version", 0},
		{[]uint64{1, 8, 0}, "malformed", 0},
		{[]uint64{1, 0, 1}, "malformed", 7},
	} {
		var w devcode.BitWriter
		w.Uint(tc.fields[0], versionBits)
		w.Uint(tc.fields[1], flagBits)
		w.Uint(0, 64)
		w.Uint(0, dayBits)
		w.Bytes(make([]byte, TagSize))
		w.Uint(tc.fields[2], padBits)
		s, err := layout.Encode(&w)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(s); ErrorKind(err) != tc.kind {
			t.Errorf("%v: %v", tc.fields, err)
		}
		pr := CheckPartial(s)
		if !pr.Complete || ErrorKind(pr.Err) != tc.kind || pr.Groups[tc.group].Status != devcode.GroupInvalid {
			t.Errorf("CheckPartial %v: %+v", tc.fields, pr)
		}
	}
	if _, err := DayOf(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrDay) {
		t.Errorf("1969: %v", err)
	}
	if _, err := DayOf(time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrDay) {
		t.Errorf("2150: %v", err)
	}
	if d, err := DayOf(time.Date(2149, 6, 6, 23, 0, 0, 0, time.UTC)); d != 0xffff || err != nil {
		t.Errorf("2149-06-06: %d %v", d, err)
	}
}

func TestFromFileLease(t *testing.T) {
	l := &codec.Lease{
		Header:     codec.Header{ID: idOf("lease"), IssuedAt: codec.At(jan2026), NotAfter: codec.At(jan2026.AddDate(0, 0, 7))},
		Product:    0x1234,
		Binding:    codec.Binding{Digest: codec.Bytes(testDevice.Digest[:])},
		RenewAfter: codec.At(jan2026.AddDate(0, 0, 1)),
		ServerTime: codec.At(jan2026),
	}
	a, err := FromLicenseFile(signedFile(t, l))
	if err != nil || a.License != idOf("lease") {
		t.Fatalf("lease: %v %v", a.License, err)
	}
}
