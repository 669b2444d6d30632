package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// Error is the one error type of the API. Handlers return it (or any error,
// which becomes a 500); [writeError] turns it into RFC 9457 problem details.
// Code is a stable, machine-readable name ("not_found"); Public is the text a
// client may see; Err is the cause, logged and never sent.
type Error struct {
	Status int
	Code   string
	Public string
	Err    error
	// Fields lists the invalid request fields of a validation_failed error.
	Fields []FieldError
	// RetryAfter, when positive, is sent as a Retry-After header (seconds).
	RetryAfter int
}

// FieldError names one invalid field of a request body or query.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Kind, Position, First and Last locate the fault in a typed code
	// (device, confirmation or release code): the error's kind ("syntax",
	// "length", "uncorrectable", "version", "malformed", ...), the 1-based
	// position of a character that is not in the alphabet, or the first
	// and last characters of the check block that failed.
	Kind     string `json:"kind,omitempty" doc:"for typed codes: syntax, length, uncorrectable, version, malformed, ..."`
	Position int    `json:"position,omitempty" doc:"for typed codes: 1-based position of a character that is not in the alphabet"`
	First    int    `json:"first,omitempty" doc:"for typed codes: first character of the check block that failed"`
	Last     int    `json:"last,omitempty" doc:"for typed codes: last character of the check block that failed"`
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Public, e.Err)
	}
	return e.Code + ": " + e.Public
}

func (e *Error) Unwrap() error { return e.Err }

// Stable problem codes. They are part of the API: clients branch on them.
const (
	CodeBadRequest       = "bad_request"
	CodeValidation       = "validation_failed"
	CodeUnauthenticated  = "unauthenticated"
	CodeForbidden        = "forbidden"
	CodeCSRF             = "csrf_failed"
	CodeNotFound         = "not_found"
	CodeMethod           = "method_not_allowed"
	CodeConflict         = "conflict"
	CodeSeatsExhausted   = "seats_exhausted"
	CodeRateLimited      = "rate_limited"
	CodeLockedOut        = "locked_out"
	CodeInvalidCode      = "invalid_device_code"
	CodeInvalidRequest   = "invalid_request_url"
	CodeOrderInactive    = "order_inactive"
	CodeSetupUsed        = "setup_unavailable"
	CodeWrongPassphrase  = "wrong_passphrase"
	CodeTooLarge         = "payload_too_large"
	CodeUnsupportedMedia = "unsupported_media_type"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal"
	CodePairingExpired   = "pairing_expired"
	CodeOrigin           = "origin_refused"
	CodeUpgrade          = "upgrade_required"
	CodeNoConfirmKey     = "order_without_confirm_key"
	CodeInvalidRelease   = "invalid_release_code"
	CodeReleaseMismatch  = "release_code_mismatch"
	CodeLicenseNotFound  = "license_not_found"
)

// problemCodes documents every code for the OpenAPI document.
var problemCodes = map[string]string{
	CodeBadRequest:       "the request could not be read (malformed JSON, bad query parameter)",
	CodeValidation:       "the request was read but some fields are invalid; see errors[]",
	CodeUnauthenticated:  "no valid session or API token",
	CodeForbidden:        "the account's role does not allow this action",
	CodeCSRF:             "a state-changing request with a session lacks a valid X-CSRF-Token header",
	CodeNotFound:         "no such resource or route",
	CodeMethod:           "the route exists but not with this method",
	CodeConflict:         "the request conflicts with the current state (duplicate name, already revoked)",
	CodeSeatsExhausted:   "the order has no free seat left",
	CodeRateLimited:      "too many requests; retry after Retry-After seconds",
	CodeLockedOut:        "the account is locked after repeated failed logins; retry after Retry-After seconds",
	CodeInvalidCode:      "the device code cannot be read or corrected",
	CodeInvalidRequest:   "the activation request from a terminal's URL cannot be read",
	CodeOrderInactive:    "the order is revoked, expired or not yet valid",
	CodeSetupUsed:        "the setup link was already used or is not valid",
	CodeWrongPassphrase:  "the passphrase does not open the vendor root key",
	CodeTooLarge:         "the request body is too large",
	CodeUnsupportedMedia: "the request body must be application/json",
	CodeUnavailable:      "a dependency (the database) is not available",
	CodeInternal:         "an unexpected server error; the server log has the details",
	CodePairingExpired:   "the phone pairing has expired; the desktop must show a new pairing code",
	CodeOrigin:           "a websocket was opened from a page of another site (Origin header)",
	CodeUpgrade:          "a websocket route was requested without Upgrade: websocket",
	CodeNoConfirmKey:     "the order names no confirmation key: create it with confirm_codes",
	CodeInvalidRelease:   "the release code cannot be read or corrected; errors[0] locates the fault",
	CodeReleaseMismatch:  "the release code names a license but its check does not match: mistyped, or not made by that activation",
	CodeLicenseNotFound:  "no license matches the code",
}

// problem is the RFC 9457 body.
type problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Code     string       `json:"code"`
	Errors   []FieldError `json:"errors,omitempty"`
}

// problemTypeBase prefixes each code to form the problem's type URI.
const problemTypeBase = "urn:licet:problem:"

// errorf builds an *Error.
func errorf(status int, code, public string, err error) *Error {
	return &Error{Status: status, Code: code, Public: public, Err: err}
}

func errNotFound(what string) *Error {
	return errorf(http.StatusNotFound, CodeNotFound, what+" not found", nil)
}

func errBadRequest(public string, err error) *Error {
	return errorf(http.StatusBadRequest, CodeBadRequest, public, err)
}

func errConflict(public string, err error) *Error {
	return errorf(http.StatusConflict, CodeConflict, public, err)
}

// invalid collects field errors; nil when none were added.
type invalid []FieldError

func (v *invalid) add(field, format string, args ...any) {
	*v = append(*v, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns the collected errors as one validation_failed error, or nil.
func (v invalid) err() error {
	if len(v) == 0 {
		return nil
	}
	msg := v[0].Field + ": " + v[0].Message
	if len(v) > 1 {
		msg += fmt.Sprintf(" (and %d more)", len(v)-1)
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: CodeValidation, Public: msg, Fields: v}
}

// writeError is the one writer of errors: it logs the cause and sends
// problem details. Any error that is not an *Error is an internal error
// whose text stays in the log.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			e = &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable,
				Public: "the request was cancelled or timed out", Err: err}
		default:
			e = &Error{Status: http.StatusInternalServerError, Code: CodeInternal,
				Public: "internal server error", Err: err}
		}
	}
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{slog.Int("status", e.Status), slog.String("code", e.Code)}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	if r != nil {
		attrs = append(attrs, slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("request_id", requestID(r.Context())))
	}
	a.log.LogAttrs(contextOf(r), level, "request failed", attrs...)

	title := http.StatusText(e.Status)
	if title == "" {
		title = "Error"
	}
	p := problem{
		Type:   problemTypeBase + e.Code,
		Title:  title,
		Status: e.Status,
		Detail: e.Public,
		Code:   e.Code,
		Errors: e.Fields,
	}
	if r != nil {
		p.Instance = r.URL.Path
	}
	body, _ := json.Marshal(p)
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Disposition")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(e.Status)
	w.Write(append(body, '\n'))
}

func contextOf(r *http.Request) context.Context {
	if r == nil {
		return context.Background()
	}
	return r.Context()
}
