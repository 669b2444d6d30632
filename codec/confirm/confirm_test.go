package confirm

import (
	"bytes"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"math/big"
	"strings"
	"testing"

	"filippo.io/nistec"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
)

// seedOf returns a fixed seed for tests.
func seedOf(label string) []byte {
	h := sha256.Sum256([]byte("test seed " + label))
	return h[:]
}

func keyOf(t testing.TB, label string) *PrivateKey {
	t.Helper()
	k, err := NewKeyFromSeed(seedOf(label))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

const jan2026 = codec.Timestamp(1767225600) // 2026-01-01T00:00:00Z

// testOrder is a valid permanent order for product 0x1234 that names the
// confirmation key of key, valid for a year from 2026-01-01.
func testOrder(t testing.TB, key *PrivateKey) *codec.OrderLicense {
	t.Helper()
	o := &codec.OrderLicense{
		Header: codec.Header{
			ID:        codec.ID{0x0d, 0xe7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
			IssuedAt:  jan2026 - 3600,
			NotBefore: jan2026,
			NotAfter:  jan2026 + 365*day,
		},
		Customer:   "Example Works",
		Product:    0x1234,
		Mode:       codec.ModePermanent,
		Seats:      10,
		Features:   map[string]string{"edition": "pro"},
		ConfirmKey: key.Public().ConfirmKey(),
	}
	if _, err := codec.Marshal(o); err != nil {
		t.Fatal(err)
	}
	return o
}

var testDevice = devcode.New(0x1234, [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}, 0x2aaaaa)

func TestSignVerify(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	for _, days := range []uint16{0, 1, 30, 365} {
		c, err := New(key, order, testDevice, days)
		if err != nil {
			t.Fatal(err)
		}
		text := c.String()
		if len(text) != Len+Len/5-1 || strings.Count(text, "-") != 15 {
			t.Fatalf("code %q", text)
		}
		p, err := Parse(strings.ToLower(strings.ReplaceAll(text, "-", " ")))
		if err != nil || p.Code != c || p.Canonical != text || p.Corrected() {
			t.Fatalf("parse %q: %+v %v", text, p, err)
		}
		g, err := Verify(order, testDevice, p.Code)
		if err != nil {
			t.Fatalf("days %d: %v", days, err)
		}
		want := order.NotAfter
		if days != 0 {
			want = jan2026 + codec.Timestamp(days)*day
		}
		if g.NotAfter != want || g.Order != order || g.Device != testDevice || g.Code != c {
			t.Fatalf("grant %+v", g)
		}
		again, _ := New(key, order, testDevice, days)
		if again != c {
			t.Fatal("signing is not deterministic")
		}
	}
}

// TestIndependentArithmetic recomputes a signature with math/big and
// crypto/elliptic's curve parameters: the scalar, the nonce, R, the
// challenge and s = k + e·x mod n.
func TestIndependentArithmetic(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	c, err := New(key, order, testDevice, 42)
	if err != nil {
		t.Fatal(err)
	}
	n := elliptic.P224().Params().N
	hx := sha512.Sum512(append([]byte("licet confirmation key v1\x00"), seedOf("vendor")...))
	x := new(big.Int).Mod(new(big.Int).SetBytes(hx[:]), n)
	nk := sha256.Sum256(append([]byte("licet confirmation nonce key v1\x00"), seedOf("vendor")...))

	pub, _ := nistec.NewP224Point().ScalarBaseMult(x.FillBytes(make([]byte, 28)))
	if !bytes.Equal(pub.BytesCompressed(), key.Public().Bytes()) {
		t.Fatal("public key differs")
	}
	msg := []byte{}
	msg = append(msg, order.ID[:]...)
	msg = append(msg, "20938-0938N-KRKAY-DXYNA-NAKT7"...)
	notAfter := uint64(jan2026 + 42*day)
	msg = append(msg, 1, 0, 42)
	for i := 7; i >= 0; i-- {
		msg = append(msg, byte(notAfter>>(8*i)))
	}
	h := sha512.New()
	h.Write([]byte("licet confirmation nonce v1\x00"))
	h.Write(nk[:])
	h.Write(pub.BytesCompressed())
	h.Write(msg)
	k := new(big.Int).Mod(new(big.Int).SetBytes(h.Sum(nil)), n)
	r, _ := nistec.NewP224Point().ScalarBaseMult(k.FillBytes(make([]byte, 28)))
	ch := sha256.New()
	ch.Write([]byte("licet confirmation challenge v1\x00"))
	ch.Write(pub.BytesCompressed())
	ch.Write(r.BytesCompressed())
	ch.Write(msg)
	e := ch.Sum(nil)[:14]
	if !bytes.Equal(e, c.Challenge[:]) {
		t.Fatalf("challenge %x, want %x", c.Challenge, e)
	}
	s := new(big.Int).Mul(new(big.Int).SetBytes(e), x)
	s.Add(s, k).Mod(s, n)
	if !bytes.Equal(s.FillBytes(make([]byte, 28)), c.Response[:]) {
		t.Fatalf("response %x, want %x", c.Response, s)
	}
}

func TestVerifyRejects(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	c, err := New(key, order, testDevice, 30)
	if err != nil {
		t.Fatal(err)
	}
	otherNonce := testDevice
	otherNonce.Nonce ^= 1
	otherDigest := testDevice
	otherDigest.Digest[7] ^= 1
	otherOrder := *order
	otherOrder.ID[0] ^= 1
	otherStart := *order
	otherStart.NotBefore -= day
	otherKey := *order
	otherKey.ConfirmKey = keyOf(t, "other").Public().ConfirmKey()
	noKey := *order
	noKey.ConfirmKey = codec.ConfirmKey{}
	alg := *order
	alg.ConfirmKey.Alg = -65535
	badKey := *order
	badKey.ConfirmKey.Key = bytes.Repeat([]byte{2}, 29)
	periodic := *order
	periodic.Mode, periodic.LeasePeriod = codec.ModePeriodic, 7*day
	product := testDevice
	product.Product = 0x1235
	shorter := *order
	shorter.NotAfter = jan2026 + 29*day
	flipE, flipS, days := c, c, c
	flipE.Challenge[0] ^= 1
	flipS.Response[27] ^= 1
	days.Days = 31
	version := c
	version.Version = 2
	big := c
	copy(big.Response[:], elliptic.P224().Params().N.Bytes())

	for _, tc := range []struct {
		name   string
		order  *codec.OrderLicense
		device devcode.DeviceCode
		code   Code
		kind   string
	}{
		{"another request nonce", order, otherNonce, c, "bad-signature"},
		{"another terminal", order, otherDigest, c, "bad-signature"},
		{"another order id", &otherOrder, testDevice, c, "bad-signature"},
		{"the order starts a day earlier", &otherStart, testDevice, c, "bad-signature"},
		{"another confirmation key", &otherKey, testDevice, c, "bad-signature"},
		{"challenge changed", order, testDevice, flipE, "bad-signature"},
		{"response changed", order, testDevice, flipS, "bad-signature"},
		{"day count changed", order, testDevice, days, "bad-signature"},
		{"order without a key", &noKey, testDevice, c, "no-key"},
		{"order with a key of another algorithm", &alg, testDevice, c, "no-key"},
		{"order with a key that is no point", &badKey, testDevice, c, "no-key"},
		{"periodic order", &periodic, testDevice, c, "terms"},
		{"device of another product", order, product, c, "wrong-product"},
		{"grant ends after the order", &shorter, testDevice, c, "terms"},
		{"version 2", order, testDevice, version, "version"},
		{"response equal to the group order", order, testDevice, big, "malformed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Verify(tc.order, tc.device, tc.code)
			if g != nil || ErrorKind(err) != tc.kind {
				t.Fatalf("got %v (kind %q), want kind %q", err, ErrorKind(err), tc.kind)
			}
			if !strings.HasPrefix(err.Error(), "confirm: ") {
				t.Fatalf("error %q does not name the package", err)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	if _, err := New(keyOf(t, "other"), order, testDevice, 0); !errors.Is(err, ErrWrongKey) {
		t.Fatalf("other key: %v", err)
	}
	if _, err := New(key, order, testDevice, 366); !errors.Is(err, ErrTerms) {
		t.Fatalf("past the order's end: %v", err)
	}
	bad := testDevice
	bad.Flags = 16
	if _, err := New(key, order, bad, 0); err == nil {
		t.Fatal("invalid device code accepted")
	}
}

func TestParseCorrects(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	c, _ := New(key, order, testDevice, 7)
	plain := []byte(strings.ReplaceAll(c.String(), "-", ""))
	for _, i := range []int{0, 29, 30, 54, 55, 79} {
		plain[i] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", plain[i])+1)%32]
	}
	if _, err := Parse(string(plain)); !errors.Is(err, devcode.ErrUncorrectable) || ErrorKind(err) != "uncorrectable" {
		t.Fatalf("two typos in every block: %v", err)
	}
	plain = []byte(strings.ReplaceAll(c.String(), "-", ""))
	for _, i := range []int{5, 40, 70} {
		plain[i] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", plain[i])+7)%32]
	}
	p, err := Parse(string(plain))
	if err != nil || p.Code != c || len(p.Corrections) != 3 {
		t.Fatalf("one typo in every block: %+v %v", p, err)
	}
	var u Code
	if err := u.UnmarshalText(plain); !errors.Is(err, ErrNeedsCorrection) || u != (Code{}) {
		t.Fatalf("UnmarshalText of a mistyped code: %v", err)
	}
	if err := u.UnmarshalText([]byte(c.String())); err != nil || u != c {
		t.Fatalf("UnmarshalText: %v", err)
	}
}

func TestCheckPartial(t *testing.T) {
	key := keyOf(t, "vendor")
	c, _ := New(key, testOrder(t, key), testDevice, 7)
	text := c.String()
	p := CheckPartial(text[:36]) // six groups: the first block
	if p.Complete || p.Err != nil || p.Groups[5].Status != devcode.GroupOK || p.Groups[6].Status != devcode.GroupEmpty {
		t.Fatalf("first block: %+v", p)
	}
	p = CheckPartial(text)
	if !p.Complete || p.Err != nil || p.Result.Canonical != text {
		t.Fatalf("complete: %+v", p)
	}
	v2 := c
	v2.Version = 2
	var w devcode.BitWriter
	w.Uint(2, 4)
	w.Uint(uint64(c.Days), DaysBits)
	w.Bytes(c.Challenge[:])
	w.Bytes(c.Response[:])
	text2, _ := layout.Encode(&w)
	p = CheckPartial(text2)
	if !p.Complete || ErrorKind(p.Err) != "version" || p.Groups[0].Status != devcode.GroupInvalid || p.Groups[1].Status != devcode.GroupOK {
		t.Fatalf("version 2: %+v", p)
	}
}

func TestKeys(t *testing.T) {
	k := keyOf(t, "vendor")
	b := k.Bytes()
	if len(b) != PrivateKeySize || string(b[:4]) != "LCK1" {
		t.Fatalf("encoding %x", b)
	}
	k2, err := ParsePrivateKey(b)
	if err != nil || !k2.Equal(k) || !k2.Public().Equal(k.Public()) {
		t.Fatalf("parse: %v", err)
	}
	for _, bad := range [][]byte{nil, b[:35], append(b, 0), append([]byte("LCK2"), b[4:]...)} {
		if _, err := ParsePrivateKey(bad); !errors.Is(err, ErrKey) {
			t.Fatalf("%x: %v", bad, err)
		}
	}
	pub := k.Public().Bytes()
	if p, err := ParsePublicKey(pub); err != nil || !p.Equal(k.Public()) {
		t.Fatalf("public: %v", err)
	}
	full, _ := nistec.NewP224Point().SetBytes(pub)
	for _, bad := range [][]byte{nil, {0}, full.Bytes(), append([]byte{4}, pub[1:]...), bytes.Repeat([]byte{3}, 29)} {
		if _, err := ParsePublicKey(bad); !errors.Is(err, ErrKey) {
			t.Fatalf("public %x: %v", bad, err)
		}
	}
	if _, err := NewKeyFromSeed(make([]byte, 31)); !errors.Is(err, ErrKey) {
		t.Fatal("short seed accepted")
	}
	if _, err := GenerateKey(bytes.NewReader(make([]byte, 8))); err == nil {
		t.Fatal("short randomness accepted")
	}
}

func TestDaysUntil(t *testing.T) {
	key := keyOf(t, "vendor")
	o := testOrder(t, key)
	for _, tc := range []struct {
		end  codec.Timestamp
		days uint16
		kind string
	}{
		{jan2026 + 1, 1, ""},
		{jan2026 + day, 1, ""},
		{jan2026 + day + 1, 2, ""},
		{jan2026 + 364*day, 364, ""},
		{jan2026 + 364*day + 1, 0, ""},
		{jan2026 + 400*day, 0, ""},
		{jan2026, 0, "terms"},
	} {
		d, err := DaysUntil(o, tc.end)
		if d != tc.days || ErrorKind(err) != tc.kind {
			t.Errorf("DaysUntil(%s) = %d, %v; want %d %q", tc.end, d, err, tc.days, tc.kind)
		}
	}
	open := *o
	open.NotAfter = 0
	if _, err := DaysUntil(&open, jan2026+40000*day); !errors.Is(err, ErrTerms) {
		t.Errorf("too far: %v", err)
	}
	if d, err := DaysUntil(&open, jan2026+40*day); d != 40 || err != nil {
		t.Errorf("open order: %d %v", d, err)
	}
}

func TestGrantLicense(t *testing.T) {
	key := keyOf(t, "vendor")
	order := testOrder(t, key)
	c, _ := New(key, order, testDevice, 30)
	g, err := Verify(order, testDevice, c)
	if err != nil {
		t.Fatal(err)
	}
	d, err := g.License(jan2026 + day)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := codec.Marshal(d); err != nil {
		t.Fatalf("license does not encode: %v", err)
	}
	if d.ID != c.LicenseID() || d.ID.IsZero() || d.Order != order.ID || d.NotAfter != jan2026+30*day ||
		d.Features["edition"] != "pro" || !bytes.Equal(d.Binding.Digest, testDevice.Digest[:]) || d.Binding.Nonce != testDevice.Nonce {
		t.Fatalf("license %+v", d)
	}
	d.Features["edition"] = "changed"
	if order.Features["edition"] != "pro" {
		t.Fatal("the license shares the order's feature map")
	}
	early, err := g.License(jan2026 - 10)
	if err != nil || early.NotBefore != jan2026 {
		t.Fatalf("before the order starts: %+v %v", early, err)
	}
	if _, err := g.License(jan2026 + 30*day); !errors.Is(err, ErrExpired) {
		t.Fatalf("at the end: %v", err)
	}
}
