package cose_test

import (
	"crypto/ed25519"
	"slices"
	"testing"
	"time"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
)

// benchPayload is the size of a typical device license.
var benchPayload = make([]byte, 512)

func benchKey() *cose.PrivateKey { return cosetest.KeyFromSeed("bench") }

// BenchmarkSign is cose.Sign: both signatures plus the COSE envelope.
func BenchmarkSign(b *testing.B) {
	key := benchKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cose.Sign(nil, key, ct, benchPayload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify is cose.Verify: decoding, key lookup and both checks.
func BenchmarkVerify(b *testing.B) {
	key := benchKey()
	msg, err := cose.Sign(nil, key, ct, benchPayload)
	if err != nil {
		b.Fatal(err)
	}
	trusted := []*cose.PublicKey{key.Public()}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := cose.Verify(msg, trusted); err != nil {
			b.Fatal(err)
		}
	}
}

// rawSign is the two primitives alone over the payload, with no envelope:
// circl ML-DSA-65 SignTo (hedged) and ed25519.Sign, with the same keys.
func rawSign(b *testing.B, ml *mldsa65.PrivateKey, ed ed25519.PrivateKey, sig []byte) {
	if err := mldsa65.SignTo(ml, benchPayload, nil, true, sig); err != nil {
		b.Fatal(err)
	}
	_ = ed25519.Sign(ed, benchPayload)
}

// BenchmarkRawSign is rawSign: the baseline for BenchmarkSign.
func BenchmarkRawSign(b *testing.B) {
	ml, ed := components(b, benchKey())
	sig := make([]byte, mldsa65.SignatureSize)
	b.ReportAllocs()
	for b.Loop() {
		rawSign(b, ml, ed, sig)
	}
}

// BenchmarkRawVerify is the two verifications alone over the payload: the
// baseline for BenchmarkVerify.
func BenchmarkRawVerify(b *testing.B) {
	key := benchKey()
	ml, ed := components(b, key)
	mlPub, edPub := pubComponents(b, key.Public())
	sig := make([]byte, mldsa65.SignatureSize)
	rawSign(b, ml, ed, sig)
	edSig := ed25519.Sign(ed, benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if !mldsa65.Verify(mlPub, benchPayload, nil, sig) || !ed25519.Verify(edPub, benchPayload, edSig) {
			b.Fatal("raw signature does not verify")
		}
	}
}

// The Overhead benchmarks alternate the envelope and the raw primitives
// in one loop, so that both see the same load on a shared machine, and
// report the median time of each and the envelope's cost in percent of the
// raw median; medians ignore the iterations another process interrupted.

func BenchmarkSignOverhead(b *testing.B) {
	key := benchKey()
	ml, ed := components(b, key)
	sig := make([]byte, mldsa65.SignatureSize)
	var ours, raw []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := cose.Sign(nil, key, ct, benchPayload); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rawSign(b, ml, ed, sig)
		t2 := time.Now()
		ours = append(ours, t1.Sub(t0))
		raw = append(raw, t2.Sub(t1))
	}
	reportOverhead(b, ours, raw)
}

func BenchmarkVerifyOverhead(b *testing.B) {
	key := benchKey()
	ml, ed := components(b, key)
	mlPub, edPub := pubComponents(b, key.Public())
	msg, err := cose.Sign(nil, key, ct, benchPayload)
	if err != nil {
		b.Fatal(err)
	}
	sig := make([]byte, mldsa65.SignatureSize)
	rawSign(b, ml, ed, sig)
	edSig := ed25519.Sign(ed, benchPayload)
	trusted := []*cose.PublicKey{key.Public()}
	var ours, raw []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, _, err := cose.Verify(msg, trusted); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if !mldsa65.Verify(mlPub, benchPayload, nil, sig) || !ed25519.Verify(edPub, benchPayload, edSig) {
			b.Fatal("raw signature does not verify")
		}
		t2 := time.Now()
		ours = append(ours, t1.Sub(t0))
		raw = append(raw, t2.Sub(t1))
	}
	reportOverhead(b, ours, raw)
}

func reportOverhead(b *testing.B, ours, raw []time.Duration) {
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2])
	}
	o, r := median(ours), median(raw)
	b.ReportMetric(o, "ours-median-ns")
	b.ReportMetric(r, "raw-median-ns")
	b.ReportMetric(100*(o/r-1), "overhead-%")
}

// BenchmarkDecode is the strict structural decode alone.
func BenchmarkDecode(b *testing.B) {
	msg := cosetest.SignDeterministic(benchKey(), ct, benchPayload)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cose.Decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}
