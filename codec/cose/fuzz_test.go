package cose_test

import (
	"bytes"
	"testing"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/internal/vectors"
)

// FuzzDecode checks the decoder on arbitrary input: no panic; on error a
// nil message; a decoded message re-encodes to the input, and fxamacker's
// core deterministic encoding agrees that the input is canonical.
func FuzzDecode(f *testing.F) {
	for _, g := range vectors.Load[vectorFile](f, vectorPath).TestGroups {
		for _, tc := range g.Tests {
			f.Add(vectors.Hex(f, tc.Msg))
		}
	}
	pub := cosetest.KeyFromSeed("licet vector key A").Public()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := cose.Decode(b)
		if err != nil {
			if m != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		re, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(re, b) {
			t.Fatalf("re-encoding differs: %v", err)
		}
		var v any
		if err := tDec.Unmarshal(b, &v); err != nil {
			t.Fatalf("fxamacker rejects an accepted message: %v", err)
		}
		if !bytes.Equal(mustMarshal(t, v), b) {
			t.Fatal("accepted message is not in core deterministic encoding")
		}
		_ = m.Verify(pub)
	})
}

// FuzzParsePublicKey checks both public key forms.
func FuzzParsePublicKey(f *testing.F) {
	k := cosetest.KeyFromSeed("fuzz")
	f.Add(k.Public().Bytes())
	f.Add([]byte(k.Public().String()))
	f.Add(k.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := cose.ParsePublicKey(b); err != nil {
			if p != nil {
				t.Fatal("key returned with an error")
			}
		} else if !bytes.Equal(p.Bytes(), b) {
			t.Fatal("re-encoding differs")
		}
		var p cose.PublicKey
		if err := p.UnmarshalText(b); err != nil {
			if p.Bytes() != nil {
				t.Fatal("key set with an error")
			}
		} else if text, _ := p.MarshalText(); !bytes.Equal(text, b) {
			t.Fatal("text re-encoding differs")
		}
	})
}

// FuzzParsePublicKeys checks key lists: no panic; on error no keys; the
// keys found are the lines that hold one, in order.
func FuzzParsePublicKeys(f *testing.F) {
	a, b := cosetest.KeyFromSeed("fuzz").Public(), cosetest.KeyFromSeed("fuzz B").Public()
	f.Add([]byte("# roots\n" + a.String() + " # a\r\n\n" + b.String() + "\n"))
	f.Add([]byte(a.String() + "\n" + a.String()[:40] + "\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		keys, err := cose.ParsePublicKeys("f", text)
		if err != nil {
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		var want []string
		for line := range bytes.Lines(text) {
			line, _, _ = bytes.Cut(line, []byte("#"))
			if line = bytes.TrimSpace(line); len(line) > 0 {
				want = append(want, string(line))
			}
		}
		if len(keys) != len(want) {
			t.Fatalf("%d keys from %d key lines", len(keys), len(want))
		}
		for i, k := range keys {
			if k.String() != want[i] {
				t.Fatalf("key %d re-encodes to %q, line holds %q", i, k.String(), want[i])
			}
		}
	})
}

// FuzzParsePrivateKey checks the private key encoding.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(cosetest.KeyFromSeed("fuzz").Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := cose.ParsePrivateKey(b)
		if err != nil {
			if k != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if !bytes.Equal(k.Bytes(), b) {
			t.Fatal("re-encoding differs")
		}
	})
}
