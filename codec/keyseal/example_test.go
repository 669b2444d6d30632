package keyseal_test

import (
	"errors"
	"fmt"

	"licet.dev/licet/codec/keyseal"
	"licet.dev/licet/codec/keyseal/keysealtest"
)

func Example() {
	secret := []byte("private key bytes")
	// Real keys use keyseal.Seal (Argon2id with 64 MiB); tests use cheap
	// parameters.
	sealed, err := keyseal.SealWithParams(nil, []byte("passphrase"), secret, keysealtest.Params)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(sealed[:33]))

	if _, err := keyseal.Open([]byte("guess"), sealed); errors.Is(err, keyseal.ErrWrongPassphrase) {
		fmt.Println(err)
	}
	opened, err := keyseal.Open([]byte("passphrase"), sealed)
	fmt.Println(string(opened), err)
	// Output:
	// -----BEGIN LICET PRIVATE KEY-----
	// keyseal: wrong passphrase
	// private key bytes <nil>
}
