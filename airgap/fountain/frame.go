package fountain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"

	"licet.dev/licet/airgap/base45"
)

// Format limits and sizes.
const (
	// Prefix starts the text of every frame of format version 1.
	Prefix = "LQ1:"

	// DefaultBlockSize is the block size an Encoder uses unless told
	// otherwise. A frame with 400-byte blocks is 637 characters, which fits
	// a version 16 QR code at error correction level M (656).
	DefaultBlockSize = 400

	// MaxBlockSize is the largest block a frame may carry.
	MaxBlockSize = 2048

	// MaxPayload is the largest payload a transfer may carry.
	MaxPayload = 1 << 20

	// MaxBlocks is the largest block count K; it bounds the decoder's
	// memory to K*(K/8+B) bytes.
	MaxBlocks = 4096

	// HeaderSize and TrailerSize are the bytes of a binary frame around
	// its block.
	HeaderSize  = 18
	TrailerSize = 4

	// RepairEvery is the number of source frames between two repair frames
	// in the first loop.
	RepairEvery = 3
)

// ErrMalformed is wrapped by every error about a frame that cannot be read:
// not a frame, damaged, truncated, or with impossible header fields.
var ErrMalformed = errors.New("fountain: malformed frame")

// Frame is one frame of a transfer.
type Frame struct {
	TransferID uint32
	Length     int    // payload length in bytes
	Blocks     int    // number of source blocks, K
	Seq        uint32 // sequence number
	Check      uint32 // first 4 bytes of SHA-256 of the payload, big-endian
	Data       []byte // one block of BlockSize(Length, Blocks) bytes
}

// Transfer names a transfer: frames belong together when all four fields
// agree.
type Transfer struct {
	ID     uint32
	Length int
	Blocks int
	Check  uint32
}

func (t Transfer) String() string {
	return fmt.Sprintf("%08x (%d bytes in %d blocks)", t.ID, t.Length, t.Blocks)
}

// Transfer returns the transfer f belongs to.
func (f Frame) Transfer() Transfer {
	return Transfer{ID: f.TransferID, Length: f.Length, Blocks: f.Blocks, Check: f.Check}
}

// BlockSize returns the block size of a transfer of length bytes in blocks
// blocks: ceil(length/blocks).
func BlockSize(length, blocks int) int {
	if blocks <= 0 {
		return 0
	}
	return (length + blocks - 1) / blocks
}

// TextLen returns the number of characters of a frame carrying blocks of
// blockSize bytes.
func TextLen(blockSize int) int {
	return len(Prefix) + base45.EncodedLen(HeaderSize+blockSize+TrailerSize)
}

// checkShape reports whether length and blocks make a valid transfer.
func checkShape(length, blocks int) error {
	switch {
	case length < 1 || length > MaxPayload:
		return fmt.Errorf("payload length %d is outside 1 to %d", length, MaxPayload)
	case blocks < 1 || blocks > MaxBlocks:
		return fmt.Errorf("block count %d is outside 1 to %d", blocks, MaxBlocks)
	case blocks > length:
		return fmt.Errorf("block count %d exceeds the payload length %d", blocks, length)
	}
	b := BlockSize(length, blocks)
	if b > MaxBlockSize {
		return fmt.Errorf("block size %d exceeds %d", b, MaxBlockSize)
	}
	if (blocks-1)*b >= length {
		return fmt.Errorf("block count %d leaves the last of the %d-byte blocks of a %d-byte payload empty", blocks, b, length)
	}
	return nil
}

// AppendBinary appends the binary frame to b.
func (f Frame) AppendBinary(b []byte) ([]byte, error) {
	if err := checkShape(f.Length, f.Blocks); err != nil {
		return b, fmt.Errorf("fountain: frame: %w", err)
	}
	if n := BlockSize(f.Length, f.Blocks); len(f.Data) != n {
		return b, fmt.Errorf("fountain: frame: block of %d bytes, want %d", len(f.Data), n)
	}
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, f.TransferID)
	b = binary.BigEndian.AppendUint32(b, uint32(f.Length))
	b = binary.BigEndian.AppendUint16(b, uint16(f.Blocks))
	b = binary.BigEndian.AppendUint32(b, f.Seq)
	b = binary.BigEndian.AppendUint32(b, f.Check)
	b = append(b, f.Data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:])), nil
}

// AppendText appends the text form of f (Prefix and Base45) to b.
func (f Frame) AppendText(b []byte) ([]byte, error) {
	bin, err := f.AppendBinary(nil)
	if err != nil {
		return b, err
	}
	return base45.AppendEncode(append(b, Prefix...), bin), nil
}

// MarshalText returns the text form of f.
func (f Frame) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// String returns the text form of f, or a description of why it has none.
func (f Frame) String() string {
	b, err := f.AppendText(nil)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

// UnmarshalText parses the text form of a frame; see ParseFrame.
func (f *Frame) UnmarshalText(text []byte) error {
	g, err := ParseFrame(string(text))
	if err != nil {
		return err
	}
	*f = g
	return nil
}

// ParseFrame parses the text form of a frame. Errors wrap ErrMalformed and
// return the zero Frame. Only the canonical text is accepted: upper case,
// no spaces around it.
func ParseFrame(s string) (Frame, error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		if len(s) >= 4 && s[:2] == Prefix[:2] && s[3] == ':' && s[2] != Prefix[2] {
			return Frame{}, fmt.Errorf("%w: frame format version %q is not supported (this reader knows %q)", ErrMalformed, s[2:3], Prefix[2:3])
		}
		return Frame{}, fmt.Errorf("%w: text does not start with %q", ErrMalformed, Prefix)
	}
	bin, err := base45.Decode(rest)
	if err != nil {
		return Frame{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return ParseBinary(bin)
}

// ParseBinary parses a binary frame (the bytes under the Base45 text).
// Errors wrap ErrMalformed and return the zero Frame.
func ParseBinary(bin []byte) (Frame, error) {
	if len(bin) < HeaderSize+1+TrailerSize {
		return Frame{}, fmt.Errorf("%w: %d bytes is shorter than the smallest frame (%d bytes)", ErrMalformed, len(bin), HeaderSize+1+TrailerSize)
	}
	body, sum := bin[:len(bin)-TrailerSize], binary.BigEndian.Uint32(bin[len(bin)-TrailerSize:])
	if crc32.ChecksumIEEE(body) != sum {
		return Frame{}, fmt.Errorf("%w: frame checksum mismatch (damaged or truncated frame)", ErrMalformed)
	}
	f := Frame{
		TransferID: binary.BigEndian.Uint32(body[0:]),
		Length:     int(binary.BigEndian.Uint32(body[4:])),
		Blocks:     int(binary.BigEndian.Uint16(body[8:])),
		Seq:        binary.BigEndian.Uint32(body[10:]),
		Check:      binary.BigEndian.Uint32(body[14:]),
	}
	if err := checkShape(f.Length, f.Blocks); err != nil {
		return Frame{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	data := body[HeaderSize:]
	if n := BlockSize(f.Length, f.Blocks); len(data) != n {
		return Frame{}, fmt.Errorf("%w: frame carries %d block bytes, its header says %d", ErrMalformed, len(data), n)
	}
	f.Data = append([]byte(nil), data...)
	return f, nil
}
