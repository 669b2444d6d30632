package airgap

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"licet.dev/licet/airgap/qr"
)

// The QR code of a request URL.
const (
	RequestLevel      = qr.M // error correction level
	RequestMaxVersion = 11   // largest version
	RequestPath       = "/R/"
)

// RequestMaxChars is the longest request URL: the alphanumeric capacity of a
// version 11 QR code at level M.
var RequestMaxChars = qr.Capacity(RequestMaxVersion, RequestLevel)

var (
	// ErrTooLong reports a request URL that does not fit its QR code.
	ErrTooLong = errors.New("airgap: request URL too long")

	// ErrRequestURL is wrapped by every error about a malformed request
	// URL or portal address.
	ErrRequestURL = errors.New("airgap: bad request URL")
)

// NormalizePortal checks the vendor portal's base URL and returns it in the
// form used in request URLs: upper case, no trailing slash. It must be an
// http or https URL with a host and an optional path, without user, query
// or fragment, and only of characters of the QR alphanumeric set once
// upper-cased (an international host name must be given in its xn-- form).
func NormalizePortal(portal string) (string, error) {
	for i := range len(portal) {
		if portal[i] >= 0x80 {
			return "", fmt.Errorf("%w: portal %q has a non-ASCII character at offset %d (give an international host name in its xn-- form)", ErrRequestURL, portal, i)
		}
	}
	u, err := url.Parse(portal)
	if err != nil {
		return "", fmt.Errorf("%w: portal %q: %v", ErrRequestURL, portal, err)
	}
	switch {
	case !strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http"):
		return "", fmt.Errorf("%w: portal %q is not an http or https URL", ErrRequestURL, portal)
	case u.Host == "":
		return "", fmt.Errorf("%w: portal %q has no host", ErrRequestURL, portal)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "":
		return "", fmt.Errorf("%w: portal %q must be a plain scheme, host and path", ErrRequestURL, portal)
	}
	p := strings.ToUpper(strings.TrimRight(portal, "/"))
	if strings.Contains(p, " ") {
		return "", fmt.Errorf("%w: portal %q contains a space", ErrRequestURL, portal)
	}
	if err := qr.CheckAlphanumeric(p); err != nil {
		return "", fmt.Errorf("%w: portal %q: %w", ErrRequestURL, portal, err)
	}
	return p, nil
}

// MaxRequestBytes returns the largest request that fits a request URL of
// the given portal.
func MaxRequestBytes(portal string) (int, error) {
	p, err := NormalizePortal(portal)
	if err != nil {
		return 0, err
	}
	return maxRequestBytes(p), nil
}

// maxRequestBytes is MaxRequestBytes for a normalized portal.
func maxRequestBytes(p string) int {
	return max(0, (RequestMaxChars-len(p)-len(RequestPath))*5/8)
}

// RequestURL returns PORTAL/R/<request in Crockford base32>, upper case. A
// URL longer than RequestMaxChars is an error wrapping ErrTooLong that
// gives the sizes.
func RequestURL(portal string, request []byte) (string, error) {
	p, err := NormalizePortal(portal)
	if err != nil {
		return "", err
	}
	if len(request) == 0 {
		return "", fmt.Errorf("%w: empty request", ErrRequestURL)
	}
	n := len(p) + len(RequestPath) + base32Len(len(request))
	if n > RequestMaxChars {
		return "", fmt.Errorf("%w: %d characters for a %d-byte request, a version %d QR code at level %v holds %d; with portal %s the request may be at most %d bytes",
			ErrTooLong, n, len(request), RequestMaxVersion, RequestLevel, RequestMaxChars, p, maxRequestBytes(p))
	}
	return p + RequestPath + encodeBase32(request), nil
}

// ParseRequestURL splits a request URL into its portal (normalized, see
// NormalizePortal) and request bytes. The scheme, host and the R of the
// path may be in any case, since browsers lower-case host names; the
// base32 part must be canonical upper-case Crockford base32. A URL longer
// than RequestMaxChars wraps ErrTooLong. On error portal and request are
// zero.
func ParseRequestURL(s string) (portal string, request []byte, err error) {
	if len(s) > RequestMaxChars {
		return "", nil, fmt.Errorf("%w: %d characters, a version %d QR code at level %v holds %d", ErrTooLong, len(s), RequestMaxVersion, RequestLevel, RequestMaxChars)
	}
	i := max(strings.LastIndex(s, RequestPath), strings.LastIndex(s, strings.ToLower(RequestPath)))
	if i < 0 {
		return "", nil, fmt.Errorf("%w: no %s in %q", ErrRequestURL, RequestPath, s)
	}
	p, err := NormalizePortal(s[:i])
	if err != nil {
		return "", nil, err
	}
	if p != strings.ToUpper(s[:i]) {
		return "", nil, fmt.Errorf("%w: portal part %q is not in normal form %q", ErrRequestURL, s[:i], p)
	}
	data := s[i+len(RequestPath):]
	if data == "" {
		return "", nil, fmt.Errorf("%w: empty request", ErrRequestURL)
	}
	b, err := decodeBase32(data)
	if err != nil {
		return "", nil, fmt.Errorf("%w: request: %v", ErrRequestURL, err)
	}
	return p, b, nil
}

// RequestQR returns the QR code of a request URL: alphanumeric mode, level
// M, version 11 at most.
func RequestQR(requestURL string) (*qr.Code, error) {
	c, err := qr.Alphanumeric(requestURL, RequestLevel, RequestMaxVersion)
	if errors.Is(err, qr.ErrTooLong) {
		return nil, fmt.Errorf("%w: %w", ErrTooLong, err)
	}
	return c, err
}
