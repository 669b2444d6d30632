package cose

import "errors"

var (
	// ErrMalformed means the input is not a well-formed Licet COSE_Sign
	// message or key: bad CBOR, wrong structure, unknown or missing header
	// parameters, wrong sizes, or an encoding other than the canonical one.
	ErrMalformed = errors.New("cose: malformed")

	// ErrAlgorithm means the message does not carry exactly the required
	// hybrid algorithm set, ML-DSA-65 then Ed25519: a signature is missing,
	// the signers are swapped, or the algorithm set header was changed.
	ErrAlgorithm = errors.New("cose: algorithm set is not ML-DSA-65 + Ed25519")

	// ErrUnknownKey means the message names a key id that is not among the
	// keys offered to verify it.
	ErrUnknownKey = errors.New("cose: unknown key")

	// ErrBadSignature means one or both halves of the hybrid signature do
	// not verify under the key the message names.
	ErrBadSignature = errors.New("cose: bad signature")
)
