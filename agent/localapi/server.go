package localapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Source answers the API's questions; the daemon implements it. Its methods
// are called concurrently.
type Source interface {
	// Status returns the terminal's status now.
	Status() Status
	// License returns the signed license file as armoured text, and false
	// when the terminal is not licensed.
	License() ([]byte, bool)
}

// ContentTypeLicense is the media type of GET /v1/license.
const ContentTypeLicense = "application/x-licet-license"

// NewHandler returns the API's HTTP handler.
func NewHandler(src Source) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, src.Status())
	})
	mux.HandleFunc("GET /v1/features/{name}", func(w http.ResponseWriter, r *http.Request) {
		st := src.Status()
		name := r.PathValue("name")
		f := Feature{Name: name, Licensed: st.Licensed, State: st.State, Reason: st.Reason}
		if v, ok := st.Features[name]; ok && st.Licensed {
			f.Granted, f.Value = true, v
		}
		writeJSON(w, http.StatusOK, f)
	})
	mux.HandleFunc("GET /v1/license", func(w http.ResponseWriter, r *http.Request) {
		b, ok := src.License()
		if !ok {
			writeProblem(w, http.StatusNotFound, "no-license", "the terminal holds no valid license")
			return
		}
		w.Header().Set("Content-Type", ContentTypeLicense)
		w.Write(b)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/v1/status", p == "/v1/license", strings.HasPrefix(p, "/v1/features/") && len(p) > len("/v1/features/"):
			w.Header().Set("Allow", "GET, HEAD")
			writeProblem(w, http.StatusMethodNotAllowed, "method-not-allowed", r.Method+" is not allowed on "+r.URL.Path)
			return
		}
		writeProblem(w, http.StatusNotFound, "not-found", "no such endpoint: "+r.URL.Path)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeProblem(w http.ResponseWriter, code int, kind, detail string) {
	p := Problem{Type: "about:blank", Title: http.StatusText(code), Status: code, Code: kind, Detail: detail}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// Listen creates the Unix socket at path with the given permission bits and,
// when gid is not negative, that group. The socket's directory is created
// (mode 0755) when missing. A socket file left by a process that is gone is
// replaced; a socket that answers, or a file that is not a socket, is an
// error.
//
// The socket is made in a new directory of mode 0700 beside path, given
// its group and mode there, and only then linked to path, so that no one
// can connect while it still has the mode a fresh socket gets from the
// umask. Closing the listener removes the socket file, when path still
// names it.
func Listen(path string, mode fs.FileMode, gid int) (net.Listener, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("localapi: socket directory: %w", err)
	}
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, fmt.Errorf("localapi: %s exists and is not a socket", path)
		}
		if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
			c.Close()
			return nil, errListening(path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("localapi: removing stale socket: %w", err)
		}
	}
	// Short names: a socket path has at most about 100 bytes.
	private, err := os.MkdirTemp(dir, ".s*")
	if err != nil {
		return nil, fmt.Errorf("localapi: socket directory: %w", err)
	}
	defer os.RemoveAll(private)
	tmp := filepath.Join(private, "s")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("localapi: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	fail := func(err error) (net.Listener, error) {
		ln.Close()
		return nil, err
	}
	if gid >= 0 {
		if err := os.Chown(tmp, -1, gid); err != nil {
			return fail(fmt.Errorf("localapi: socket group: %w", err))
		}
	}
	if err := os.Chmod(tmp, mode.Perm()); err != nil {
		return fail(fmt.Errorf("localapi: socket mode: %w", err))
	}
	// A link, unlike a rename, never replaces a socket that another
	// process made at path meanwhile.
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return fail(errListening(path))
	} else if err != nil {
		// File systems without hard links.
		if err := os.Rename(tmp, path); err != nil {
			return fail(fmt.Errorf("localapi: %w", err))
		}
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fail(fmt.Errorf("localapi: %w", err))
	}
	return &socket{UnixListener: ln, path: path, file: fi}, nil
}

func errListening(path string) error {
	return fmt.Errorf("localapi: another process is listening on %s", path)
}

// socket is a listener on a socket file linked into place by Listen.
type socket struct {
	*net.UnixListener
	path string
	file fs.FileInfo
	once sync.Once
}

// Addr returns the socket's path.
func (s *socket) Addr() net.Addr { return &net.UnixAddr{Name: s.path, Net: "unix"} }

// Close stops listening and removes the socket file, when path still
// names it and not a socket that another process made since.
func (s *socket) Close() error {
	err := s.UnixListener.Close()
	s.once.Do(func() {
		if fi, lerr := os.Lstat(s.path); lerr == nil && os.SameFile(fi, s.file) {
			os.Remove(s.path)
		}
	})
	return err
}

// Serve answers requests on ln until ctx is done, then stops accepting and
// waits up to five seconds for requests in flight. It closes ln.
func Serve(ctx context.Context, ln net.Listener, src Source) error {
	srv := &http.Server{
		Handler:           NewHandler(src),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("localapi: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}
