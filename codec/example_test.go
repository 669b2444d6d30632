package codec_test

import (
	"crypto/rand"
	"fmt"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
)

// A vendor signs a device license directly; the terminal verifies it
// offline against the vendor's root key.
func ExampleVerifier() {
	vendor, _ := cose.GenerateKey(rand.Reader)
	issued := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

	lic := &codec.DeviceLicense{
		Header: codec.Header{
			ID:       codec.ID{1, 2, 3},
			IssuedAt: codec.At(issued),
			NotAfter: codec.At(issued.AddDate(1, 0, 0)),
		},
		Product:  7,
		Features: map[string]string{"export": "on"},
		Binding:  codec.Binding{Digest: codec.Bytes{1, 2, 3, 4, 5, 6, 7, 8}, Nonce: 42},
	}
	signed, err := codec.Sign(rand.Reader, vendor, lic)
	if err != nil {
		panic(err)
	}
	file, _ := codec.NewFile(signed)
	text := file.Armour() // or file.Marshal() for CBOR

	v := &codec.Verifier{Roots: []*cose.PublicKey{vendor.Public()}, Now: issued.AddDate(0, 6, 0)}
	res, err := v.VerifyBytes(text)
	if err != nil {
		fmt.Println(err)
		return
	}
	got := res.Leaf.(*codec.DeviceLicense)
	fmt.Println(codec.TypeOf(got), got.Product, got.Features["export"], got.NotAfter)

	v.Now = issued.AddDate(2, 0, 0)
	_, err = v.VerifyBytes(text)
	fmt.Println(err)
	// Output:
	// device 7 on 2027-03-01T00:00:00Z
	// codec: link 1 (device license 01020300000000000000000000000000): expired at 2027-03-01T00:00:00Z
}
