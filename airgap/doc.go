// Package airgap implements the offline exchanges between a terminal and
// the vendor (Licet design, section 5): the request URL that a phone scans
// off a terminal's screen, here, and in subpackages the Base45 encoding
// (base45), animated-QR transfers (fountain), QR symbols and their
// rendering (qr) and reading QR codes from images (scan).
//
// The request URL is an upper-case URL of the vendor portal with the
// request bytes in Crockford's base32, HTTPS://PORTAL.EXAMPLE/R/<BASE32>,
// so that it fits a QR code in alphanumeric mode and any phone camera opens
// it; it must fit a version 11 QR code at error correction level M. The
// bytes are the codec's request bundle; this package does not look inside.
//
// airgap and its subpackages are pure (no network, no processes, no
// database) and build for js/wasm.
package airgap
