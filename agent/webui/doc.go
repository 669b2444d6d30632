// Package webui serves the terminal's activation page for `licetd run --web`
// (issue 5, DESIGN section 5): a small web page on the loopback interface
// that shows the device code and the request QR code, made in the browser
// by the WebAssembly codec from the birth record the daemon hands it, and
// that takes the license back, read by a webcam from an animated QR code,
// pasted, or as a file, or activates with a typed confirmation code.
//
// The page's files are those of package site (static/terminal/ at the
// root, with the shared js/, css/ and wasm/ trees); the API is:
//
//	GET  /?t=TOKEN             the page (site/static/terminal/index.html)
//	GET  /api/birth?t=TOKEN    the pending request: birth record, digest, nonce, device code
//	POST /api/license?t=TOKEN  a license (armoured text or CBOR) or an order license
//	POST /api/confirm?t=TOKEN  a typed confirmation code
//	GET  /api/status?t=TOKEN   the local API's status (agent/localapi.Status)
//
// Security: the server listens on a loopback address only (Listen refuses
// any other). Every run makes a random token of 32 bytes that the page and
// the API require, in the query parameter t or the header X-Licet-Token,
// compared in constant time; the URL that carries it is written to the
// state directory (state.URLFile, mode 0600, readable by root only) and
// printed by licetd. The Host header must name a loopback address and the
// server's port (no DNS rebinding), and an Origin header, when present,
// must be the page's own origin: browsers send one with every POST, so
// another web site cannot post to the page even with the token. Static
// files other than the page itself (scripts, styles, the WebAssembly
// module) are the public files of package site and are served without
// the token, because a browser cannot attach it to the requests a page
// makes for its scripts. Errors are RFC 9457 problem details with a
// stable code. docs/localapi.md, section "The activation page", has the
// details.
package webui
