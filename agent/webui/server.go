package webui

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"licet.dev/licet/agent"
	"licet.dev/licet/agent/state"
	"licet.dev/licet/internal/atomicfile"
	"licet.dev/licet/internal/hint"
	"licet.dev/licet/site"
)

// TokenHeader is the request header that may carry the token instead of
// the query parameter t.
const TokenHeader = "X-Licet-Token"

// TokenSize is the number of random bytes in a token; its text is their
// unpadded base64url encoding (43 characters).
const TokenSize = 32

// URLFile is the name, in the state directory, of the file that holds the
// page's URL with its token while the page is served.
const URLFile = state.URLFile

// Config configures Listen.
type Config struct {
	// Addr is the loopback address to listen on, host:port; port 0 picks
	// a free one. agent.CheckWebAddr says which are allowed.
	Addr string
	// Agent is the terminal the page works on. The server calls it from
	// one goroutine at a time. Give it an Agent of its own, not the one
	// the daemon runs: the daemon notices what the page changes at its
	// next query, as it does for `licetd import`.
	Agent *agent.Agent
	// URLFile, when set, is where the page's URL with its token is
	// written (mode 0600) while the server runs; it is removed when the
	// server stops. licetd uses STATE/web-url.
	URLFile string
	// Files holds the page's files laid out as package site's static/
	// tree (terminal/, js/, css/, wasm/); nil means site.Files().
	Files fs.FS
	// Rand is the source of the token; nil means crypto/rand.
	Rand io.Reader
	// Log receives refused requests, imports and failures, never the
	// token; nil discards them.
	Log *slog.Logger
}

// Server is the activation page's server, listening.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	token   string
	port    string
	url     string
	urlFile string
	files   fs.FS
	log     *slog.Logger

	mu sync.Mutex // serialises calls to a
	a  *agent.Agent

	stopOnce sync.Once
}

// Listen checks cfg.Addr, makes the token, listens, and writes the URL
// file. An address that is not a loopback one, or one that resolves or
// binds to another, is refused.
func Listen(cfg Config) (*Server, error) {
	if cfg.Agent == nil {
		return nil, errors.New("webui: no agent")
	}
	if err := agent.CheckWebAddr(cfg.Addr); err != nil {
		return nil, hint.Wrap(fmt.Errorf("webui: %s", strings.TrimPrefix(err.Error(), "agent: ")),
			"give a loopback address such as --web 127.0.0.1:0, or no --web at all")
	}
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	var tb [TokenSize]byte
	if _, err := io.ReadFull(r, tb[:]); err != nil {
		return nil, fmt.Errorf("webui: making the token: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	ap, err := netip.ParseAddrPort(ln.Addr().String())
	if err != nil || !ap.Addr().Unmap().IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("webui: %s is bound to %s, which is not a loopback address", cfg.Addr, ln.Addr())
	}
	s := &Server{
		ln:      ln,
		token:   base64.RawURLEncoding.EncodeToString(tb[:]),
		port:    strconv.Itoa(int(ap.Port())),
		urlFile: cfg.URLFile,
		files:   cfg.Files,
		log:     cfg.Log,
		a:       cfg.Agent,
	}
	if s.files == nil {
		s.files = site.Files()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.url = "http://" + ln.Addr().String() + "/?t=" + s.token
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	if s.urlFile != "" {
		if err := atomicfile.Write(s.urlFile, []byte(s.url+"\n"), 0o600); err != nil {
			ln.Close()
			return nil, fmt.Errorf("webui: writing %s: %w", s.urlFile, err)
		}
	}
	return s, nil
}

// URL returns the page's URL, token included: http://127.0.0.1:PORT/?t=TOKEN.
func (s *Server) URL() string { return s.url }

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until ctx is done, then stops accepting, waits up
// to five seconds for requests in flight, and removes the URL file.
func (s *Server) Serve(ctx context.Context) error {
	defer s.Close()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("webui: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("webui: %w", err)
	}
	return nil
}

// Close stops listening at once and removes the URL file, when it still
// holds this server's URL. Serve calls it; call it for a server that is
// never served.
func (s *Server) Close() error {
	var err error
	s.stopOnce.Do(func() {
		err = s.srv.Close()
		if s.urlFile != "" {
			if b, rerr := os.ReadFile(s.urlFile); rerr == nil && string(b) == s.url+"\n" {
				os.Remove(s.urlFile)
			}
		}
	})
	return err
}

// tokenOK compares a token given by a client with the server's in
// constant time.
func (s *Server) tokenOK(given string) bool {
	return subtle.ConstantTimeCompare([]byte(given), []byte(s.token)) == 1
}
