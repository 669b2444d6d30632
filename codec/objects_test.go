package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

func allSamples() map[string]Object {
	o := sampleOrder()
	return map[string]Object{
		"order":     o,
		"permanent": permanentOrder(),
		"lease":     sampleLease(o),
		"device":    sampleDevice(),
		"report":    sampleReport(o),
		"receipt":   sampleReceipt(o),
		"request":   sampleRequest(),
	}
}

func TestRoundTrip(t *testing.T) {
	for name, o := range allSamples() {
		t.Run(name, func(t *testing.T) {
			b, err := Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeObject(b)
			if err != nil {
				t.Fatalf("decode: %v\n%x", err, b)
			}
			if !reflect.DeepEqual(got, o) {
				t.Errorf("decoded %+v\nwant %+v", got, o)
			}
			re, err := Marshal(got)
			if err != nil || !bytes.Equal(re, b) {
				t.Errorf("re-encoded %x, %v\nwant %x", re, err, b)
			}
		})
	}
}

// TestEncodingPinned pins the encoding of one object byte for byte, so that
// a change of key numbers or field types cannot pass unnoticed.
func TestEncodingPinned(t *testing.T) {
	r := &ReleaseReceipt{
		Header:  Header{ID: ID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, IssuedAt: 1767225600},
		License: ID{0xff, 15: 0xee},
		Digest:  Bytes{1, 2, 3, 4, 5, 6, 7, 8},
	}
	b, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	// {1: 5, 2: 1, 3: h'0102…10', 4: 1767225600, 70: h'ff00…ee', 71: h'0102030405060708'}
	want := "a6" + "0105" + "0201" + "0350" + "0102030405060708090a0b0c0d0e0f10" + "041a6955b900" +
		"184650" + "ff0000000000000000000000000000ee" + "184748" + "0102030405060708"
	if hex.EncodeToString(b) != want {
		t.Errorf("got  %x\nwant %s", b, want)
	}
}

func TestDecodeRejects(t *testing.T) {
	valid, err := Marshal(sampleReceipt(sampleOrder()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"array", "80", ErrMalformed},
		{"truncated", hex.EncodeToString(valid[:len(valid)-1]), ErrMalformed},
		{"trailing byte", hex.EncodeToString(valid) + "00", ErrMalformed},
		{"text key", "a1616101", ErrMalformed},
		{"negative key", "a12001", ErrMalformed},
		{"indefinite map", "bf0105ff", ErrMalformed},
		{"tagged", "c1" + hex.EncodeToString(valid), ErrMalformed},
		{"duplicate key", "a201050105", ErrMalformed},
		{"unknown critical", "a1186301", ErrUnknownField},
		{"version 2", "a201050202", ErrVersion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.in)
			got, err := DecodeReleaseReceipt(b)
			if !errors.Is(err, tt.want) || got != nil {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%v does not match ErrMalformed", err)
			}
		})
	}
}

func TestExtensions(t *testing.T) {
	d := sampleDevice()
	d.Ext = map[uint64]Bytes{1000: {0x63, 'a', 'b', 'c'}, 70000: {0x01}}
	b, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeDeviceLicense(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Ext, d.Ext) {
		t.Errorf("extensions %v, want %v", got.Ext, d.Ext)
	}
	if re, _ := Marshal(got); !bytes.Equal(re, b) {
		t.Error("re-encoding differs")
	}
	d.Ext = map[uint64]Bytes{1000: {0x18, 0x01}} // non-minimal integer
	if _, err := Marshal(d); err == nil {
		t.Error("non-canonical extension value encoded")
	}
	d.Ext = map[uint64]Bytes{99: {0x01}}
	if _, err := Marshal(d); err == nil {
		t.Error("extension below 1000 encoded")
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func() Object
	}{
		{"order without customer", func() Object { o := sampleOrder(); o.Customer = ""; return o }},
		{"order product zero", func() Object { o := sampleOrder(); o.Product = 0; return o }},
		{"order no mode", func() Object { o := sampleOrder(); o.Mode = 0; return o }},
		{"permanent no seats", func() Object { o := permanentOrder(); o.Seats = 0; return o }},
		{"unlimited with seats", func() Object { o := sampleOrder(); o.Mode = ModeUnlimited; return o }},
		{"periodic no lease", func() Object { o := sampleOrder(); o.LeasePeriod = 0; o.RenewInterval = 0; return o }},
		{"renew beyond lease", func() Object { o := sampleOrder(); o.RenewInterval = Days(8); return o }},
		{"preactivation constraints", func() Object {
			o := sampleOrder()
			o.Mode = ModePreactivation
			return o
		}},
		{"borrow outside concurrent", func() Object { o := sampleOrder(); o.MaxBorrow = Days(3); return o }},
		{"bad site key", func() Object { o := sampleOrder(); o.SiteKey = Bytes{1, 2, 3}; return o }},
		{"control character", func() Object { o := sampleOrder(); o.Customer = "a\nb"; return o }},
		{"ends before start", func() Object { o := sampleOrder(); o.NotAfter = o.NotBefore; return o }},
		{"zero id", func() Object { o := sampleOrder(); o.ID = ID{}; return o }},
		{"short digest", func() Object { d := sampleDevice(); d.Binding.Digest = d.Binding.Digest[:7]; return d }},
		{"no binding", func() Object { d := sampleDevice(); d.Binding = Binding{}; return d }},
		{"lease without end", func() Object { l := sampleLease(sampleOrder()); l.NotAfter = 0; return l }},
		{"renew after end", func() Object { l := sampleLease(sampleOrder()); l.RenewAfter = ts(18); return l }},
		{"request digest short", func() Object { r := sampleRequest(); r.Digest = r.Digest[:8]; return r }},
		{"report broken chain", func() Object { r := sampleReport(sampleOrder()); r.Entries[2].Prev = digestOf("x", 32); return r }},
		{"report gap", func() Object {
			r := sampleReport(sampleOrder())
			r.Entries = append(r.Entries[:1], r.Entries[2])
			return r
		}},
		{"report 2 without previous", func() Object { r := sampleReport(sampleOrder()); r.Previous = nil; return r }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.edit()
			if b, err := Marshal(o); err == nil {
				t.Fatalf("encoded an invalid object: %x", b)
			}
			// The decoder rejects the same object when it comes in as bytes.
			b, err := encMode.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := DecodeObject(b); !errors.Is(err, ErrInvalid) {
				t.Errorf("decoding: %v, want ErrInvalid", err)
			}
		})
	}
}

func TestDecodeTypeMismatch(t *testing.T) {
	b, err := Marshal(sampleDevice())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeLease(b); !errors.Is(err, ErrMalformed) {
		t.Errorf("a device license decoded as a lease: %v", err)
	}
}
