// Package e2e holds Licet's end-to-end tests: the real server started
// in-process, driven by Debian's Chromium through playwright-core (Node),
// with the results checked by the licet command line in-process.
//
// The browser tests need /usr/bin/chromium (or LICET_CHROMIUM), node, and
// node_modules from `npm ci` at the repository root (scripts/deps installs
// them); without those they skip. They also need the WebAssembly codec
// embedded in the site (`make wasm` before `go test`).
package e2e
