package fingerprint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Persistent handles of the endorsement key, from the TCG EK Credential
// Profile: RSA 2048 first, then ECC P-256.
var ekHandles = []uint32{0x81010001, 0x81010002}

var errNoEK = errors.New("no persistent endorsement key at 0x81010001 or 0x81010002 (provision one with tpm2_createek -c 0x81010001)")

var errTPMHandle = errors.New("tpm: handle not found")

// tpmReadEK returns the public area (TPMT_PUBLIC) of the persistent
// endorsement key through a TPM 2.0 resource manager (dev/tpmrm0).
func tpmReadEK(rw io.ReadWriter) ([]byte, error) {
	for _, h := range ekHandles {
		pub, err := tpmReadPublic(rw, h)
		if errors.Is(err, errTPMHandle) {
			continue
		}
		return pub, err
	}
	return nil, errNoEK
}

// tpmReadPublic sends TPM2_ReadPublic for handle and returns outPublic.
func tpmReadPublic(rw io.ReadWriter, handle uint32) ([]byte, error) {
	cmd := make([]byte, 14)
	binary.BigEndian.PutUint16(cmd[0:], 0x8001) // TPM_ST_NO_SESSIONS
	binary.BigEndian.PutUint32(cmd[2:], uint32(len(cmd)))
	binary.BigEndian.PutUint32(cmd[6:], 0x00000173) // TPM_CC_ReadPublic
	binary.BigEndian.PutUint32(cmd[10:], handle)
	if _, err := rw.Write(cmd); err != nil {
		return nil, fmt.Errorf("tpm: send ReadPublic: %w", err)
	}
	resp := make([]byte, 4096)
	n, err := rw.Read(resp)
	if err != nil {
		return nil, fmt.Errorf("tpm: read response: %w", err)
	}
	return parseReadPublic(resp[:n])
}

func parseReadPublic(r []byte) ([]byte, error) {
	if len(r) < 10 {
		return nil, fmt.Errorf("tpm: response of %d bytes is too short", len(r))
	}
	if tag := binary.BigEndian.Uint16(r); tag != 0x8001 {
		return nil, fmt.Errorf("tpm: unexpected response tag %#04x", tag)
	}
	if size := binary.BigEndian.Uint32(r[2:]); size != uint32(len(r)) {
		return nil, fmt.Errorf("tpm: response size field %d, got %d bytes", size, len(r))
	}
	if rc := binary.BigEndian.Uint32(r[6:]); rc != 0 {
		// Format-one response code TPM_RC_HANDLE (0x08B), any handle number.
		if rc&0x080 != 0 && rc&0x03f == 0x00b {
			return nil, errTPMHandle
		}
		return nil, fmt.Errorf("tpm: ReadPublic failed with response code %#x", rc)
	}
	body := r[10:]
	if len(body) < 2 {
		return nil, errors.New("tpm: response has no public area")
	}
	n := int(binary.BigEndian.Uint16(body))
	if n == 0 || 2+n > len(body) {
		return nil, fmt.Errorf("tpm: public area of %d bytes does not fit the response", n)
	}
	return body[2 : 2+n], nil
}
