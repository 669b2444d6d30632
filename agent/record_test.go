package agent

import (
	"bytes"
	"testing"

	"licet.dev/licet/codec"
	"licet.dev/licet/fingerprint"
)

// sampleRecords returns encoded records of every shape, for tests and as
// fuzz seeds.
func sampleRecords(t testing.TB) [][]byte {
	f := newFixture(t)
	a := f.open()
	r := f.request(a, 77)
	out := [][]byte{}
	enc := func(rec *record) {
		b, err := encodeRecord(rec)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	enc(&record{Version: recordVersion})
	rec, err := a.readRecord()
	if err != nil {
		t.Fatal(err)
	}
	enc(rec)
	if _, err := a.Import(f.device(vendorKey, r, 77, 30, map[string]string{"a": "b"})); err != nil {
		t.Fatal(err)
	}
	f.request(a, 77)
	rec, _ = a.readRecord()
	enc(rec)
	if _, err := a.Release(); err != nil {
		t.Fatal(err)
	}
	rec, _ = a.readRecord()
	enc(rec)
	return out
}

func TestRecordRoundTrip(t *testing.T) {
	for i, b := range sampleRecords(t) {
		r, err := decodeRecord(b)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		again, err := encodeRecord(r)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("record %d does not re-encode: %v", i, err)
		}
	}
}

func TestRecordRejects(t *testing.T) {
	birth, _ := (&fingerprint.Record{Components: []fingerprint.Component{{Kind: fingerprint.KindMachineID}}}).MarshalBinary()
	for _, tt := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not a map", []byte{0x80}},
		{"no version", []byte{0xa0}},
		{"version 2", []byte{0xa1, 0x01, 0x02}},
		{"unknown key", []byte{0xa2, 0x01, 0x01, 0x09, 0x00}},
		{"duplicate key", []byte{0xa2, 0x01, 0x01, 0x01, 0x01}},
		{"indefinite map", []byte{0xbf, 0x01, 0x01, 0xff}},
		{"non-canonical integer", []byte{0xa1, 0x18, 0x01, 0x01}},
		{"trailing byte", []byte{0xa1, 0x01, 0x01, 0x00}},
		{"tag", []byte{0xc1, 0xa1, 0x01, 0x01}},
	} {
		if r, err := decodeRecord(tt.b); err == nil || r != nil {
			t.Errorf("%s: decoded %+v", tt.name, r)
		}
	}
	for _, tt := range []struct {
		name string
		r    record
	}{
		{"product 0", record{Version: 1, Requests: []request{{Product: 0, Nonce: 1, Birth: birth, Created: 1}}}},
		{"nonce 0", record{Version: 1, Requests: []request{{Product: 1, Nonce: 0, Birth: birth, Created: 1}}}},
		{"nonce too big", record{Version: 1, Requests: []request{{Product: 1, Nonce: 1 << 22, Birth: birth, Created: 1}}}},
		{"bad birth", record{Version: 1, Requests: []request{{Product: 1, Nonce: 1, Birth: []byte{1}, Created: 1}}}},
		{"bad license", record{Version: 1, License: &held{File: []byte{0x80}, Birth: birth, Imported: 1}}},
		{"short id", record{Version: 1, Released: []released{{License: []byte{1}, At: 1}}}},
	} {
		if _, err := encodeRecord(&tt.r); err == nil {
			t.Errorf("%s: encoded", tt.name)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	for _, b := range sampleRecords(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err != nil {
			if r != nil {
				t.Fatalf("record with error %v", err)
			}
			return
		}
		again, err := encodeRecord(r)
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, again)
		}
	})
}

// FuzzImport feeds arbitrary bytes to Import: it never panics, and on error
// it returns nothing.
func FuzzImport(f *testing.F) {
	fx := newFixture(f)
	a := fx.open()
	r := fx.request(a, 9)
	lic := fx.device(vendorKey, r, 9, 30, map[string]string{"x": "y"})
	f.Add(lic)
	if file, err := codec.ParseFile(lic); err == nil {
		f.Add(file.Marshal())
	}
	f.Add(fx.lease(r, 7, 2))
	f.Add([]byte("-----BEGIN LICET LICENSE-----\n-----END LICET LICENSE-----\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := a.Import(b)
		if (err == nil) == (res == nil) {
			t.Fatalf("result %+v with error %v", res, err)
		}
	})
}
