package webui

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"licet.dev/licet/site"
)

// pageFile is the page, under the files' root.
const pageFile = "terminal/index.html"

// shared lists the parts of the site tree, besides terminal/, that the page
// may load: the portal's modules, styles, the WebAssembly codec and the
// vendored QR reader (zxing-wasm) for browsers without BarcodeDetector.
var shared = []string{"js/", "css/", "wasm/", "vendor/", "favicon.svg"}

// serveFile answers GET and HEAD for the page and its files. "/" and
// "/index.html" (also under /terminal/) are the page, which needs the
// token; "/NAME" is terminal/NAME, "/terminal/NAME" too, and the shared
// trees are served under their own names. Anything else is 404.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	switch name {
	case "", ".", "index.html", "terminal", "terminal/index.html":
		if !s.checkToken(w, r) {
			return
		}
		if !s.sendFile(w, r, pageFile) {
			s.fail(w, r, &httpError{Status: http.StatusNotFound, Code: "no-page",
				Public: "this licetd was built without the activation page (site/static/terminal/index.html)"})
		}
		return
	}
	// A token given with a file must be right, though files need none.
	if len(r.URL.Query()["t"]) > 0 || len(r.Header.Values(TokenHeader)) > 0 {
		if !s.checkToken(w, r) {
			return
		}
	}
	var try []string
	if strings.HasPrefix(name, "terminal/") {
		try = append(try, name)
	} else {
		try = append(try, "terminal/"+name)
		for _, sh := range shared {
			if name == sh || strings.HasSuffix(sh, "/") && strings.HasPrefix(name, sh) {
				try = append(try, name)
			}
		}
	}
	for _, n := range try {
		if s.sendFile(w, r, n) {
			return
		}
	}
	s.fail(w, r, &httpError{Status: http.StatusNotFound, Code: "not-found", Public: "no such file: " + r.URL.Path})
}

// sendFile sends the file name of s.files, or its precompressed name.gz to
// a client that accepts gzip, and reports whether it exists. The .gz files
// themselves are not served by name.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, name string) bool {
	if !fs.ValidPath(name) || strings.HasSuffix(name, ".gz") {
		return false
	}
	f, err := s.files.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	h := w.Header()
	h.Set("Content-Type", site.ContentType(name))
	h.Set("Cache-Control", "no-cache")
	if _, err := fs.Stat(s.files, name+".gz"); err == nil {
		h.Add("Vary", "Accept-Encoding")
		if site.AcceptsGzip(r.Header.Get("Accept-Encoding")) {
			if gz, err := s.files.Open(name + ".gz"); err == nil {
				defer gz.Close()
				f = gz
				h.Set("Content-Encoding", "gzip")
			}
		}
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			s.fail(w, r, err)
			return true
		}
		rs = bytes.NewReader(b)
	}
	http.ServeContent(w, r, path.Base(name), time.Time{}, rs)
	return true
}
