package codec

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/internal/vectors"
)

func readVectors(t testing.TB, name string) *vectorFile {
	t.Helper()
	f := vectors.Load[vectorFile](t, filepath.Join(vectorDir, name))
	n := 0
	for _, g := range f.TestGroups {
		n += len(g.Tests)
	}
	if n != f.NumberOfTests || n == 0 {
		t.Fatalf("%s: %d tests, header says %d", name, n, f.NumberOfTests)
	}
	return &f
}

// decoderFor returns the decoder of an object type by name, as a function
// that also re-encodes what it decoded.
func decoderFor(name string) func([]byte) (Object, error) {
	wrap := func(o Object, err error) (Object, error) {
		if err != nil {
			return nil, err
		}
		return o, nil
	}
	switch name {
	case "order":
		return func(b []byte) (Object, error) { o, err := DecodeOrderLicense(b); return wrap(o, err) }
	case "device":
		return func(b []byte) (Object, error) { o, err := DecodeDeviceLicense(b); return wrap(o, err) }
	case "lease":
		return func(b []byte) (Object, error) { o, err := DecodeLease(b); return wrap(o, err) }
	case "usage-report":
		return func(b []byte) (Object, error) { o, err := DecodeUsageReport(b); return wrap(o, err) }
	case "release-receipt":
		return func(b []byte) (Object, error) { o, err := DecodeReleaseReceipt(b); return wrap(o, err) }
	case "request":
		return func(b []byte) (Object, error) { o, err := DecodeRequestBundle(b); return wrap(o, err) }
	}
	return nil
}

func TestObjectVectors(t *testing.T) {
	f := readVectors(t, "objects.json")
	for _, g := range f.TestGroups {
		for _, tc := range g.Tests {
			t.Run(fmt.Sprintf("%d", tc.TcID), func(t *testing.T) {
				in, err := hex.DecodeString(tc.CBOR)
				if err != nil {
					t.Fatal(err)
				}
				dec := decoderFor(tc.Object)
				if dec == nil {
					t.Fatalf("unknown object type %q", tc.Object)
				}
				o, err := dec(in)
				switch tc.Result {
				case "valid":
					if err != nil {
						t.Fatalf("%s: %v", tc.Comment, err)
					}
					re, err := Marshal(o)
					if err != nil || !bytes.Equal(re, in) {
						t.Fatalf("%s: re-encoded %x, %v", tc.Comment, re, err)
					}
					any, err := DecodeObject(in)
					if err != nil || TypeOf(any).String() != tc.Object {
						t.Fatalf("%s: DecodeObject gave %v, %v", tc.Comment, any, err)
					}
				case "invalid":
					want := reasons[tc.Error]
					if err == nil || o != nil {
						t.Fatalf("%s: decoded %+v, want %s", tc.Comment, o, tc.Error)
					}
					if !errors.Is(err, want) || !errors.Is(err, ErrMalformed) || reasonName(err) != tc.Error {
						t.Fatalf("%s: %v (%s), want %s", tc.Comment, err, reasonName(err), tc.Error)
					}
				default:
					t.Fatalf("result %q", tc.Result)
				}
			})
		}
	}
}

func groupRoots(t testing.TB, g *vectorGroup) []*cose.PublicKey {
	var roots []*cose.PublicKey
	for _, r := range g.Roots {
		k := new(cose.PublicKey)
		if err := k.UnmarshalText([]byte(r)); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, k)
	}
	return roots
}

func vectorInput(t testing.TB, tc *vectorTest) []byte {
	if tc.Armour != "" {
		return []byte(tc.Armour)
	}
	b, err := hex.DecodeString(tc.CBOR)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestChainVectors(t *testing.T) {
	f := readVectors(t, "chains.json")
	for gi := range f.TestGroups {
		g := &f.TestGroups[gi]
		roots := groupRoots(t, g)
		for _, tc := range g.Tests {
			t.Run(fmt.Sprintf("%d", tc.TcID), func(t *testing.T) {
				in := vectorInput(t, &tc)
				now, err := time.Parse(time.RFC3339, tc.At)
				if err != nil {
					t.Fatal(err)
				}
				v := &Verifier{Roots: roots, Now: now}
				res, err := v.VerifyBytes(in)
				switch tc.Result {
				case "valid":
					if err != nil {
						t.Fatalf("%s: %v", tc.Comment, err)
					}
					if TypeOf(res.Leaf).String() != tc.Leaf {
						t.Fatalf("%s: leaf %s, want %s", tc.Comment, TypeOf(res.Leaf), tc.Leaf)
					}
					file, err := ParseFile(in)
					if err != nil || !bytes.Equal(file.Encode(), in) {
						t.Fatalf("%s: file does not re-encode to itself: %v", tc.Comment, err)
					}
				case "invalid":
					if err == nil || res != nil {
						t.Fatalf("%s: verified, want %s", tc.Comment, tc.Error)
					}
					if reasonName(err) != tc.Error {
						t.Fatalf("%s: %v (%s), want %s", tc.Comment, err, reasonName(err), tc.Error)
					}
				}
			})
		}
	}
}
