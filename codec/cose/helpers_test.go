package cose_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/cloudflare/circl/sign/mldsa/mldsa65"
	"github.com/fxamacker/cbor/v2"

	"licet.dev/licet/codec/cose"
)

// The helpers here take messages apart and put them back together with
// fxamacker/cbor in core deterministic mode, independently of the
// package's own encoder, to build altered messages.

var (
	tDec = func() cbor.DecMode {
		dm, err := cbor.DecOptions{IntDec: cbor.IntDecConvertSigned}.DecMode()
		if err != nil {
			panic(err)
		}
		return dm
	}()
	tEnc = func() cbor.EncMode {
		em, err := cbor.CoreDetEncOptions().EncMode()
		if err != nil {
			panic(err)
		}
		return em
	}()
)

// components returns the raw component keys of k.
func components(t testing.TB, k *cose.PrivateKey) (*mldsa65.PrivateKey, ed25519.PrivateKey) {
	t.Helper()
	var set []map[int64]any
	if err := tDec.Unmarshal(k.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	var mlSeed [32]byte
	copy(mlSeed[:], set[0][-2].([]byte))
	_, ml := mldsa65.NewKeyFromSeed(&mlSeed)
	return ml, ed25519.NewKeyFromSeed(set[1][-4].([]byte))
}

// pubComponents returns the raw component public keys of k.
func pubComponents(t testing.TB, k *cose.PublicKey) (*mldsa65.PublicKey, ed25519.PublicKey) {
	t.Helper()
	var set []map[int64]any
	if err := tDec.Unmarshal(k.Bytes(), &set); err != nil {
		t.Fatal(err)
	}
	var ml mldsa65.PublicKey
	if err := ml.UnmarshalBinary(set[0][-1].([]byte)); err != nil {
		t.Fatal(err)
	}
	return &ml, ed25519.PublicKey(set[1][-2].([]byte))
}

type signer struct {
	prot   map[int64]any
	unprot map[any]any
	sig    []byte
}

// parts is a COSE_Sign message taken apart.
type parts struct {
	tag     uint64
	body    map[int64]any
	bodyRaw []byte // if set, the body protected header as is
	unprot  map[any]any
	payload []byte
	signers []signer
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := tEnc.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func takeApart(t testing.TB, msg []byte) *parts {
	t.Helper()
	var tag cbor.RawTag
	if err := tDec.Unmarshal(msg, &tag); err != nil {
		t.Fatal(err)
	}
	var arr []cbor.RawMessage
	if err := tDec.Unmarshal(tag.Content, &arr); err != nil {
		t.Fatal(err)
	}
	p := &parts{tag: tag.Number}
	var bodyProt []byte
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(tDec.Unmarshal(arr[0], &bodyProt))
	must(tDec.Unmarshal(bodyProt, &p.body))
	must(tDec.Unmarshal(arr[1], &p.unprot))
	must(tDec.Unmarshal(arr[2], &p.payload))
	var sigs [][]cbor.RawMessage
	must(tDec.Unmarshal(arr[3], &sigs))
	for _, s := range sigs {
		var sg signer
		var prot []byte
		must(tDec.Unmarshal(s[0], &prot))
		must(tDec.Unmarshal(prot, &sg.prot))
		must(tDec.Unmarshal(s[1], &sg.unprot))
		must(tDec.Unmarshal(s[2], &sg.sig))
		p.signers = append(p.signers, sg)
	}
	return p
}

func (p *parts) bodyBytes(t testing.TB) []byte {
	if p.bodyRaw != nil {
		return p.bodyRaw
	}
	return mustMarshal(t, p.body)
}

func (p *parts) sigStructure(t testing.TB, i int) []byte {
	return mustMarshal(t, []any{"Signature", p.bodyBytes(t), mustMarshal(t, p.signers[i].prot), []byte{}, p.payload})
}

func (p *parts) encode(t testing.TB) []byte {
	sigs := []any{}
	for _, s := range p.signers {
		unprot := s.unprot
		if unprot == nil {
			unprot = map[any]any{}
		}
		sigs = append(sigs, []any{mustMarshal(t, s.prot), unprot, s.sig})
	}
	unprot := p.unprot
	if unprot == nil {
		unprot = map[any]any{}
	}
	return mustMarshal(t, cbor.Tag{Number: p.tag, Content: []any{p.bodyBytes(t), unprot, p.payload, sigs}})
}

// resign recomputes the signatures of the signers whose key is given.
func (p *parts) resign(t testing.TB, ml *mldsa65.PrivateKey, ed ed25519.PrivateKey) {
	t.Helper()
	for i := range p.signers {
		switch p.signers[i].prot[1] {
		case int64(-49):
			if ml != nil {
				sig := make([]byte, mldsa65.SignatureSize)
				if err := mldsa65.SignTo(ml, p.sigStructure(t, i), nil, false, sig); err != nil {
					t.Fatal(err)
				}
				p.signers[i].sig = sig
			}
		case int64(-19):
			if ed != nil {
				p.signers[i].sig = ed25519.Sign(ed, p.sigStructure(t, i))
			}
		}
	}
}
