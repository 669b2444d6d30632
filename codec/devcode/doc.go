// Package devcode implements the short codes that people read out and type
// at an air-gapped terminal: device codes (DESIGN section 5.1), and the
// alphabet and error-correcting layer that confirmation and release codes
// share with them.
//
// A device code is 25 characters of Crockford's base32 alphabet
// (https://www.crockford.com/base32.html) shown in five groups of five,
// for example 20938-0938N-KRKAY-DXYNA-NAKT7. The first 22 characters carry
// 110 bits of data (format version, flags, product short id, birth-record
// digest, request nonce); the last three are Reed-Solomon check characters
// over GF(32). The code has minimum distance 4: Parse corrects any single
// wrong character and reports the correction, and rejects every pattern of
// two wrong characters (a double typo, two neighbours swapped) instead of
// accepting a different code. The exact bit layout is in docs/formats.md
// under "Device codes"; testdata/vectors/devcode.json holds test vectors.
//
// Parsing is lenient in what does not carry information: case, spaces and
// hyphens are ignored, O reads as 0 and I and L read as 1, full-width forms
// typed with an East Asian input method read as their ASCII letters. Every
// other character, U included, is rejected with its position.
//
// The package is pure: no I/O, no clock, no randomness of its own; it
// builds for js/wasm.
package devcode
