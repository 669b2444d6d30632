package agent

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"licet.dev/licet/airgap"
	"licet.dev/licet/codec"
	"licet.dev/licet/codec/devcode"
	"licet.dev/licet/fingerprint"
)

// RequestOptions configure Request.
type RequestOptions struct {
	// Product is the product's short numeric id (1-65535).
	Product uint16
	// New makes a new request even when one for the same product and the
	// same machine is pending (which is otherwise shown again).
	New bool
}

// Request is an activation request: what the terminal shows so that the
// vendor can make a license for it.
type Request struct {
	Product    uint16
	DeviceCode devcode.DeviceCode
	// Digest is the SHA-256 of the birth record; the device code carries
	// its first 8 bytes.
	Digest [32]byte
	Nonce  uint32
	// Birth is the birth record's canonical encoding
	// (fingerprint.Record.MarshalBinary), whose SHA-256 is Digest.
	Birth []byte
	// Created is when the request was made: the request bundle's issue
	// time.
	Created time.Time
	// Bundle is the request bundle (codec CBOR) the request URL carries.
	Bundle []byte
	// WithComponents says whether the bundle carries the component hashes;
	// they are left out when they would make the URL too long for its QR
	// code.
	WithComponents bool
	// URL is the request URL for Config.Portal, "" when no portal is
	// configured or the request does not fit (URLError says why).
	URL      string
	URLError error
	// Components is the number of identifying components of the machine.
	Components int
	// Weak and Missing report weak identity (see fingerprint.Snapshot).
	Weak     bool
	Missing  []string
	Instance string
	// Reused is set when a pending request was shown again.
	Reused bool
	// Held is the id of the license the terminal holds for the product,
	// if any: the request asks to replace it.
	Held string
}

// RequestView is a Request as `licetd request --json` and the activation
// page's GET /api/birth show it (docs/cli.md, docs/localapi.md).
type RequestView struct {
	Product    uint16 `json:"product"`
	DeviceCode string `json:"device_code"`
	Nonce      uint32 `json:"nonce"`
	// Digest is Digest in 64 lower-case hex digits.
	Digest string `json:"digest"`
	// RequestURL is URL; "" with RequestURLNote saying why.
	RequestURL     string `json:"request_url"`
	RequestURLNote string `json:"request_url_note,omitempty"`
	WithComponents bool   `json:"request_has_components"`
	WeakIdentity   bool   `json:"weak_identity"`
	// MissingSources is Missing, an empty list rather than null.
	MissingSources []string `json:"missing_sources"`
	Instance       string   `json:"instance,omitempty"`
	Reused         bool     `json:"reused"`
	HeldLicense    string   `json:"held_license,omitempty"`
}

// View returns r as RequestView shows it.
func (r *Request) View() RequestView {
	v := RequestView{
		Product: r.Product, DeviceCode: r.DeviceCode.String(), Nonce: r.Nonce,
		Digest: fmt.Sprintf("%x", r.Digest), RequestURL: r.URL, WithComponents: r.WithComponents,
		WeakIdentity: r.Weak, MissingSources: r.Missing, Instance: r.Instance, Reused: r.Reused,
		HeldLicense: r.Held,
	}
	if v.MissingSources == nil {
		v.MissingSources = []string{}
	}
	if r.URL == "" && r.URLError != nil {
		v.RequestURLNote = r.URLError.Error()
	}
	return v
}

// Request makes an activation request for a product, or shows the pending
// one again, and keeps its birth record and nonce in the state so that
// Import can check the license that answers it.
func (a *Agent) Request(opts RequestOptions) (*Request, error) {
	if opts.Product == 0 {
		return nil, errors.New("agent: product id must be 1 to 65535")
	}
	now := a.cfg.Now()
	snap, err := a.collect(productSalt(opts.Product))
	if err != nil {
		return nil, err
	}
	birth, err := snap.Record()
	if err != nil {
		return nil, err
	}
	birthBytes, err := birth.MarshalBinary()
	if err != nil {
		return nil, err
	}
	rec, err := a.readRecord()
	if err != nil {
		return nil, err
	}
	r := &Request{Product: opts.Product, Digest: birth.Digest(), Components: len(snap.Components)}
	if snap.Instance() {
		r.Instance = a.cfg.InstanceID
	} else {
		r.Weak, r.Missing = snap.Weak, snap.Missing
	}
	var q *request
	if !opts.New {
		for i := len(rec.Requests) - 1; i >= 0; i-- {
			if p := &rec.Requests[i]; p.Product == opts.Product && bytes.Equal(p.Birth, birthBytes) {
				q, r.Reused = p, true
				break
			}
		}
	}
	if q == nil {
		nonce, err := newNonce(a.rand)
		if err != nil {
			return nil, err
		}
		rec.Requests = append(rec.Requests, request{Product: opts.Product, Nonce: nonce, Birth: birthBytes, Created: now.Unix()})
		if n := len(rec.Requests); n > maxRequests {
			rec.Requests = slices.Delete(rec.Requests, 0, n-maxRequests)
		}
		if err := a.writeRecord(rec); err != nil {
			return nil, err
		}
		q = &rec.Requests[len(rec.Requests)-1]
	}
	r.Nonce, r.Birth, r.Created = q.Nonce, birthBytes, time.Unix(q.Created, 0).UTC()
	r.DeviceCode = deviceCode(opts.Product, birth, q.Nonce)
	if rec.License != nil {
		if x, err := parseHeld(rec.License); err == nil && x.product == opts.Product {
			r.Held = x.id.String()
		}
	}
	if err := r.bundle(q, birth, a.cfg.Portal); err != nil {
		return nil, err
	}
	return r, nil
}

// bundle makes the request bundle and, with a portal, the request URL. The
// bundle's id and time derive from the request, so that a request shown
// again gives the same bundle.
func (r *Request) bundle(q *request, birth *fingerprint.Record, portal string) error {
	var seed [36]byte
	copy(seed[:], r.Digest[:])
	binary.BigEndian.PutUint32(seed[32:], q.Nonce)
	idSum := sha256.Sum256(append([]byte("licet-request-id\x00"), seed[:]...))
	rb := &codec.RequestBundle{
		Header:   codec.Header{Type: codec.TypeRequest, Version: codec.Version, ID: codec.ID(idSum[:codec.IDSize]), IssuedAt: codec.Timestamp(q.Created)},
		Product:  r.Product,
		Digest:   codec.Bytes(r.Digest[:]),
		Nonce:    q.Nonce,
		Instance: r.Instance,
	}
	for _, c := range birth.Components {
		rb.Components = append(rb.Components, codec.Component{Kind: c.Kind.String(), Hash: codec.Bytes(c.Hash[:])})
	}
	full, err := codec.Marshal(rb)
	if err != nil {
		return fmt.Errorf("agent: request bundle: %w", err)
	}
	rb.Components = nil
	short, err := codec.Marshal(rb)
	if err != nil {
		return fmt.Errorf("agent: request bundle: %w", err)
	}
	r.Bundle, r.WithComponents = full, true
	if portal == "" {
		r.URLError = errors.New("no vendor portal is configured")
		return nil
	}
	u, err := airgap.RequestURL(portal, full)
	if errors.Is(err, airgap.ErrTooLong) {
		r.Bundle, r.WithComponents = short, false
		u, err = airgap.RequestURL(portal, short)
	}
	if err != nil {
		r.URLError = err
		return nil
	}
	r.URL = u
	return nil
}

// newNonce returns a random request nonce in 1..devcode.MaxNonce.
func newNonce(rand io.Reader) (uint32, error) {
	var b [4]byte
	for {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return 0, fmt.Errorf("agent: making a nonce: %w", err)
		}
		if n := binary.BigEndian.Uint32(b[:]) & devcode.MaxNonce; n != 0 {
			return n, nil
		}
	}
}
