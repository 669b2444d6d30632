// Package cosetest makes deterministic hybrid keys and signatures, for test
// fixtures and known-answer tests only. Never use it for real keys: a key
// from a label is as secret as the label.
package cosetest

import (
	"crypto/sha256"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/internal/derand"
)

// KeyFromSeed derives a hybrid key from a label: the ML-DSA-65 seed is
// SHA-256("licet cosetest ML-DSA-65\x00" || label) and the Ed25519 seed is
// SHA-256("licet cosetest Ed25519\x00" || label).
func KeyFromSeed(seed string) *cose.PrivateKey {
	ml := sha256.Sum256([]byte("licet cosetest ML-DSA-65\x00" + seed))
	ed := sha256.Sum256([]byte("licet cosetest Ed25519\x00" + seed))
	k, err := cose.NewKeyFromSeeds(ml[:], ed[:])
	if err != nil {
		panic("cosetest: " + err.Error())
	}
	return k
}

// SignDeterministic signs like cose.Sign but with ML-DSA-65 in its
// deterministic variant, so that the same key, content type and payload
// always give the same bytes. It panics on input cose.Sign would reject.
func SignDeterministic(key *cose.PrivateKey, contentType string, payload []byte) []byte {
	b, err := derand.Sign(key, contentType, payload)
	if err != nil {
		panic("cosetest: " + err.Error())
	}
	return b
}
