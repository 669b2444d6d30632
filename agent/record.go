package agent

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fxamacker/cbor/v2"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint"
)

// recordName is the state file that holds the terminal's record.
const recordName = "terminal"

// Limits of the record.
const (
	recordVersion  = 1
	maxRequests    = 8         // pending requests kept, newest last
	maxReleased    = 64        // released license ids remembered, newest last
	maxLicenseSize = 512 << 10 // bytes of a held license file (CBOR)
)

// record is what the terminal keeps in STATE/terminal: the requests that
// wait for a license, the license held and the licenses given up. Its one
// encoding is a CBOR map in RFC 8949 core deterministic encoding:
//
//	{1: 1,                       ; format version
//	 2: [request, ...],          ; pending requests, oldest first (absent: none)
//	 3: held,                    ; the license held (absent: none)
//	 4: [released, ...]}         ; released licenses, oldest first (absent: none)
//	request  = {1: product (1..65535), 2: nonce (1..2^22-1),
//	            3: birth record (fingerprint encoding), 4: created (Unix seconds)}
//	held     = {1: license file (codec CBOR), 2: birth record, 3: imported (Unix seconds)}
//	released = {1: license id (16 bytes), 2: when (Unix seconds)}
type record struct {
	Version  uint64     `cbor:"1,keyasint"`
	Requests []request  `cbor:"2,keyasint,omitempty"`
	License  *held      `cbor:"3,keyasint,omitempty"`
	Released []released `cbor:"4,keyasint,omitempty"`
}

type request struct {
	Product uint16 `cbor:"1,keyasint"`
	Nonce   uint32 `cbor:"2,keyasint"`
	Birth   []byte `cbor:"3,keyasint"`
	Created int64  `cbor:"4,keyasint"`
}

type held struct {
	File     []byte `cbor:"1,keyasint"`
	Birth    []byte `cbor:"2,keyasint"`
	Imported int64  `cbor:"3,keyasint"`
}

type released struct {
	License []byte `cbor:"1,keyasint"`
	At      int64  `cbor:"2,keyasint"`
}

// deviceCode returns the device code of a request.
func (q *request) deviceCode() (devcode.DeviceCode, error) {
	birth, err := fingerprint.ParseRecord(q.Birth)
	if err != nil {
		return devcode.DeviceCode{}, err
	}
	return deviceCode(q.Product, birth, q.Nonce), nil
}

// deviceCode returns the device code of a request for product with a
// birth record and a nonce.
func deviceCode(product uint16, birth *fingerprint.Record, nonce uint32) devcode.DeviceCode {
	d := birth.Digest()
	return devcode.New(product, [8]byte(d[:8]), nonce)
}

// products lists the products of the pending requests, each once, oldest
// first.
func (r *record) products() []uint16 {
	var ps []uint16
	for _, q := range r.Requests {
		if !slices.Contains(ps, q.Product) {
			ps = append(ps, q.Product)
		}
	}
	return ps
}

// releasedAt reports whether the license id was released on this
// terminal, and when.
func (r *record) releasedAt(id codec.ID) (time.Time, bool) {
	for _, x := range r.Released {
		if bytes.Equal(x.License, id[:]) {
			return time.Unix(x.At, 0), true
		}
	}
	return time.Time{}, false
}

// release remembers that the license id was released at t, forgetting
// the oldest beyond maxReleased.
func (r *record) release(id codec.ID, t time.Time) {
	r.Released = append(r.Released, released{License: bytes.Clone(id[:]), At: t.Unix()})
	if n := len(r.Released); n > maxReleased {
		r.Released = slices.Delete(r.Released, 0, n-maxReleased)
	}
}

var (
	recEnc cbor.EncMode
	recDec cbor.DecMode
)

func init() {
	var err error
	recEnc, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	recDec, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   6,
		MaxArrayElements:  maxReleased,
		MaxMapPairs:       16,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// errRecord is wrapped by every error about a malformed record.
var errRecord = errors.New("agent: terminal record")

func recordErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errRecord, fmt.Sprintf(format, args...))
}

// check validates the fields of a record.
func (r *record) check() error {
	if r.Version != recordVersion {
		return recordErr("unsupported version %d", r.Version)
	}
	if len(r.Requests) > maxRequests {
		return recordErr("%d pending requests, at most %d", len(r.Requests), maxRequests)
	}
	for i, q := range r.Requests {
		switch {
		case q.Product == 0:
			return recordErr("request %d: product is zero", i+1)
		case q.Nonce == 0 || q.Nonce > devcode.MaxNonce:
			return recordErr("request %d: nonce %d outside 1..%d", i+1, q.Nonce, devcode.MaxNonce)
		case q.Created <= 0:
			return recordErr("request %d: no creation time", i+1)
		}
		if _, err := fingerprint.ParseRecord(q.Birth); err != nil {
			return recordErr("request %d: birth record: %v", i+1, err)
		}
	}
	if h := r.License; h != nil {
		if len(h.File) == 0 || len(h.File) > maxLicenseSize {
			return recordErr("license of %d bytes, want 1 to %d", len(h.File), maxLicenseSize)
		}
		if h.Imported <= 0 {
			return recordErr("license has no import time")
		}
		if _, err := fingerprint.ParseRecord(h.Birth); err != nil {
			return recordErr("license birth record: %v", err)
		}
		if _, err := codec.ParseFile(h.File); err != nil {
			return recordErr("license: %v", err)
		}
	}
	if len(r.Released) > maxReleased {
		return recordErr("%d released licenses, at most %d", len(r.Released), maxReleased)
	}
	for i, x := range r.Released {
		if len(x.License) != codec.IDSize {
			return recordErr("released %d: license id of %d bytes, want %d", i+1, len(x.License), codec.IDSize)
		}
		if x.At <= 0 {
			return recordErr("released %d: no time", i+1)
		}
	}
	return nil
}

// encodeRecord returns the canonical encoding of r.
func encodeRecord(r *record) ([]byte, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	return recEnc.Marshal(r)
}

// decodeRecord decodes a record. It accepts only the canonical encoding of
// a valid record; on error the record is nil.
func decodeRecord(b []byte) (*record, error) {
	var r record
	if err := recDec.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", errRecord, err)
	}
	again, err := encodeRecord(&r)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, recordErr("not in canonical encoding")
	}
	return &r, nil
}
