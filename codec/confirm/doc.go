// Package confirm implements confirmation codes (DESIGN section 5.3): the
// 80 characters a person types at an air-gapped terminal to activate it,
// after reading its device code out to the vendor.
//
// A confirmation code is a short classical signature over the device code,
// the order it draws on and the granted end of validity, made with the
// confirmation key that the order license names (field confirm_key). The
// order license is signed by the vendor's hybrid post-quantum key and
// reaches the terminal beforehand; the code itself is only as strong as
// its classical signature, so an activation by code is marked classical
// until the full license replaces it.
//
// The signature is EC-Schnorr over NIST P-224 (SEC 2) with a 112-bit
// challenge and a deterministic nonce: 336 bits, which with a 4-bit format
// version and a 15-bit day count fill the 355 data bits of an 80-character
// code of three Reed-Solomon blocks (30, 25 and 25 characters), in the
// alphabet, grouping and check characters of device codes (package
// licet.dev/licet/codec/devcode). A BLS signature on BLS12-381 (48 bytes)
// would need 90 characters. docs/formats.md ("Confirmation codes") gives
// the layout, what is signed, the security argument and the reasons;
// testdata/vectors/confirm.json holds test vectors.
//
// The package is pure: no I/O, no clock; randomness only in GenerateKey.
// It builds for js/wasm.
package confirm
