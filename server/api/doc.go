// Package api implements the HTTP API of the Licet vendor portal: JSON
// under /api/v1, errors as RFC 9457 problem details with stable codes, and
// an OpenAPI 3.1 document at /api/v1/openapi.json generated from the same
// route table that builds the mux, so it covers every route by
// construction.
//
// Every route is either public (login, setup, the OpenAPI document) or
// needs a session cookie or an API token; state-changing requests made
// with a session also need the session's CSRF token in the X-CSRF-Token
// header. Roles (admin, operator, auditor) are checked per route. Every
// administrative change is written to the audit log in the same
// transaction as the change itself.
//
// docs/api.md describes the API for people; the OpenAPI document is the
// reference.
package api
