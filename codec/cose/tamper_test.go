package cose_test

import (
	"errors"
	"testing"

	"licet.dev/licet/codec/cose"
)

// TestTamper runs every case against a fresh message from cose.Sign
// (randomized ML-DSA-65), as the vectors do against deterministic ones.
func TestTamper(t *testing.T) {
	f := newFixture(t, true)
	trusted := []*cose.PublicKey{f.a.Public(), f.b.Public()}
	for _, c := range cases() {
		t.Run(c.comment, func(t *testing.T) {
			msg := c.build(t, f)
			var err error
			if c.want == cose.ErrUnknownKey {
				_, _, err = cose.Verify(msg, trusted[:1])
			} else {
				_, _, err = cose.Verify(msg, trusted)
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("valid message rejected: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			t.Logf("rejected: %v", err)
		})
	}
}
