package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/server/store"
)

// storeErr maps a store error to an API error: ErrNotFound is 404,
// ErrConflict 409, ErrInvalid 422; anything else stays internal.
func storeErr(err error, what string) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "store: "); i >= 0 {
		msg = msg[i+len("store: "):]
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Public: what + " not found", Err: err}
	case errors.Is(err, store.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Public: msg, Err: err}
	case errors.Is(err, store.ErrInvalid):
		return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg, Err: err}
	case errors.Is(err, store.ErrSeatsExhausted):
		return &Error{Status: http.StatusConflict, Code: CodeSeatsExhausted, Public: "the order has no free seat left", Err: err}
	case errors.Is(err, store.ErrOrderRevoked):
		return &Error{Status: http.StatusConflict, Code: CodeOrderInactive, Public: "the order is revoked", Err: err}
	case errors.Is(err, store.ErrOutsideWindow):
		return &Error{Status: http.StatusConflict, Code: CodeOrderInactive, Public: "the order is not valid at this time", Err: err}
	}
	return err
}

// pathID parses the {id} path value as a positive integer.
func pathID(r *http.Request, what string) (int64, error) {
	s := r.PathValue("id")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, errNotFound(what)
	}
	return n, nil
}

// listOptions reads limit and cursor.
func listOptions(r *http.Request) (store.ListOptions, error) {
	var o store.ListOptions
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > store.MaxLimit {
			return o, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest,
				Public: "limit must be a number from 1 to " + strconv.Itoa(store.MaxLimit),
				Fields: []FieldError{{Field: "limit", Message: "must be 1 to " + strconv.Itoa(store.MaxLimit)}}}
		}
		o.Limit = n
	}
	o.Cursor = q.Get("cursor")
	if _, err := store.ParseCursor(o.Cursor); err != nil {
		return o, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Public: "cursor is not one this server gave",
			Fields: []FieldError{{Field: "cursor", Message: "invalid"}}}
	}
	return o, nil
}

// queryInt reads an optional positive integer query parameter.
func queryInt(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Public: name + " must be a positive integer id",
			Fields: []FieldError{{Field: name, Message: "must be a positive integer"}}}
	}
	return n, nil
}

// queryTime reads an optional RFC 3339 time query parameter.
func queryTime(r *http.Request, name string) (time.Time, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Public: name + " must be an RFC 3339 time",
			Fields: []FieldError{{Field: name, Message: "must be an RFC 3339 time such as 2025-01-31T00:00:00Z"}}}
	}
	return t, nil
}

// list is the shape of every list response.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty" doc:"pass as cursor to get the next page; absent on the last page"`
}

func pageOf[S, T any](p store.Page[S], conv func(S) T) list[T] {
	out := list[T]{Items: make([]T, len(p.Items)), NextCursor: p.Next}
	for i, s := range p.Items {
		out.Items[i] = conv(s)
	}
	return out
}

var pageParams = []param{
	{name: "limit", typ: "integer", desc: "page size, 1 to 500 (default 50)"},
	{name: "cursor", typ: "string", desc: "next_cursor of the previous page"},
}

func withPaging(ps ...param) []param { return append(append([]param(nil), pageParams...), ps...) }
