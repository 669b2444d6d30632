package devcode_test

import (
	"errors"
	"fmt"

	"licet.dev/licet/codec/devcode"
)

func ExampleNew() {
	digest := [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	c := devcode.New(0x1234, digest, 0x2aaaaa)
	fmt.Println(c)
	// Output: 20938-0938N-KRKAY-DXYNA-NAKT7
}

func ExampleParse() {
	// Lower case, no hyphens, O for 0, and one wrong character (Z for K).
	p, err := devcode.Parse("2O938 0938n krkay dxyna naZt7")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Canonical)
	for _, c := range p.Corrections {
		fmt.Println(c)
	}
	fmt.Printf("product %d, digest %x, nonce %#x\n", p.Code.Product, p.Code.Digest, p.Code.Nonce)

	// Two neighbours swapped (K and T): rejected, never read as another code.
	_, err = devcode.Parse("20938-0938N-KRKAY-DXYNA-NATK7")
	fmt.Println(errors.Is(err, devcode.ErrUncorrectable))

	var se *devcode.SyntaxError
	_, err = devcode.Parse("20938-0938N-KRKAY-DXYNA-NAKU7")
	if errors.As(err, &se) {
		fmt.Println(se.Pos, string(se.Char))
	}
	// Output:
	// 20938-0938N-KRKAY-DXYNA-NAKT7
	// character 23 (group 5): Z corrected to K
	// product 4660, digest 0123456789abcdef, nonce 0x2aaaaa
	// true
	// 28 U
}

func ExampleCheckPartial() {
	p := devcode.CheckPartial("20938-0938n-kr")
	for _, g := range p.Groups {
		fmt.Printf("%q %v\n", g.Text, g.Status)
	}
	fmt.Println(p.Complete, p.Err)

	p = devcode.CheckPartial("20938-0938N-KRKAY-DXYNA-NAZT7")
	fmt.Println(p.Groups[4].Status, p.Result.Canonical)
	// Output:
	// "20938" filled
	// "0938N" filled
	// "KR" partial
	// "" empty
	// "" empty
	// false <nil>
	// corrected 20938-0938N-KRKAY-DXYNA-NAKT7
}
