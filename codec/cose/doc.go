// Package cose implements Licet's hybrid signatures: COSE_Sign messages
// (RFC 9052, tag 98) carrying two signatures over the same payload, one with
// ML-DSA-65 (alg -49, RFC 9964, empty context) and one with Ed25519 (alg -19,
// RFC 9864). A message is valid only if both signatures verify.
//
// The body's protected header names the hybrid key id (label 4), the content
// type (label 3) and the required algorithm set (private-use label -65537,
// listed in crit), so that stripping one signature, swapping the signers or
// replacing one half with another key's signature is detected.
//
// Keys are hybrid: a [PublicKey] holds an ML-DSA-65 and an Ed25519 public
// key, encoded as a COSE_KeySet of two COSE_Keys (AKP and OKP); its [KeyID]
// is the first 16 bytes of SHA-256 over that encoding. A [PrivateKey] holds
// the two 32-byte seeds.
//
// All CBOR is RFC 8949 core deterministic encoding. [Decode] is strict: it
// bounds sizes and nesting, rejects indefinite lengths, duplicate map keys,
// unknown header parameters and any encoding that is not the canonical one,
// so that decoding and re-encoding a message always gives the same bytes.
//
// The package is pure: no I/O, no clock, no network. docs/formats.md
// ("Hybrid signatures (COSE)") documents the wire format.
package cose
