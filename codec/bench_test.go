package codec

import (
	"testing"
)

// BenchmarkChainVerify verifies root → order → lease: two hybrid
// signatures, both decoders and the delegation rules.
func BenchmarkChainVerify(b *testing.B) {
	order := sampleOrder()
	f := fileOf(signDet(rootKey, order), signDet(siteKey, sampleLease(order)))
	raw := f.Marshal()
	v := &Verifier{Roots: testRoots, Now: ts(12).Time()}
	b.Run("parsed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.VerifyBytes(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("armoured", func(b *testing.B) {
		arm := f.Armour()
		b.SetBytes(int64(len(arm)))
		for b.Loop() {
			if _, err := v.VerifyBytes(arm); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRoundTrip decodes and re-encodes each object type.
func BenchmarkRoundTrip(b *testing.B) {
	order := sampleOrder()
	for _, c := range []struct {
		name string
		o    Object
	}{
		{"order", order},
		{"device", sampleDevice()},
		{"lease", sampleLease(order)},
		{"usage-report", sampleReport(order)},
		{"release-receipt", sampleReceipt(order)},
		{"request", sampleRequest()},
	} {
		enc, err := Marshal(c.o)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				o, err := DecodeObject(enc)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Marshal(o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
