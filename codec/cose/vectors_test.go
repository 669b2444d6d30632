package cose_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/cose/cosetest"
	"licet.dev/licet/codec/internal/vectors"
)

const vectorPath = "testdata/vectors/cose_sign_hybrid.json"

// The vector file has the shape of Wycheproof's: groups of tests sharing a
// key, each test with tcId, comment, result (valid or invalid) and flags,
// plus the sentinel error a Licet verifier returns.

type vectorFile = vectors.File[vectorGroup]

type vectorGroup struct {
	Type          string       `json:"type"`
	KeySeed       string       `json:"keySeed"`
	PrivateKey    string       `json:"privateKey"`
	PublicKey     string       `json:"publicKey"`
	PublicKeyText string       `json:"publicKeyText"`
	KeyID         string       `json:"keyId"`
	Tests         []vectorTest `json:"tests"`
}

type vectorTest struct {
	TcID    int      `json:"tcId"`
	Comment string   `json:"comment"`
	Msg     string   `json:"msg"`
	Result  string   `json:"result"`
	Error   string   `json:"error,omitempty"`
	Flags   []string `json:"flags"`
}

var sentinels = map[string]error{
	"ErrMalformed":    cose.ErrMalformed,
	"ErrAlgorithm":    cose.ErrAlgorithm,
	"ErrUnknownKey":   cose.ErrUnknownKey,
	"ErrBadSignature": cose.ErrBadSignature,
}

func sentinelName(err error) string {
	for name, s := range sentinels {
		if err == s {
			return name
		}
	}
	return ""
}

// generateVectors builds the vector file from deterministic keys
// (cosetest.KeyFromSeed) and deterministic signatures
// (cosetest.SignDeterministic, deterministic ML-DSA-65, Ed25519), so that
// it is the same on every run.
func generateVectors(t testing.TB) []byte {
	f := newFixture(t, false)
	pub := f.a.Public()
	pubText, _ := pub.MarshalText()
	g := vectorGroup{
		Type:          "CoseSignHybridVerify",
		KeySeed:       "licet vector key A",
		PrivateKey:    hex.EncodeToString(f.a.Bytes()),
		PublicKey:     hex.EncodeToString(pub.Bytes()),
		PublicKeyText: string(pubText),
		KeyID:         pub.ID().String(),
	}
	for i, c := range cases() {
		v := vectorTest{TcID: i + 1, Comment: c.comment, Msg: hex.EncodeToString(c.build(t, f)), Result: "valid", Flags: c.flags}
		if c.want != nil {
			v.Result = "invalid"
			v.Error = sentinelName(c.want)
		}
		if v.Flags == nil {
			v.Flags = []string{}
		}
		g.Tests = append(g.Tests, v)
	}
	file := vectorFile{
		Algorithm: "COSE_Sign (RFC 9052) with ML-DSA-65 (alg -49) and Ed25519 (alg -19), both required",
		Generator: "go test ./codec/cose -run TestVectorsUpToDate -update (codec/cose/vectors_test.go, cases_test.go)",
		Header: []string{
			"Each test is a complete message (hex). Verify it with the group's public key as the only trusted key.",
			"valid: both signatures verify. invalid: verification fails with the named sentinel error of package cose.",
			"Keys and signatures are deterministic: keys from cosetest.KeyFromSeed(keySeed), ML-DSA-65 in deterministic mode.",
			"privateKey is a test key; never use it for anything else.",
		},
		Notes: map[string]string{
			"Stripped":     "one or more signatures removed",
			"Swapped":      "signers out of the order the algorithm set names",
			"AlgorithmSet": "the required algorithm set or a signer's alg changed",
			"OtherKey":     "a signature or signer from another key",
			"Modified":     "payload, header or signature bytes changed",
			"Header":       "header parameters the profile does not allow",
			"Encoding":     "CBOR structure or encoding not allowed",
			"NonCanonical": "not RFC 8949 core deterministic encoding",
		},
		NumberOfTests: len(g.Tests),
		TestGroups:    []vectorGroup{g},
	}
	return vectors.Marshal(file)
}

// TestVectorsUpToDate regenerates the vectors and compares them with the
// checked-in file; with -update it rewrites the file.
func TestVectorsUpToDate(t *testing.T) {
	vectors.Check(t, vectorPath, generateVectors(t))
}

// TestVectors checks the checked-in vectors, as other implementations
// (WASM, the site) do.
func TestVectors(t *testing.T) {
	v := vectors.Load[vectorFile](t, vectorPath)
	n := 0
	for _, g := range v.TestGroups {
		priv := cosetest.KeyFromSeed(g.KeySeed)
		if hex.EncodeToString(priv.Bytes()) != g.PrivateKey {
			t.Fatalf("private key from seed %q differs from the vector", g.KeySeed)
		}
		pub, err := cose.ParsePublicKey(vectors.Hex(t, g.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		if !pub.Equal(priv.Public()) || pub.ID().String() != g.KeyID || pub.String() != g.PublicKeyText {
			t.Fatalf("group key: encoding, id or text form differ from the vector")
		}
		for _, tc := range g.Tests {
			n++
			t.Run(tc.Comment, func(t *testing.T) {
				msg := vectors.Hex(t, tc.Msg)
				m, k, err := cose.Verify(msg, []*cose.PublicKey{pub})
				switch tc.Result {
				case "valid":
					if err != nil {
						t.Fatalf("tcId %d: %v", tc.TcID, err)
					}
					if !k.Equal(pub) {
						t.Fatalf("tcId %d: verified by another key", tc.TcID)
					}
					re, err := m.MarshalBinary()
					if err != nil || !bytes.Equal(re, msg) {
						t.Fatalf("tcId %d: re-encoding differs (%v)", tc.TcID, err)
					}
				case "invalid":
					want := sentinels[tc.Error]
					if want == nil {
						t.Fatalf("tcId %d: unknown error name %q", tc.TcID, tc.Error)
					}
					if !errors.Is(err, want) || m != nil || k != nil {
						t.Fatalf("tcId %d: got (%v, %v, %v), want %s", tc.TcID, m, k, err, tc.Error)
					}
				default:
					t.Fatalf("tcId %d: result %q", tc.TcID, tc.Result)
				}
			})
		}
	}
	if n != v.NumberOfTests || n == 0 {
		t.Fatalf("numberOfTests %d, ran %d", v.NumberOfTests, n)
	}
}
