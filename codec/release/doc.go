// Package release implements release codes (DESIGN section 5.4): the 40
// characters an air-gapped terminal shows when it gives its license up
// offline, which a person types into the vendor portal (or the site
// console) to free the seat.
//
// A release code names the license (the first 8 bytes of its id), the day
// of the release by the terminal's clock, and carries an 80-bit tag:
// HMAC-SHA256 under the license's release secret. Both sides derive that
// secret from what the activation was: the signed license the terminal
// holds and the issuer keeps on record (FromFile), or the confirmation
// code it was activated with (FromConfirmation). The code shares the
// alphabet, input rules, grouping and check characters of device codes
// (two Reed-Solomon blocks of 20 characters; package
// licet.dev/licet/codec/devcode).
//
// What a valid code proves: that whoever made it held the license, or
// the confirmation code, of this very activation, and asked for its seat
// to be freed on the day it names. Nobody who knows only the license id,
// the device code or the customer can make one. What it does not prove:
// that the terminal destroyed its license. The terminal does so before it
// shows the code, but a copy of its state directory, a disk image or a
// snapshot taken earlier keeps a working license, and anyone holding a
// copy of the license file (or who saw the confirmation code typed) can
// make the code too. No offline scheme without trusted hardware can prove
// deletion; the portal should treat a release code as the customer's
// declaration, keep it in the audit log, and rely on license expiry and
// usage reports for the rest. docs/formats.md ("Release codes") has the
// layout and the derivations; testdata/vectors/release.json holds test
// vectors.
//
// The package is pure: no I/O, no clock, no randomness. It builds for
// js/wasm.
package release
