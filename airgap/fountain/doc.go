// Package fountain moves a payload through a sequence of QR codes (an
// animated QR) that a camera may see in any order, twice, or not at all.
//
// The payload is cut into K blocks of equal size (the last one zero-padded).
// Frame number seq carries either one source block or the XOR of a
// pseudo-random subset of the blocks (a repair frame). The schedule is
// systematic: the first loop shows the K source frames in order with one
// repair frame after every [RepairEvery] of them, and every later frame is a
// repair frame. A receiver needs any K independent frames; it solves for
// the blocks by Gaussian elimination over GF(2), kept in reduced row echelon
// form as frames arrive, and checks the result against the payload checksum
// carried in every frame.
//
// A frame is text: the prefix [Prefix] followed by the Base45 encoding (RFC
// 9285) of the binary frame, so that it fills a QR code in alphanumeric mode.
// The binary frame is, big-endian:
//
//	offset  size  field
//	0       4     transfer id
//	4       4     payload length L in bytes (1 to MaxPayload)
//	8       2     block count K (1 to MaxBlocks, at most L)
//	10      4     sequence number
//	14      4     payload check: the first 4 bytes of SHA-256(payload)
//	18      B     block data, B = ceil(L/K)
//	18+B    4     CRC-32 (IEEE) of the bytes before it
//
// The subset of a repair frame is drawn from SplitMix64 seeded with
// transferID<<32 | seq: block j is included when bit j%64 of the
// (j/64+1)-th output is set; an empty subset becomes {seq mod K}.
// docs/formats.md ("Animated QR") gives the schedule, the sizes and the
// measured number of frames a receiver needs.
//
// The package is pure (no I/O) and builds for js/wasm.
package fountain
