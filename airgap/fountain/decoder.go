package fountain

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
)

var (
	// ErrForeign reports a frame of another transfer than the one being
	// received. The decoder ignores the frame and keeps its state.
	ErrForeign = errors.New("fountain: frame of another transfer")

	// ErrIncomplete reports that the decoder has not yet received enough
	// frames to recover the payload.
	ErrIncomplete = errors.New("fountain: transfer incomplete")

	// ErrChecksum reports that the recovered payload does not match the
	// checksum its frames carry: a damaged frame got past its own check.
	ErrChecksum = errors.New("fountain: payload checksum mismatch")
)

// ForeignError is the error of a frame from another transfer. It matches
// ErrForeign with errors.Is.
type ForeignError struct {
	Receiving Transfer // the transfer the decoder is receiving
	Frame     Transfer // the transfer the frame belongs to
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("fountain: frame of transfer %v ignored while receiving transfer %v", e.Frame, e.Receiving)
}

// Is makes errors.Is(err, ErrForeign) true.
func (e *ForeignError) Is(target error) bool { return target == ErrForeign }

// Progress describes what a decoder has received.
type Progress struct {
	Transfer Transfer // zero until the first frame
	Frames   int      // frames accepted, duplicates and redundant ones included
	Rank     int      // independent frames; the payload is recovered at Rank == Transfer.Blocks
	Known    int      // source blocks already recovered (Known <= Rank)
}

// Done reports whether every block is known.
func (p Progress) Done() bool { return p.Transfer.Blocks > 0 && p.Rank == p.Transfer.Blocks }

// Missing returns the number of source blocks not yet recovered.
func (p Progress) Missing() int { return p.Transfer.Blocks - p.Known }

// Decoder recovers a payload from the frames of one transfer, in any order,
// with duplicates and gaps. It locks onto the transfer of the first valid
// frame; Reset starts over. A Decoder is not safe for concurrent use.
type Decoder struct {
	p       Progress
	bsize   int
	has     []bool     // has[c]: a row with pivot column c exists
	coef    [][]uint64 // coef[c]: the coefficients of the row with pivot c (reduced row echelon form)
	data    [][]byte   // data[c]: the XOR of the blocks in coef[c]
	tmpC    []uint64
	payload []byte
}

// NewDecoder returns an empty decoder.
func NewDecoder() *Decoder { return &Decoder{} }

// Reset forgets everything received.
func (d *Decoder) Reset() { *d = Decoder{} }

// Progress returns what the decoder has received so far.
func (d *Decoder) Progress() Progress { return d.p }

// Done reports whether the payload can be recovered.
func (d *Decoder) Done() bool { return d.p.Done() }

// Add parses a frame text and adds it. A malformed frame returns an error
// wrapping ErrMalformed and a frame of another transfer a *ForeignError;
// either way the decoder's state is unchanged and the returned Progress is
// still valid.
func (d *Decoder) Add(text string) (Progress, error) {
	f, err := ParseFrame(text)
	if err != nil {
		return d.p, err
	}
	return d.AddFrame(f)
}

// AddFrame adds a parsed frame; see Add. It does not keep f.Data.
func (d *Decoder) AddFrame(f Frame) (Progress, error) {
	if err := checkShape(f.Length, f.Blocks); err != nil {
		return d.p, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if n := BlockSize(f.Length, f.Blocks); len(f.Data) != n {
		return d.p, fmt.Errorf("%w: frame carries %d block bytes, its header says %d", ErrMalformed, len(f.Data), n)
	}
	t := f.Transfer()
	if d.p.Transfer.Blocks == 0 {
		k := t.Blocks
		d.p = Progress{Transfer: t}
		d.bsize = len(f.Data)
		d.has = make([]bool, k)
		d.coef = make([][]uint64, k)
		d.data = make([][]byte, k)
		d.tmpC = make([]uint64, words(k))
	} else if t != d.p.Transfer {
		return d.p, &ForeignError{Receiving: d.p.Transfer, Frame: t}
	}
	d.p.Frames++
	if d.Done() {
		return d.p, nil
	}
	k := d.p.Transfer.Blocks
	c := d.tmpC
	coefficients(c, t.ID, k, f.Seq)
	x := append([]byte(nil), f.Data...)

	// Reduce against the rows we have. Rows are in reduced row echelon
	// form, so XORing row j clears bit j and touches only non-pivot columns.
	for j := range k {
		if d.has[j] && c[j/64]>>(j%64)&1 != 0 {
			xorWords(c, d.coef[j])
			xorBytes(x, d.data[j])
		}
	}
	p := lowestBit(c)
	if p < 0 {
		return d.p, nil // nothing new
	}
	row := append([]uint64(nil), c...)
	// Clear column p from the other rows to stay in reduced form.
	for j := range k {
		if d.has[j] && d.coef[j][p/64]>>(p%64)&1 != 0 {
			xorWords(d.coef[j], row)
			xorBytes(d.data[j], x)
		}
	}
	d.has[p], d.coef[p], d.data[p] = true, row, x
	d.p.Rank++
	d.p.Known = 0
	for j := range k {
		if d.has[j] && popCount(d.coef[j]) == 1 {
			d.p.Known++
		}
	}
	return d.p, nil
}

// Payload returns the recovered payload. Before Done it returns an error
// wrapping ErrIncomplete that says how many blocks are missing; if the
// result does not match the transfer's checksum, one wrapping ErrChecksum.
func (d *Decoder) Payload() ([]byte, error) {
	if !d.Done() {
		if d.p.Transfer.Blocks == 0 {
			return nil, fmt.Errorf("%w: no frame received", ErrIncomplete)
		}
		return nil, fmt.Errorf("%w: %d of %d blocks missing, at least %d more frames needed",
			ErrIncomplete, d.p.Missing(), d.p.Transfer.Blocks, d.p.Transfer.Blocks-d.p.Rank)
	}
	if d.payload == nil {
		out := make([]byte, 0, d.p.Transfer.Blocks*d.bsize)
		for _, b := range d.data {
			out = append(out, b...)
		}
		out = out[:d.p.Transfer.Length]
		sum := sha256.Sum256(out)
		if binary.BigEndian.Uint32(sum[:4]) != d.p.Transfer.Check {
			return nil, fmt.Errorf("%w: transfer %v", ErrChecksum, d.p.Transfer)
		}
		d.payload = out
	}
	return append([]byte(nil), d.payload...), nil
}

func xorWords(dst, src []uint64) {
	for i := range dst {
		dst[i] ^= src[i]
	}
}

func lowestBit(c []uint64) int {
	for w, v := range c {
		if v != 0 {
			return w*64 + bits.TrailingZeros64(v)
		}
	}
	return -1
}

func popCount(c []uint64) int {
	n := 0
	for _, v := range c {
		n += bits.OnesCount64(v)
	}
	return n
}
