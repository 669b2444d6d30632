package codec

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"licet.dev/licet/codec/cose"
)

// TestBitFlipsNeverVerify flips bits of a root → order → lease file and
// checks that no variant verifies: every fifth bit, every 37th with -short
// or the race detector. (licet inspect's test flips every bit of a
// one-link file.)
func TestBitFlipsNeverVerify(t *testing.T) {
	order := sampleOrder()
	good := fileOf(signDet(rootKey, order), signDet(siteKey, sampleLease(order))).Marshal()
	v := &Verifier{Roots: testRoots, Now: ts(12).Time()}
	if _, err := v.VerifyBytes(good); err != nil {
		t.Fatal(err)
	}
	step := 5
	if testing.Short() || raceEnabled {
		step = 37
	}
	b := make([]byte, len(good))
	for bit := 0; bit < 8*len(good); bit += step {
		copy(b, good)
		b[bit/8] ^= 1 << (bit % 8)
		if res, err := v.VerifyBytes(b); err == nil || res != nil {
			t.Fatalf("bit %d flipped: verifies", bit)
		}
	}
}

func TestVerifierNeedsTime(t *testing.T) {
	f := fileOf(signDet(rootKey, sampleDevice()))
	if _, err := (&Verifier{Roots: testRoots}).Verify(f); err == nil {
		t.Fatal("verified without a time")
	}
	if _, err := (&Verifier{Now: t0}).Verify(f); !errors.Is(err, ErrUntrustedKey) {
		t.Fatalf("no roots: %v", err)
	}
	if _, err := (&Verifier{Roots: testRoots, Now: t0}).Verify(&File{}); !errors.Is(err, ErrChain) {
		t.Fatalf("empty file: %v", err)
	}
}

func TestVerifyResult(t *testing.T) {
	order := sampleOrder()
	lease := sampleLease(order)
	f := fileOf(signDet(rootKey, order), signDet(siteKey, lease))
	res, err := (&Verifier{Roots: []*cose.PublicKey{root2Key.Public(), rootKey.Public()}, Now: ts(12).Time()}).Verify(f)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Root.Equal(rootKey.Public()) || !res.Signer.Equal(siteKey.Public()) || res.Order.ID != order.ID {
		t.Errorf("result %+v", res)
	}
	if l, ok := res.Leaf.(*Lease); !ok || l.ID != lease.ID {
		t.Errorf("leaf %+v", res.Leaf)
	}
	var ve *VerifyError
	_, err = (&Verifier{Roots: testRoots, Now: ts(20).Time()}).Verify(f)
	if !errors.As(err, &ve) || ve.Link != 1 || ve.Type != TypeLease || ve.ID != lease.ID || !errors.Is(err, ErrExpired) {
		t.Errorf("expired lease: %#v", err)
	}
	// The boundary: valid up to the second before not_after.
	if _, err := (&Verifier{Roots: testRoots, Now: ts(17).Time().Add(-time.Second)}).Verify(f); err != nil {
		t.Errorf("a second before the end: %v", err)
	}
}

func TestArmourRoundTrip(t *testing.T) {
	for _, n := range []int{1, 2, 47, 48, 49, 96, 1000} {
		data := bytes.Repeat([]byte{0xa5}, n)
		arm := Armour(LabelLicense, data)
		label, got, err := Dearmour(arm)
		if err != nil || label != LabelLicense || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: %v", n, err)
		}
		crlf := append([]byte("\r\n  "), bytes.ReplaceAll(arm, []byte("\n"), []byte("\r\n"))...)
		if _, got, err := Dearmour(crlf); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%d bytes with CR LF: %v", n, err)
		}
	}
	bad := []string{
		"",
		"-----BEGIN LICET LICENSE-----\n-----END LICET LICENSE-----\n",
		"-----BEGIN LICET LICENSE-----\nAA==\n-----END LICET LICENSE-----\nx",
		"-----BEGIN LICET LICENSE-----\nAA==\n-----END LICET LICENCE-----\n",
		"-----BEGIN licet license-----\nAA==\n-----END licet license-----\n",
		"-----BEGIN PGP MESSAGE-----\nAA==\n-----END PGP MESSAGE-----\n",
		"-----BEGIN LICET LICENSE-----\nAB==\n-----END LICET LICENSE-----\n",
		"-----BEGIN LICET LICENSE-----\nAA\n-----END LICET LICENSE-----\n",
		"-----BEGIN LICET LICENSE-----\n\nAA==\n-----END LICET LICENSE-----\n",
		"-----BEGIN LICET LICENSE-----\nA A=\n-----END LICET LICENSE-----\n",
		"-----BEGIN LICET LICENSE-----\rAA==\r-----END LICET LICENSE-----\r",
		"Header: x\n-----BEGIN LICET LICENSE-----\nAA==\n-----END LICET LICENSE-----\n",
	}
	for _, in := range bad {
		if label, data, err := Dearmour([]byte(in)); err == nil || label != "" || data != nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: accepted", in)
		}
	}
}

// TestVerifyConcurrent verifies one parsed file from several goroutines;
// the race detector checks that verifying only reads it.
func TestVerifyConcurrent(t *testing.T) {
	order := sampleOrder()
	f, err := ParseFile(fileOf(signDet(rootKey, order), signDet(siteKey, sampleLease(order))).Marshal())
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{Roots: testRoots, Now: ts(12).Time()}
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			_, err := v.Verify(f)
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
