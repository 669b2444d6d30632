//go:build js && wasm

package main

import (
	"time"

	"licet.dev/licet/codec/devcode"
)

// registerRequest adds the request functions: device code and request URL
// from a birth record, and reading request URLs and bundles.
func registerRequest(api map[string]any) {
	api["makeRequest"] = fn("makeRequest", func(a *args) any {
		o := a.options(0, "request")
		in := requestInput{
			Product:  o.int("product", 0, 1, 65535),
			Birth:    o.bytes("birthRecord", true),
			Nonce:    o.int("nonce", 0, 1, devcode.MaxNonce),
			Portal:   o.str("portal"),
			Instance: o.str("instance"),
		}
		if !o.has("product") {
			o.fail("product", "is missing")
		}
		if !o.has("nonce") {
			o.fail("nonce", "is missing")
		}
		// issuedAt: Unix seconds, as the daemon keeps it.
		in.IssuedAt = time.Unix(o.int("issuedAt", 0, 1, 1<<40), 0).UTC()
		if !o.has("issuedAt") {
			o.fail("issuedAt", "is missing")
		}
		return makeRequest(in)
	})
	api["requestURL"] = fn("requestURL", func(a *args) any {
		return requestURL(a.str(0, "portal"), a.bytes(1, "bundle", false))
	})
	api["parseRequestURL"] = fn("parseRequestURL", func(a *args) any { return parseRequestURL(a.str(0, "url")) })
	api["parseRequestBundle"] = fn("parseRequestBundle", func(a *args) any { return parseRequestBundle(a.bytes(0, "bundle", false)) })
}
