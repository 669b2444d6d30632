package confirm_test

import (
	"bytes"
	"fmt"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/devcode"
)

// The vendor names a confirmation key in an order, signs a code for the
// device code a person reads out, and the terminal verifies the code that
// person types back, with a typo.
func Example() {
	key, _ := confirm.NewKeyFromSeed(bytes.Repeat([]byte{1}, confirm.SeedSize)) // confirm.GenerateKey(rand.Reader) in production
	order := &codec.OrderLicense{
		Header:     codec.Header{ID: codec.ID{1}, IssuedAt: 1767225600, NotAfter: 1798761600},
		Customer:   "Example Works",
		Product:    0x1234,
		Mode:       codec.ModePermanent,
		Seats:      10,
		ConfirmKey: key.Public().ConfirmKey(),
	}

	// At the vendor.
	device, _ := devcode.Parse("20938-0938N-KRKAY-DXYNA-NAKT7")
	code, _ := confirm.New(key, order, device.Code, 30)
	fmt.Println(code)

	// At the terminal, which holds the order and knows its device code.
	typed := code.String()[:10] + "0" + code.String()[11:] // character 10 mistyped
	p, err := confirm.Parse(typed)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Corrections)
	grant, err := confirm.Verify(order, device.Code, p.Code)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("valid until", grant.NotAfter)
	// Output:
	// 201X8-RPZ65-G6NAM-K489S-6KE33-WH769-D0GJ3-G97ED-Z163A-1YHX7-R739P-5HHJQ-8WW08-67X4B-ZFZHM-H9E5N
	// [character 10 (group 2): 0 corrected to 5]
	// valid until 2026-01-31T00:00:00Z
}
