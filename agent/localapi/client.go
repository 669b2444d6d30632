package localapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"time"
)

// DefaultSocket is where licetd listens unless configured otherwise.
const DefaultSocket = "/run/licetd/licetd.sock"

// maxBody bounds the answers the client reads.
const maxBody = 8 << 20

// Client asks a licetd daemon over its Unix socket. It is safe for
// concurrent use and keeps connections open between calls.
type Client struct {
	socket string
	hc     *http.Client
}

// NewClient returns a client for the daemon listening on socket ("" means
// DefaultSocket).
func NewClient(socket string) *Client {
	if socket == "" {
		socket = DefaultSocket
	}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", socket)
		},
		MaxIdleConns:        4,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &Client{socket: socket, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// Close closes idle connections.
func (c *Client) Close() { c.hc.CloseIdleConnections() }

// Status returns the terminal's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.getJSON(ctx, "/v1/status", &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Feature asks whether a feature is granted.
func (c *Client) Feature(ctx context.Context, name string) (*Feature, error) {
	var f Feature
	if err := c.getJSON(ctx, "/v1/features/"+url.PathEscape(name), &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// License returns the signed license file (armoured text). When the
// terminal holds no valid license the error is a *Problem with Code
// "no-license".
func (c *Client) License(ctx context.Context) ([]byte, error) {
	resp, err := c.get(ctx, "/v1/license")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(io.LimitReader(resp.Body, maxBody))
}

func (c *Client) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://licetd"+path, nil)
	if err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("localapi: %s: %w", c.socket, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, readProblem(resp)
	}
	return resp, nil
}

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(v); err != nil {
		return fmt.Errorf("localapi: %s: decoding answer: %w", path, err)
	}
	return nil
}

func readProblem(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p Problem
	if mt == "application/problem+json" && json.Unmarshal(b, &p) == nil && p.Code != "" {
		return &p
	}
	return &Problem{Type: "about:blank", Title: http.StatusText(resp.StatusCode), Status: resp.StatusCode,
		Code: "http-" + fmt.Sprint(resp.StatusCode)}
}
