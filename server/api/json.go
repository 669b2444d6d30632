package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// maxBody bounds every JSON request body.
const maxBody = 1 << 20

// decodeJSON reads one JSON object from the request body into v. Unknown
// fields, trailing data, a wrong content type and oversized bodies are
// errors a client can act on.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMedia,
			Public: "the request body must be application/json"}
	}
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
				Public: fmt.Sprintf("the request body is larger than %d bytes", maxBody)}
		case errors.Is(err, io.EOF):
			return errBadRequest("the request body is empty; a JSON object is expected", err)
		case errors.As(err, &se):
			return errBadRequest(fmt.Sprintf("the request body is not valid JSON (at byte %d)", se.Offset), err)
		case errors.As(err, &te):
			f := te.Field
			if f == "" {
				f = "(body)"
			}
			return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation,
				Public: fmt.Sprintf("%s: must be %s, not %s", f, jsonKind(te.Type.Kind().String()), te.Value),
				Fields: []FieldError{{Field: f, Message: "must be " + jsonKind(te.Type.Kind().String())}}, Err: err}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation,
				Public: "unknown field " + strconv.Quote(name),
				Fields: []FieldError{{Field: name, Message: "unknown field"}}}
		default:
			return errBadRequest("the request body cannot be read as JSON", err)
		}
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		return errBadRequest("the request body has data after the JSON object", nil)
	}
	return nil
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return goKind
}

// writeJSON sends v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	if err != nil {
		// The client went away; nothing more can be sent.
		return nil
	}
	return nil
}
