package fountain

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// Options tune an Encoder. The zero value is the default.
type Options struct {
	// BlockSize is the largest block size in bytes; 0 means
	// DefaultBlockSize. The encoder uses K = ceil(len/BlockSize) blocks of
	// ceil(len/K) bytes, which is never more than BlockSize.
	BlockSize int

	// TransferID names the transfer; 0 means bytes 4 to 8 of the SHA-256
	// of the payload, so that the same payload always gives the same
	// frames.
	TransferID uint32
}

// Encoder makes the frames of one payload. It is safe for concurrent use.
type Encoder struct {
	id     uint32
	check  uint32
	length int
	k      int
	bsize  int
	blocks [][]byte // k blocks of bsize bytes, the last zero-padded
}

// NewEncoder splits payload into blocks. It fails on an empty payload, a
// payload over MaxPayload bytes, a block size outside 1 to MaxBlockSize, or
// a block size that would need more than MaxBlocks blocks.
func NewEncoder(payload []byte, opts Options) (*Encoder, error) {
	bs := opts.BlockSize
	if bs == 0 {
		bs = DefaultBlockSize
	}
	switch {
	case len(payload) == 0:
		return nil, fmt.Errorf("fountain: empty payload")
	case len(payload) > MaxPayload:
		return nil, fmt.Errorf("fountain: payload of %d bytes exceeds %d", len(payload), MaxPayload)
	case bs < 1 || bs > MaxBlockSize:
		return nil, fmt.Errorf("fountain: block size %d is outside 1 to %d", bs, MaxBlockSize)
	}
	k := (len(payload) + bs - 1) / bs
	if k > MaxBlocks {
		return nil, fmt.Errorf("fountain: %d-byte blocks make %d blocks for %d bytes; at most %d are allowed (use blocks of at least %d bytes)",
			bs, k, len(payload), MaxBlocks, (len(payload)+MaxBlocks-1)/MaxBlocks)
	}
	sum := sha256.Sum256(payload)
	e := &Encoder{
		id:     opts.TransferID,
		check:  binary.BigEndian.Uint32(sum[0:4]),
		length: len(payload),
		k:      k,
		bsize:  BlockSize(len(payload), k),
	}
	if e.id == 0 {
		e.id = binary.BigEndian.Uint32(sum[4:8])
	}
	padded := make([]byte, k*e.bsize)
	copy(padded, payload)
	for i := range k {
		e.blocks = append(e.blocks, padded[i*e.bsize:(i+1)*e.bsize:(i+1)*e.bsize])
	}
	return e, nil
}

// Transfer returns the transfer the encoder's frames belong to.
func (e *Encoder) Transfer() Transfer {
	return Transfer{ID: e.id, Length: e.length, Blocks: e.k, Check: e.check}
}

// BlockSize returns the size of each block in bytes.
func (e *Encoder) BlockSize() int { return e.bsize }

// LoopLen returns the number of frames of the first loop; see LoopLen.
func (e *Encoder) LoopLen() int { return LoopLen(e.k) }

// FrameData returns frame seq in structured form.
func (e *Encoder) FrameData(seq uint32) Frame {
	f := Frame{TransferID: e.id, Length: e.length, Blocks: e.k, Seq: seq, Check: e.check, Data: make([]byte, e.bsize)}
	for _, j := range Sources(e.id, e.k, seq) {
		xorBytes(f.Data, e.blocks[j])
	}
	return f
}

// Frame returns the text of frame seq. Frames 0 to LoopLen()-1 are the
// first loop; every frame after it is a fresh repair frame.
func (e *Encoder) Frame(seq uint32) string {
	return e.FrameData(seq).String()
}

// Frames returns the texts of frames 0 to n-1.
func (e *Encoder) Frames(n int) []string {
	out := make([]string, 0, max(n, 0))
	for i := range max(n, 0) {
		out = append(out, e.Frame(uint32(i)))
	}
	return out
}

func xorBytes(dst, src []byte) { subtle.XORBytes(dst, dst, src) }
