// Package fingerprint identifies a terminal by the hardware and system
// identifiers it can read, as described in section 4 of the Licet design and
// in docs/fingerprint.md.
//
// Collect reads the components of a machine (machine-id, DMI product UUID and
// serials, MAC addresses of physical NICs, disk serials, CPU model, TPM
// endorsement key) through a sysroot directory, so that a machine can be
// described as a plain directory tree. Every component is hashed on its own
// with a per-product key (HMAC-SHA256 keyed by the product id), so raw serials
// never leave the machine and the hashes of one machine differ from product to
// product.
//
// At activation the component hashes form the birth record (Record), which has
// one canonical CBOR encoding and a SHA-256 digest that licenses bind. Match
// compares a birth record with what the machine shows today under a Policy
// (Exact, Fuzzy or Loose) and explains which components matched.
//
// Containers and cloud desktops use an explicit identity (Options.InstanceID)
// instead of hardware. A machine that shows too little identifying hardware is
// reported as weak (Snapshot.Weak) with the missing sources named.
package fingerprint
