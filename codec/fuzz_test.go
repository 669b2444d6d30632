package codec

import (
	"bytes"
	"encoding/hex"
	"testing"

	"licet.dev/licet/codec/cose"
)

// Fuzz targets, one per decoder, seeded from the vectors. Each checks: no
// panic; a nil result on error; and that re-encoding a decoded value gives
// the input back.

// objectSeeds returns every object encoding in the vectors: the objects
// file, and the payloads of the chains file's signed messages.
func objectSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, g := range readVectors(f, "objects.json").TestGroups {
		for _, tc := range g.Tests {
			b, err := hex.DecodeString(tc.CBOR)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, b)
		}
	}
	for _, in := range fileSeeds(f) {
		file, err := ParseFile(in)
		if err != nil {
			continue
		}
		for _, l := range file.Links {
			seeds = append(seeds, l.Message.Payload)
		}
	}
	return seeds
}

func fileSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, g := range readVectors(f, "chains.json").TestGroups {
		for _, tc := range g.Tests {
			seeds = append(seeds, vectorInput(f, &tc))
		}
	}
	return seeds
}

func fuzzDecoder[T any, P interface {
	*T
	Object
}](f *testing.F, decode func([]byte) (*T, error)) {
	for _, s := range objectSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := decode(in)
		if err != nil {
			if v != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			return
		}
		re, err := Marshal(P(v))
		if err != nil {
			t.Fatalf("decoded value does not encode: %v", err)
		}
		if !bytes.Equal(re, in) {
			t.Fatalf("re-encoded\n%x\nwant\n%x", re, in)
		}
	})
}

func FuzzDecodeOrderLicense(f *testing.F)   { fuzzDecoder(f, DecodeOrderLicense) }
func FuzzDecodeDeviceLicense(f *testing.F)  { fuzzDecoder(f, DecodeDeviceLicense) }
func FuzzDecodeLease(f *testing.F)          { fuzzDecoder(f, DecodeLease) }
func FuzzDecodeUsageReport(f *testing.F)    { fuzzDecoder(f, DecodeUsageReport) }
func FuzzDecodeReleaseReceipt(f *testing.F) { fuzzDecoder(f, DecodeReleaseReceipt) }
func FuzzDecodeRequestBundle(f *testing.F)  { fuzzDecoder(f, DecodeRequestBundle) }

func FuzzDecodeObject(f *testing.F) {
	for _, s := range objectSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		o, err := DecodeObject(in)
		if err != nil {
			if o != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			return
		}
		re, err := Marshal(o)
		if err != nil || !bytes.Equal(re, in) {
			t.Fatalf("re-encoded %x, %v\nwant %x", re, err, in)
		}
	})
}

// FuzzParseFile also runs the verifier on every file that decodes, which
// must neither panic nor verify a file whose encoding changed.
func FuzzParseFile(f *testing.F) {
	for _, s := range fileSeeds(f) {
		f.Add(s)
	}
	v := &Verifier{Roots: []*cose.PublicKey{rootKey.Public(), root2Key.Public()}, Now: ts(12).Time()}
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := ParseFile(in)
		if err != nil {
			if file != nil {
				t.Fatalf("error %v with a non-nil result", err)
			}
			if res, err := v.VerifyBytes(in); err == nil || res != nil {
				t.Fatal("verified a file that does not decode")
			}
			return
		}
		want := in
		if file.Armoured {
			want = CanonicalArmour(in)
		}
		if got := file.Encode(); !bytes.Equal(got, want) {
			t.Fatalf("re-encoded\n%q\nwant\n%q", got, want)
		}
		res, err := v.Verify(file)
		if (err == nil) != (res != nil) {
			t.Fatalf("result %v with error %v", res, err)
		}
	})
}

func FuzzDearmour(f *testing.F) {
	for _, s := range fileSeeds(f) {
		if IsArmoured(s) {
			f.Add(s)
			f.Add(bytes.ReplaceAll(s, []byte("\n"), []byte("\r\n")))
		}
	}
	f.Add([]byte("-----BEGIN LICET LICENSE-----\nAA==\n-----END LICET LICENSE-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		label, data, err := Dearmour(in)
		if err != nil {
			if label != "" || data != nil {
				t.Fatalf("error %v with a result", err)
			}
			return
		}
		if got, want := Armour(label, data), CanonicalArmour(in); !bytes.Equal(got, want) {
			t.Fatalf("re-armoured\n%q\nwant\n%q", got, want)
		}
	})
}
