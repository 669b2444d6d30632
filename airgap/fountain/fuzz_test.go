package fountain

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"licet.dev/licet/airgap/base45"
)

func FuzzParseFrame(f *testing.F) {
	for _, v := range loadVectors(f) {
		f.Add(v.Text)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fr, err := ParseFrame(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			if !reflect.DeepEqual(fr, Frame{}) {
				t.Fatalf("ParseFrame(%q) returned %+v with an error", s, fr)
			}
			return
		}
		if got := fr.String(); got != s {
			t.Fatalf("String(ParseFrame(%q)) = %q", s, got)
		}
		// Any valid frame can be fed to a decoder.
		if _, err := NewDecoder().AddFrame(fr); err != nil {
			t.Fatalf("AddFrame of a parsed frame: %v", err)
		}
	})
}

func FuzzParseBinary(f *testing.F) {
	for _, v := range loadVectors(f) {
		if len(v.Text) > len(Prefix) {
			if b, err := base45.Decode(v.Text[len(Prefix):]); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, err := ParseBinary(b)
		if err != nil {
			if !reflect.DeepEqual(fr, Frame{}) {
				t.Fatalf("ParseBinary returned %+v with an error", fr)
			}
			return
		}
		got, err := fr.AppendBinary(nil)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("AppendBinary(ParseBinary(%x)) = %x, %v", b, got, err)
		}
	})
}

// FuzzDecoder feeds a decoder frames of two transfers chosen, damaged and
// ordered by the fuzzer. The decoder must never panic, must never accept a
// frame of the other transfer, and when done must return the payload or
// ErrChecksum, never wrong bytes.
func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, uint16(700), uint8(64))
	f.Add([]byte{200, 3, 3, 3, 0x80, 9, 40, 41, 42, 43, 44, 45, 46}, uint16(1), uint8(1))
	f.Fuzz(func(t *testing.T, script []byte, size uint16, block uint8) {
		if size == 0 || block == 0 {
			return
		}
		p := payload(int(size), uint64(size))
		e, err := NewEncoder(p, Options{BlockSize: int(block)})
		if err != nil {
			return
		}
		other, _ := NewEncoder([]byte("another transfer"), Options{BlockSize: 4})
		d := NewDecoder()
		for _, c := range script {
			var text string
			switch {
			case c >= 0xf0:
				text = other.Frame(uint32(c))
			case c >= 0xe0:
				text = e.Frame(uint32(c))
				text = text[:len(text)-int(c&7)-1] // truncated
			default:
				text = e.Frame(uint32(c))
			}
			_, err := d.Add(text)
			if err != nil && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrForeign) {
				t.Fatalf("Add: %v", err)
			}
			if d.Progress().Transfer != e.Transfer() && d.Progress().Transfer.Blocks != 0 && d.Progress().Transfer != other.Transfer() {
				t.Fatalf("decoder locked onto %v", d.Progress().Transfer)
			}
		}
		got, err := d.Payload()
		switch {
		case d.Done() && d.Progress().Transfer == e.Transfer():
			if err != nil || !bytes.Equal(got, p) {
				t.Fatalf("done but Payload = %d bytes, %v", len(got), err)
			}
		case !d.Done():
			if !errors.Is(err, ErrIncomplete) || got != nil {
				t.Fatalf("not done but Payload = %d bytes, %v", len(got), err)
			}
		}
	})
}
