// Package site is the Licet web front end: the vendor portal as plain ES
// modules, CSS and the WebAssembly codec, embedded so that the server binary
// is one file. Handler serves it.
//
// The portal is a single page: index.html is the shell for "/", for the
// one-time setup link "/setup#TOKEN", for the request URLs "/R/<BASE32>"
// that a terminal's QR code carries and for the phone-pairing links
// "/P/<TOKEN>"; hash routes (#/orders, #/activate, ...) select the page
// inside it. workbench.html is the offline workbench, which needs no
// server; terminal/ is licetd's activation page (agent/webui serves it,
// with Files). Every response carries a strict
// Content-Security-Policy that allows scripts only from the site itself and
// WebAssembly compilation ('wasm-unsafe-eval'), and nothing inline.
package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:static
var static embed.FS

// ContentSecurityPolicy is sent with every response of Handler. It allows
// only same-origin scripts, styles, images, fetches and workers, WebAssembly
// compilation, and no framing, plugins or inline code.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self' 'wasm-unsafe-eval'; " +
	"style-src 'self'; " +
	"img-src 'self' data: blob:; " +
	"media-src 'self' blob:; " +
	"connect-src 'self'; " +
	"worker-src 'self' blob:; " +
	"font-src 'self'; " +
	"manifest-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'self'; " +
	"frame-ancestors 'none'"

// contentTypes fixes the types that matter for the browser instead of
// relying on the system's MIME tables: module scripts must be JavaScript and
// WebAssembly must be application/wasm for streaming compilation.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".json":        "application/json",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".txt":         "text/plain; charset=utf-8",
	".webmanifest": "application/manifest+json",
}

// file is one embedded file, read once at start.
type file struct {
	name  string
	body  []byte
	gz    []byte // the precompressed NAME.gz next to it, if any
	etag  string
	ctype string
}

// Handler returns the handler that serves the portal's files. Request paths
// "/", "/index.html", "/setup" and "/R/..." (also "/r/...") get the app
// shell; other paths name files under static/. Only GET and HEAD are
// allowed. Responses are revalidated with strong ETags (Cache-Control:
// no-cache), and a precompressed NAME.gz is sent to clients that accept gzip.
func Handler() http.Handler {
	h, err := newHandler(static)
	if err != nil {
		// The embedded tree is fixed at build time; a failure here is a
		// build defect, not a runtime condition.
		panic("site: " + err.Error())
	}
	return h
}

// newHandler serves the files under static/ of fsys.
func newHandler(fsys fs.FS) (*handler, error) {
	files, err := load(fsys)
	if err != nil {
		return nil, err
	}
	return &handler{files: files}, nil
}

// Files returns the embedded files under static/ (index.html, js/, css/,
// wasm/, terminal/, ...) for servers that lay them out their own way:
// licetd's activation page (package agent/webui) serves terminal/ at its
// root. The files are read from the binary, not copied.
func Files() fs.FS {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic("site: " + err.Error()) // fixed at build time
	}
	return sub
}

// HasWasm reports whether the WebAssembly codec (static/wasm/licet.wasm,
// built by `make wasm`) was embedded. Without it the portal still works,
// but device codes are checked only by the server.
func HasWasm() bool {
	_, err := fs.Stat(static, "static/wasm/licet.wasm")
	return err == nil
}

func load(fsys fs.FS) (map[string]*file, error) {
	root, err := fs.Sub(fsys, "static")
	if err != nil {
		return nil, err
	}
	files := map[string]*file{}
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") {
			return err
		}
		body, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &file{
			name:  path.Base(p),
			body:  body,
			etag:  `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
			ctype: ContentType(p),
		}
		if gz, err := fs.ReadFile(root, p+".gz"); err == nil {
			f.gz = gz
		}
		files["/"+p] = f
		return nil
	})
	if err != nil {
		return nil, err
	}
	if files["/index.html"] == nil {
		return nil, fmt.Errorf("static/index.html missing")
	}
	return files, nil
}

// ContentType returns the Content-Type the site's files are served with,
// by the name's extension: fixed for the types the browser depends on,
// else the system's, else application/octet-stream. Servers that serve
// the files their own way (package agent/webui) use it too.
func ContentType(p string) string {
	ext := path.Ext(p)
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

type handler struct {
	files map[string]*file
}

// isShell reports whether a request path is one of the app's own URLs,
// answered with index.html.
func isShell(p string) bool {
	switch {
	case p == "/", p == "/index.html", p == "/setup", p == "/setup/":
		return true
	case strings.HasPrefix(p, "/R/"), strings.HasPrefix(p, "/r/"), strings.HasPrefix(p, "/P/"), strings.HasPrefix(p, "/p/"):
		return len(p) > 3 && !strings.Contains(p[3:], "/")
	}
	return false
}

// SecurityHeaders sets the headers every response of the pages' servers
// carries: ContentSecurityPolicy, no sniffing, no framing, no referrer, a
// browsing context of their own, and the camera for this origin only.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()")
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	SecurityHeaders(hdr)

	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	if isShell(p) {
		p = "/index.html"
	}
	f := h.files[p]
	if f == nil {
		http.NotFound(w, r)
		return
	}
	hdr.Set("Content-Type", f.ctype)
	hdr.Set("Cache-Control", "no-cache")
	body, etag := f.body, f.etag
	if f.gz != nil {
		hdr.Add("Vary", "Accept-Encoding")
		if AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			hdr.Set("Content-Encoding", "gzip")
			body, etag = f.gz, strings.TrimSuffix(f.etag, `"`)+`-gz"`
		}
	}
	hdr.Set("ETag", etag)
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(body))
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip (and
// does not refuse it with q=0): whether a precompressed NAME.gz may be
// sent.
func AcceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		params = strings.ReplaceAll(params, " ", "")
		return params != "q=0" && params != "q=0.0" && params != "q=0.00" && params != "q=0.000"
	}
	return false
}
