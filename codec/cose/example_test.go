package cose_test

import (
	"fmt"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

func Example() {
	// A vendor key; real ones come from cose.GenerateKey(nil).
	key := cosetest.KeyFromSeed("example vendor")

	msg, err := cose.Sign(nil, key, "application/vnd.licet.order+cbor", []byte("order payload"))
	if err != nil {
		panic(err)
	}

	// A terminal trusts the vendor's public key, usually read from its
	// text form ("licet-pub1:...").
	trusted := []*cose.PublicKey{key.Public()}
	m, signer, err := cose.Verify(msg, trusted)
	if err != nil {
		fmt.Println("rejected:", err)
		return
	}
	fmt.Println(m.ContentType, string(m.Payload), signer.ID() == m.KeyID)
	// Output: application/vnd.licet.order+cbor order payload true
}
