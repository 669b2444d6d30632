// Package codec implements Licet's signed objects and their verification.
//
// The objects are the CBOR payloads of DESIGN section 3: order licenses,
// device licenses, leases, usage reports, release receipts and request
// bundles. Each is a CBOR map with small integer keys, written in the core
// deterministic encoding of RFC 8949 section 4.2.1 and read back by a strict
// decoder: bounded nesting and sizes, no duplicate keys, no indefinite
// lengths, no tags, and no input that would not re-encode to the same
// bytes. Unknown keys below 1000 are critical and rejected; top-level keys
// from 1000 up are extensions, kept verbatim and otherwise ignored.
//
// Objects are signed as hybrid COSE_Sign messages (package
// licet.dev/licet/codec/cose) and travel as a File: the chain from a trusted
// root to the object, as CBOR or as armoured text. A Verifier checks a chain
// against a set of trusted roots at a given instant, including the
// delegation rules that bind a site key to its order.
//
// The package does no I/O and never reads the clock; it builds for
// js/wasm. The formats are described in docs/formats.md.
package codec
