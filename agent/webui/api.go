package webui

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/airgap"
)

// MaxCodeSize bounds the body of POST /api/confirm: a confirmation code is
// 80 characters, typed with any spacing.
const MaxCodeSize = 1 << 10

// Birth is the answer to GET /api/birth: what the page needs to draw the
// device code and the request QR code itself (with the WebAssembly codec),
// and what the daemon made of it, to compare and to fall back on.
type Birth struct {
	agent.RequestView
	// BirthRecord is the canonical encoding of the birth record
	// (fingerprint.Record.MarshalBinary), standard base64 with padding.
	BirthRecord string `json:"birth_record"`
	// PortalURL is the vendor portal the request URL points to, as
	// airgap.NormalizePortal gives it; "" when none is configured.
	PortalURL string `json:"portal_url"`
	// CreatedAt is when the request was made: the request bundle's issue
	// time.
	CreatedAt time.Time `json:"created_at"`
}

// Imported is the answer to POST /api/license and POST /api/confirm: the
// terminal's status afterwards (the local API's Status, its fields at the
// top level) and what was imported.
type Imported struct {
	localapi.Status
	Imported ImportedItem `json:"imported"`
}

// ImportedItem says what a POST imported.
type ImportedItem struct {
	// Kind is "license", "order" (kept for confirmation codes) or
	// "confirmation" (a classical activation by a typed code).
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Product uint16 `json:"product"`
	// Replaced is the license this one replaced, if any.
	Replaced string `json:"replaced,omitempty"`
	// Already is set when the terminal held this very license or order.
	Already bool `json:"already,omitempty"`
}

// birth answers GET /api/birth[?product=ID]: the pending request for the
// product, made when there is none, as `licetd request` does. Without
// ?product the product is that of the newest pending request, else that
// of the license held.
func (s *Server) birth(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var product uint16
	if v := r.URL.Query().Get("product"); v != "" {
		p, err := strconv.ParseUint(v, 0, 16)
		if err != nil || p == 0 {
			return &httpError{Status: http.StatusBadRequest, Code: "bad-product",
				Public: "product " + strconv.Quote(v) + ": want a number from 1 to 65535"}
		}
		product = uint16(p)
	} else {
		st := s.a.Status()
		switch {
		case len(st.Pending) > 0:
			product = st.Pending[len(st.Pending)-1].Product
		case st.Product != 0:
			product = st.Product
		default:
			return &httpError{Status: http.StatusBadRequest, Code: "product-required",
				Public: "no request is pending and no license is held, so the product is not known",
				Hint:   "open the page with &product=ID added to its URL, or run 'licetd request --product ID' once"}
		}
	}
	req, err := s.a.Request(agent.RequestOptions{Product: product})
	if err != nil {
		return agentError(err)
	}
	b := Birth{
		RequestView: req.View(),
		BirthRecord: base64.StdEncoding.EncodeToString(req.Birth),
		CreatedAt:   req.Created,
	}
	if p := s.a.Config().Portal; p != "" {
		if n, err := airgap.NormalizePortal(p); err == nil {
			b.PortalURL = n
		}
	}
	return writeJSON(w, b)
}

// status answers GET /api/status.
func (s *Server) status(w http.ResponseWriter, r *http.Request) error {
	s.mu.Lock()
	st := s.a.Status()
	s.mu.Unlock()
	return writeJSON(w, st)
}

// license answers POST /api/license: the body is a license file, armoured
// text or CBOR, checked and stored as `licetd import` does; an order
// license is kept for confirmation codes.
func (s *Server) license(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(w, r, agent.MaxLicenseFile)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out Imported
	if agent.IsOrderFile(data) {
		res, err := s.a.ImportOrder(data)
		if err != nil {
			return agentError(err)
		}
		out.Imported = ImportedItem{Kind: "order", ID: res.Order.String(), Product: res.Product, Already: res.Already}
		out.Status = s.a.Status()
		s.log.Info("web: order imported", "order", out.Imported.ID, "product", res.Product)
		return writeJSON(w, out)
	}
	res, err := s.a.Import(data)
	if err != nil {
		return agentError(err)
	}
	out.Status = res.Status
	out.Imported = ImportedItem{Kind: "license", ID: res.LicenseID.String(), Product: res.Product, Replaced: res.Replaced, Already: res.Already}
	s.log.Info("web: license imported", "license", out.Imported.ID, "product", res.Product, "licensed", res.Status.Licensed)
	return writeJSON(w, out)
}

// confirm answers POST /api/confirm: the body is a confirmation code as
// typed, checked as `licetd confirm` does.
func (s *Server) confirm(w http.ResponseWriter, r *http.Request) error {
	data, err := readBody(w, r, MaxCodeSize)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.a.Confirm(strings.TrimSpace(string(data)))
	if err != nil {
		return agentError(err)
	}
	out := Imported{Status: res.Status,
		Imported: ImportedItem{Kind: "confirmation", ID: res.LicenseID.String(), Product: res.Product, Replaced: res.Replaced}}
	s.log.Info("web: activated by confirmation code", "license", out.Imported.ID, "product", res.Product)
	return writeJSON(w, out)
}

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(limit)
	case err != nil:
		return nil, &httpError{Status: http.StatusBadRequest, Code: "bad-body", Public: "the request body could not be read", Err: err}
	case len(strings.TrimSpace(string(data))) == 0:
		return nil, &httpError{Status: http.StatusBadRequest, Code: "empty", Public: "the request body is empty"}
	}
	return data, nil
}

func tooLarge(limit int64) *httpError {
	return &httpError{Status: http.StatusRequestEntityTooLarge, Code: "too-large",
		Public: "the request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}
