// Package localapi is the terminal daemon's local API: JSON over HTTP/1.1 on
// a Unix socket, for applications on the terminal that ask "am I licensed,
// and for what?", and a small Go client for it.
//
// The endpoints (docs/localapi.md has examples):
//
//	GET /v1/status           Status: licensed or not, product, features, expiry, warnings
//	GET /v1/features/{name}  Feature: whether one feature is granted, and its value
//	GET /v1/license          the signed license file, armoured text, for applications
//	                         that verify it themselves
//
// Errors are RFC 9457 problem details (Problem) with a stable code. The
// socket's permissions decide who may ask (Listen sets its mode and group);
// the API changes nothing on the terminal.
package localapi
