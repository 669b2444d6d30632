package fountain

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// payload returns n deterministic pseudo-random bytes.
func payload(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func mustEncoder(t testing.TB, p []byte, opts Options) *Encoder {
	t.Helper()
	e, err := NewEncoder(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustPayload(t testing.TB, d *Decoder, want []byte) {
	t.Helper()
	got, err := d.Payload()
	if err != nil {
		t.Fatalf("Payload: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("payload differs: got %d bytes, want %d", len(got), len(want))
	}
}

// receive shows frames start, start+1, ... to a decoder, losing each with
// probability loss, until the decoder is done. It returns the number of
// frames shown (lost ones included).
func receive(t testing.TB, e *Encoder, loss float64, r *rand.Rand, start uint32) (int, *Decoder) {
	t.Helper()
	d := NewDecoder()
	limit := 50 * e.LoopLen()
	for n := 1; n <= limit; n++ {
		seq := start + uint32(n-1)
		if r.Float64() < loss {
			continue
		}
		p, err := d.Add(e.Frame(seq))
		if err != nil {
			t.Fatalf("frame %d: %v", seq, err)
		}
		if p.Done() {
			return n, d
		}
	}
	t.Fatalf("not done after %d frames", limit)
	return 0, nil
}

func TestSchedule(t *testing.T) {
	if got := LoopLen(13); got != 18 {
		t.Fatalf("LoopLen(13) = %d, want 18", got)
	}
	// K=13: S0 S1 S2 R S3 S4 S5 R S6 S7 S8 R S9 S10 S11 R S12 R, then R...
	want := []int{0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 12, -1, -1, -1}
	for seq, w := range want {
		if got := SourceIndex(13, uint32(seq)); got != w {
			t.Errorf("SourceIndex(13, %d) = %d, want %d", seq, got, w)
		}
	}
	for _, k := range []int{1, 2, 3, 4, 5, 64, 65, 130, MaxBlocks} {
		seen := make([]bool, k)
		for seq := range uint32(LoopLen(k)) {
			if i := SourceIndex(k, seq); i >= 0 {
				if seen[i] {
					t.Fatalf("k=%d: block %d twice in the first loop", k, i)
				}
				seen[i] = true
			}
		}
		if slices.Contains(seen, false) {
			t.Fatalf("k=%d: a block is missing from the first loop", k)
		}
		for seq := uint32(0); seq < uint32(LoopLen(k))+20; seq++ {
			s := Sources(7, k, seq)
			if len(s) == 0 || s[0] < 0 || s[len(s)-1] >= k {
				t.Fatalf("k=%d seq=%d: sources %v", k, seq, s)
			}
			if i := SourceIndex(k, seq); i >= 0 && !slices.Equal(s, []int{i}) {
				t.Fatalf("k=%d seq=%d: source frame has sources %v", k, seq, s)
			}
		}
	}
	// Repair frames of a large transfer XOR about half of the blocks.
	n := len(Sources(1, 1000, 5000))
	if n < 400 || n > 600 {
		t.Fatalf("repair frame of 1000 blocks has %d sources", n)
	}
}

func TestRoundTripNoLoss(t *testing.T) {
	for _, tc := range []struct{ n, block int }{
		{1, 0}, {2, 1}, {399, 0}, {400, 0}, {401, 0}, {5120, 0}, {20000, 100}, {MaxPayload, 0}, {4096, 1},
	} {
		t.Run(fmt.Sprintf("%d bytes block %d", tc.n, tc.block), func(t *testing.T) {
			p := payload(tc.n, uint64(tc.n))
			e := mustEncoder(t, p, Options{BlockSize: tc.block})
			k := e.Transfer().Blocks
			n, d := receive(t, e, 0, rand.New(rand.NewPCG(1, 2)), 0)
			// Without loss the receiver is done by the last source frame,
			// the one before the last of the first loop.
			if n > LoopLen(k)-1 {
				t.Fatalf("done after %d frames, the last source frame is %d", n, LoopLen(k)-2)
			}
			mustPayload(t, d, p)
		})
	}
}

func TestBlockSizes(t *testing.T) {
	e := mustEncoder(t, make([]byte, 5120), Options{})
	if tr := e.Transfer(); tr.Blocks != 13 || e.BlockSize() != 394 {
		t.Fatalf("5120 bytes: %d blocks of %d bytes, want 13 of 394", tr.Blocks, e.BlockSize())
	}
	if n := len(e.Frame(0)); n != TextLen(394) || n > 656 {
		t.Fatalf("frame of 394-byte block is %d characters (TextLen %d); a version 16-M QR holds 656", n, TextLen(394))
	}
	if TextLen(DefaultBlockSize) != 637 {
		t.Fatalf("TextLen(%d) = %d, want 637", DefaultBlockSize, TextLen(DefaultBlockSize))
	}
	for _, tc := range []struct {
		n     int
		opts  Options
		error string
	}{
		{0, Options{}, "empty payload"},
		{MaxPayload + 1, Options{}, "exceeds"},
		{10, Options{BlockSize: -1}, "block size -1"},
		{10, Options{BlockSize: MaxBlockSize + 1}, "block size 2049"},
		{MaxBlocks + 1, Options{BlockSize: 1}, "at most 4096"},
	} {
		_, err := NewEncoder(make([]byte, tc.n), tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.error) || !strings.HasPrefix(err.Error(), "fountain: ") {
			t.Errorf("NewEncoder(%d bytes, %+v) = %v, want an error about %q", tc.n, tc.opts, err, tc.error)
		}
	}
}

func TestTransferID(t *testing.T) {
	p := payload(1000, 3)
	a, b := mustEncoder(t, p, Options{}), mustEncoder(t, p, Options{})
	if a.Frame(5) != b.Frame(5) {
		t.Fatal("the same payload gives different frames")
	}
	c := mustEncoder(t, p, Options{TransferID: 0xdeadbeef})
	if c.Transfer().ID != 0xdeadbeef {
		t.Fatalf("transfer id %08x", c.Transfer().ID)
	}
	if c.Frame(5) == a.Frame(5) {
		t.Fatal("repair frames do not depend on the transfer id")
	}
}

func TestLoss(t *testing.T) {
	for _, loss := range []float64{0.1, 0.3} {
		for _, size := range []int{1, 700, 5120, 30000} {
			t.Run(fmt.Sprintf("loss %.0f%% %d bytes", loss*100, size), func(t *testing.T) {
				p := payload(size, uint64(size))
				e := mustEncoder(t, p, Options{})
				r := rand.New(rand.NewPCG(uint64(size), uint64(loss*100)))
				for trial := range 20 {
					_, d := receive(t, e, loss, r, uint32(trial*7))
					mustPayload(t, d, p)
				}
			})
		}
	}
}

func TestReorderAndDuplicates(t *testing.T) {
	p := payload(5120, 9)
	e := mustEncoder(t, p, Options{})
	frames := e.Frames(2 * e.LoopLen())
	r := rand.New(rand.NewPCG(4, 5))
	for trial := range 10 {
		order := r.Perm(len(frames))
		d := NewDecoder()
		added := 0
		for _, i := range order {
			for range 1 + trial%3 { // each frame one to three times
				prog, err := d.Add(frames[i])
				if err != nil {
					t.Fatal(err)
				}
				added++
				if prog.Frames != added {
					t.Fatalf("Frames = %d after %d frames", prog.Frames, added)
				}
				if prog.Known > prog.Rank || prog.Rank > prog.Transfer.Blocks {
					t.Fatalf("progress out of order: %+v", prog)
				}
			}
			if d.Done() {
				break
			}
		}
		mustPayload(t, d, p)
	}

	// A duplicate adds nothing.
	d := NewDecoder()
	p1, _ := d.Add(frames[0])
	p2, _ := d.Add(frames[0])
	if p1.Rank != 1 || p2.Rank != 1 || p2.Known != 1 || p2.Frames != 2 {
		t.Fatalf("after a duplicate: %+v then %+v", p1, p2)
	}
}

func TestProgressKnown(t *testing.T) {
	p := payload(5120, 10)
	e := mustEncoder(t, p, Options{})
	d := NewDecoder()
	// Source frames 0..5 (seqs 0,1,2,4,5,6) give six known blocks.
	for _, seq := range []uint32{0, 1, 2, 4, 5, 6} {
		if _, err := d.Add(e.Frame(seq)); err != nil {
			t.Fatal(err)
		}
	}
	if pr := d.Progress(); pr.Known != 6 || pr.Rank != 6 || pr.Missing() != 7 {
		t.Fatalf("progress %+v", pr)
	}
	// A repair frame raises the rank but, with seven unknown blocks, is
	// unlikely to reveal one by itself.
	pr, _ := d.Add(e.Frame(100))
	if pr.Rank != 7 {
		t.Fatalf("after a repair frame: %+v", pr)
	}
	_, err := d.Payload()
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), fmt.Sprintf("%d of 13 blocks missing, at least 6 more frames", pr.Missing())) {
		t.Fatalf("Payload before done: %v", err)
	}
	if _, err := NewDecoder().Payload(); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("Payload of an empty decoder: %v", err)
	}
}

func TestMixedTransfers(t *testing.T) {
	pa, pb := payload(5120, 11), payload(3000, 12)
	ea, eb := mustEncoder(t, pa, Options{}), mustEncoder(t, pb, Options{})
	da, db := NewDecoder(), NewDecoder()
	foreign := 0
	for seq := uint32(0); !da.Done() || !db.Done(); seq++ {
		if seq > 200 {
			t.Fatal("not done after 200 frames of each")
		}
		for _, f := range []string{ea.Frame(seq), eb.Frame(seq)} {
			before := da.Progress()
			_, err := da.Add(f)
			var fe *ForeignError
			if errors.As(err, &fe) {
				foreign++
				if !errors.Is(err, ErrForeign) || fe.Receiving != ea.Transfer() || fe.Frame != eb.Transfer() {
					t.Fatalf("foreign error %v: %+v", err, fe)
				}
				if da.Progress() != before {
					t.Fatal("a foreign frame changed the decoder")
				}
				if _, err := db.Add(f); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		}
	}
	if foreign == 0 {
		t.Fatal("no foreign frame reported")
	}
	mustPayload(t, da, pa)
	mustPayload(t, db, pb)

	// Same payload, other block size: another transfer.
	ec := mustEncoder(t, pa, Options{BlockSize: 300})
	if _, err := da.Add(ec.Frame(0)); !errors.Is(err, ErrForeign) {
		t.Fatalf("frame with another block count: %v", err)
	}
	// Reset starts over with the next transfer.
	da.Reset()
	if _, err := da.Add(ec.Frame(0)); err != nil || da.Progress().Transfer != ec.Transfer() {
		t.Fatalf("after Reset: %v, %+v", err, da.Progress())
	}
}

func TestMalformed(t *testing.T) {
	e := mustEncoder(t, payload(1000, 13), Options{})
	good := e.Frame(3)
	flip := []byte(good)
	flip[40] = map[bool]byte{true: 'B', false: 'A'}[flip[40] == 'A']
	cases := map[string]string{
		"empty":             "",
		"truncated":         good[:len(good)-3],
		"cut in the middle": good[:len(good)/2],
		"changed character": string(flip),
		"lower case":        strings.ToLower(good),
		"trailing space":    good + " ",
		"no prefix":         good[len(Prefix):],
		"other version":     "LQ2:" + good[len(Prefix):],
		"garbage":           "HTTPS://PORTAL.EXAMPLE/R/0123",
		"header only":       Prefix + "000000000000000000000000000",
	}
	d := NewDecoder()
	if _, err := d.Add(e.Frame(0)); err != nil {
		t.Fatal(err)
	}
	before := d.Progress()
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			f, err := ParseFrame(text)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("ParseFrame: %v", err)
			}
			if !reflect.DeepEqual(f, Frame{}) {
				t.Fatalf("ParseFrame returned %+v with an error", f)
			}
			if _, err := d.Add(text); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Add: %v", err)
			}
			if d.Progress() != before {
				t.Fatal("a malformed frame changed the decoder")
			}
		})
	}
	if _, err := ParseFrame("LQ2:" + good[len(Prefix):]); err == nil || !strings.Contains(err.Error(), `version "2" is not supported`) {
		t.Fatalf("other version: %v", err)
	}
}

func TestShapeChecks(t *testing.T) {
	// Frames whose header is impossible but whose CRC is right.
	for _, tc := range []struct {
		name string
		f    Frame
		want string
	}{
		{"zero length", Frame{Length: 0, Blocks: 1}, "payload length 0"},
		{"too many blocks", Frame{Length: 10, Blocks: 11, Data: make([]byte, 1)}, "exceeds the payload length"},
		{"empty last block", Frame{Length: 10, Blocks: 6, Data: make([]byte, 2)}, "last"},
		{"short block", Frame{Length: 10, Blocks: 2, Data: make([]byte, 4)}, "block of 4 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.f.MarshalText(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("MarshalText: %v, want %q", err, tc.want)
			}
			if _, err := NewDecoder().AddFrame(tc.f); !errors.Is(err, ErrMalformed) {
				t.Fatalf("AddFrame: %v", err)
			}
		})
	}
}

func TestChecksumMismatch(t *testing.T) {
	p := payload(800, 14)
	e := mustEncoder(t, p, Options{})
	d := NewDecoder()
	for seq := uint32(0); !d.Done(); seq++ {
		f := e.FrameData(seq)
		if seq == 0 {
			f.Data[0] ^= 1 // damaged, then given a fresh frame CRC
		}
		text, err := f.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Add(string(text)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Payload(); !errors.Is(err, ErrChecksum) {
		t.Fatalf("Payload: %v", err)
	}
}

func TestFrameTextRoundTrip(t *testing.T) {
	e := mustEncoder(t, payload(5000, 15), Options{})
	for seq := range uint32(30) {
		s := e.Frame(seq)
		f, err := ParseFrame(s)
		if err != nil {
			t.Fatal(err)
		}
		var g Frame
		if err := g.UnmarshalText([]byte(s)); err != nil || g.String() != s || f.String() != s {
			t.Fatalf("seq %d: text does not round-trip", seq)
		}
		if f.Seq != seq || f.Transfer() != e.Transfer() {
			t.Fatalf("seq %d: parsed %+v", seq, f.Transfer())
		}
	}
}
