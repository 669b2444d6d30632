package fingerprint

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

type recordVector struct {
	TcID       int    `json:"tcId"`
	Comment    string `json:"comment"`
	Record     string `json:"record"`
	Result     string `json:"result"`
	Digest     string `json:"digest"`
	Components []struct {
		Kind string `json:"kind"`
		Hash string `json:"hash"`
	} `json:"components"`
}

func loadRecordVectors(t testing.TB) []recordVector {
	t.Helper()
	b, err := os.ReadFile("testdata/vectors/record.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Tests []recordVector `json:"tests"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Tests) == 0 {
		t.Fatal("no vectors")
	}
	return f.Tests
}

func TestRecordVectors(t *testing.T) {
	for _, v := range loadRecordVectors(t) {
		t.Run(v.Comment, func(t *testing.T) {
			in, err := hex.DecodeString(v.Record)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRecord(in)
			if v.Result == "invalid" {
				if err == nil {
					t.Fatalf("tcId %d: accepted", v.TcID)
				}
				if r != nil {
					t.Fatalf("tcId %d: non-nil record with error", v.TcID)
				}
				if !strings.HasPrefix(err.Error(), "fingerprint: ") {
					t.Errorf("error %q lacks the package prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("tcId %d: %v", v.TcID, err)
			}
			if len(r.Components) != len(v.Components) {
				t.Fatalf("got %d components, want %d", len(r.Components), len(v.Components))
			}
			var want []Component
			for i, c := range v.Components {
				var k Kind
				if err := k.UnmarshalText([]byte(c.Kind)); err != nil {
					t.Fatal(err)
				}
				var h Hash
				hb, _ := hex.DecodeString(c.Hash)
				copy(h[:], hb)
				if r.Components[i] != (Component{k, h}) {
					t.Errorf("component %d = %v, want %v:%s", i, r.Components[i], k, c.Hash)
				}
				want = append(want, Component{k, h})
			}
			d := r.Digest()
			if hex.EncodeToString(d[:]) != v.Digest {
				t.Errorf("digest %x, want %s", d, v.Digest)
			}
			out, err := r.MarshalBinary()
			if err != nil || !bytes.Equal(out, in) {
				t.Errorf("re-encoding = %x, %v; want %x", out, err, in)
			}
			// NewRecord from the components in reverse order gives the same bytes.
			rev := make([]Component, len(want))
			for i := range want {
				rev[len(want)-1-i] = want[i]
			}
			n, err := NewRecord(rev)
			if err != nil {
				t.Fatal(err)
			}
			if out2, _ := n.MarshalBinary(); !bytes.Equal(out2, in) {
				t.Errorf("NewRecord encoding = %x, want %x", out2, in)
			}
		})
	}
}

func TestNewRecordErrors(t *testing.T) {
	h := Hash{1}
	for _, tc := range []struct {
		name string
		cs   []Component
	}{
		{"empty", nil},
		{"unknown kind", []Component{{Kind: 0, Hash: h}}},
		{"instance mixed", []Component{{KindInstance, h}, {KindNIC, h}}},
		{"too many", func() []Component {
			var cs []Component
			for i := range MaxComponents + 1 {
				cs = append(cs, Component{KindNIC, Hash{byte(i), byte(i >> 8)}})
			}
			return cs
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r, err := NewRecord(tc.cs); err == nil {
				t.Fatalf("NewRecord = %v, want error", r)
			}
		})
	}
	r, err := NewRecord([]Component{{KindNIC, h}, {KindNIC, h}, {KindMachineID, h}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Components) != 2 || r.Components[0].Kind != KindMachineID {
		t.Errorf("NewRecord did not sort and deduplicate: %v", r.Components)
	}
	if (&Record{}).Digest() != [32]byte{} {
		t.Error("digest of an invalid record is not zero")
	}
	var u Record
	if err := u.UnmarshalBinary([]byte{0xa0}); err == nil || len(u.Components) != 0 {
		t.Errorf("UnmarshalBinary of an empty map = %v, %v", u, err)
	}
}

func TestAnchorDigest(t *testing.T) {
	base := []Component{{KindMachineID, Hash{1}}, {KindProductUUID, Hash{2}}, {KindNIC, Hash{3}}, {KindDisk, Hash{4}}, {KindCPU, Hash{5}}}
	a, _ := NewRecord(base)
	swapped := append([]Component(nil), base...)
	swapped[2].Hash = Hash{9} // new NIC
	swapped[4].Hash = Hash{8} // new CPU
	b, _ := NewRecord(swapped)
	if a.AnchorDigest() != b.AnchorDigest() {
		t.Error("anchor digest changed with a NIC and CPU")
	}
	other := append([]Component(nil), base...)
	other[1].Hash = Hash{7}
	c, _ := NewRecord(other)
	if a.AnchorDigest() == c.AnchorDigest() {
		t.Error("anchor digest did not change with the DMI UUID")
	}
	withTPM, _ := NewRecord(append([]Component{{KindTPM, Hash{6}}}, base...))
	if a.AnchorDigest() != withTPM.AnchorDigest() {
		t.Error("anchor digest changed when a TPM appeared")
	}
	onlyNIC, _ := NewRecord([]Component{{KindNIC, Hash{3}}})
	if onlyNIC.AnchorDigest() != [32]byte{} {
		t.Error("anchor digest of a record without anchors is not zero")
	}
}

func TestHashValueVectors(t *testing.T) {
	for _, v := range []struct {
		product string
		kind    Kind
		value   string
		want    string
	}{
		{"com.example.cad", KindMachineID, "0123456789abcdef0123456789abcdef", "19e3661a4343750f4197552dbf491bc4"},
		{"com.example.cad", KindNIC, "00:1b:21:3a:4f:5e", "f802cf38b5c0bf9f622e2ac3e56c1e1f"},
		{"com.example.viewer", KindNIC, "00:1b:21:3a:4f:5e", "9931083ca0b7ad2c01d1294347e8c17a"},
	} {
		if got := HashValue(v.product, v.kind, v.value).String(); got != v.want {
			t.Errorf("HashValue(%q, %v, %q) = %s, want %s", v.product, v.kind, v.value, got, v.want)
		}
	}
	if HashValue("p", KindProductSerial, "x") == HashValue("p", KindBoardSerial, "x") {
		t.Error("the same value under two kinds hashes the same")
	}
}

func TestKindText(t *testing.T) {
	for k := KindMachineID; k <= KindInstance; k++ {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Kind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v: round trip = %v, %v", k, back, err)
		}
		if k.Class() == 0 {
			t.Errorf("%v has no class", k)
		}
	}
	if _, err := Kind(0).MarshalText(); err == nil {
		t.Error("kind 0 marshalled")
	}
	var k Kind
	if err := k.UnmarshalText([]byte("serial")); err == nil {
		t.Error("unknown kind name accepted")
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, v := range loadRecordVectors(f) {
		b, _ := hex.DecodeString(v.Record)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecord(b)
		if err != nil {
			if r != nil {
				t.Fatal("non-nil record with error")
			}
			return
		}
		out, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("re-encoding a parsed record: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoding %x differs from input %x", out, b)
		}
	})
}

func BenchmarkParseRecord(b *testing.B) {
	var cs []Component
	for i := range 10 {
		cs = append(cs, Component{Kind(i%8 + 1), Hash{byte(i)}})
	}
	r, _ := NewRecord(cs)
	enc, _ := r.MarshalBinary()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseRecord(enc); err != nil {
			b.Fatal(err)
		}
	}
}
