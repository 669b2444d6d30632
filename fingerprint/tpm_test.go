package fingerprint

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// fakeTPM answers TPM2_ReadPublic from a table of persistent handles.
type fakeTPM struct {
	keys    map[uint32][]byte
	rc      uint32 // if set, every command fails with it
	pending []byte
	cmds    [][]byte
}

func (f *fakeTPM) Write(b []byte) (int, error) {
	f.cmds = append(f.cmds, append([]byte(nil), b...))
	h := binary.BigEndian.Uint32(b[10:])
	var body []byte
	rc := f.rc
	if pub, ok := f.keys[h]; ok && rc == 0 {
		body = binary.BigEndian.AppendUint16(nil, uint16(len(pub)))
		body = append(body, pub...)
		body = append(body, 0, 2, 0xaa, 0xbb, 0, 0) // name, qualifiedName
	} else if rc == 0 {
		rc = 0x18b // TPM_RC_HANDLE, handle 1
	}
	r := binary.BigEndian.AppendUint16(nil, 0x8001)
	r = binary.BigEndian.AppendUint32(r, uint32(10+len(body)))
	r = binary.BigEndian.AppendUint32(r, rc)
	f.pending = append(r, body...)
	return len(b), nil
}

func (f *fakeTPM) Read(b []byte) (int, error) {
	n := copy(b, f.pending)
	f.pending = nil
	return n, nil
}

func TestTPMReadEK(t *testing.T) {
	rsa := []byte{0x00, 0x01, 0x00, 0x0b, 0xde, 0xad}
	ecc := []byte{0x00, 0x23, 0x00, 0x0b, 0xbe, 0xef}

	f := &fakeTPM{keys: map[uint32][]byte{0x81010001: rsa, 0x81010002: ecc}}
	if pub, err := tpmReadEK(f); err != nil || !bytes.Equal(pub, rsa) {
		t.Errorf("RSA EK = %x, %v", pub, err)
	}
	want, _ := hex.DecodeString("80010000000e0000017381010001")
	if !bytes.Equal(f.cmds[0], want) {
		t.Errorf("command %x, want %x", f.cmds[0], want)
	}

	f = &fakeTPM{keys: map[uint32][]byte{0x81010002: ecc}}
	if pub, err := tpmReadEK(f); err != nil || !bytes.Equal(pub, ecc) {
		t.Errorf("ECC EK = %x, %v", pub, err)
	}

	f = &fakeTPM{}
	if _, err := tpmReadEK(f); !errors.Is(err, errNoEK) {
		t.Errorf("no EK: %v", err)
	}

	f = &fakeTPM{rc: 0x101} // TPM_RC_FAILURE
	if _, err := tpmReadEK(f); err == nil || !strings.Contains(err.Error(), "0x101") {
		t.Errorf("failure code: %v", err)
	}
}

func TestParseReadPublicErrors(t *testing.T) {
	for _, tc := range []struct{ name, hex string }{
		{"short", "8001000000"},
		{"tag", "8002000000100000000000024142"},
		{"size field", "8001000000ff0000000000024142"},
		{"no body", "80010000000a00000000"},
		{"public too long", "80010000000e0000000000104142"},
		{"empty public", "80010000000c000000000000"},
	} {
		b, _ := hex.DecodeString(tc.hex)
		if pub, err := parseReadPublic(b); err == nil {
			t.Errorf("%s: accepted %x", tc.name, pub)
		}
	}
}
