// Package derand connects package cose to its deterministic signer, which
// only package cosetest exposes, so that the public API has no switch for
// it.
package derand

// Sign is set by package cose: it signs like cose.Sign with ML-DSA-65 in
// deterministic mode. key is a *cose.PrivateKey.
var Sign func(key any, contentType string, payload []byte) ([]byte, error)
