package site

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func readStatic(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(static, "static/"+name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestShellRoutes(t *testing.T) {
	h := Handler()
	index := readStatic(t, "index.html")
	for _, p := range []string{"/", "/index.html", "/setup", "/R/HTTPS0ABCDEF234", "/r/abc", "/P/pairing-token", "/p/x"} {
		rec := get(t, h, "GET", p, nil)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d", p, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", p, got)
		}
		if !bytes.Equal(rec.Body.Bytes(), index) {
			t.Errorf("%s: body is not index.html", p)
		}
	}
}

// TestTerminalPagePaths: the terminal page names its files by absolute
// paths, which agent/webui serves from Files() ("/" is the page, /js/...
// and the other shared trees by their names).
func TestTerminalPagePaths(t *testing.T) {
	page := string(readStatic(t, "terminal/index.html"))
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "/") {
			t.Errorf("terminal/index.html: relative path %s", m[1])
			continue
		}
		readStatic(t, m[1][1:])
	}
}

// TestWorkbenchPaths: the offline workbench names its files relative to
// itself, so that it works from any static server and folder.
func TestWorkbenchPaths(t *testing.T) {
	page := string(readStatic(t, "workbench.html"))
	n := 0
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		n++
		if strings.HasPrefix(m[1], "/") {
			t.Errorf("workbench.html: absolute path %s", m[1])
		}
		readStatic(t, m[1])
	}
	if n < 4 {
		t.Errorf("only %d paths in workbench.html", n)
	}
	for _, p := range staticFiles(t, ".js") {
		src := string(readStatic(t, strings.TrimPrefix(p, "static/")))
		if (strings.HasSuffix(p, "/workbench.js") || strings.HasSuffix(p, "/codec.js") || strings.HasSuffix(p, "/scanner.js")) && strings.Contains(src, "'/api/") {
			t.Errorf("%s calls the API", p)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/", "/js/app.js", "/missing"} {
		rec := get(t, h, "GET", p, nil)
		csp := rec.Header().Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
			t.Errorf("%s: CSP allows inline code or eval: %q", p, csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", p, rec.Header())
		}
	}
}

func TestContentTypes(t *testing.T) {
	h := Handler()
	for p, want := range map[string]string{
		"/js/app.js":            "text/javascript; charset=utf-8",
		"/js/i18n/zh.js":        "text/javascript; charset=utf-8",
		"/css/app.css":          "text/css; charset=utf-8",
		"/favicon.svg":          "image/svg+xml",
		"/js/pages/activate.js": "text/javascript; charset=utf-8",
	} {
		rec := get(t, h, "GET", p, nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != want {
			t.Errorf("%s: %d %q, want 200 %q", p, rec.Code, rec.Header().Get("Content-Type"), want)
		}
	}
	if HasWasm() {
		rec := get(t, h, "GET", "/wasm/licet.wasm", nil)
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/wasm" {
			t.Errorf("licet.wasm: %d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		if !bytes.HasPrefix(rec.Body.Bytes(), []byte("\x00asm")) {
			t.Errorf("licet.wasm is not WebAssembly")
		}
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/nope", "/js/", "/js", "/R/", "/R/a/b", "/api/v1/products", "/setup/x", "/static/index.html", "/js/../index.html"} {
		if rec := get(t, h, "GET", p, nil); rec.Code != 404 {
			t.Errorf("GET %s: %d, want 404", p, rec.Code)
		}
	}
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		rec := get(t, h, m, "/", nil)
		if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /: %d Allow %q", m, rec.Code, rec.Header().Get("Allow"))
		}
	}
	if rec := get(t, h, "HEAD", "/js/app.js", nil); rec.Code != 200 || rec.Body.Len() != 0 {
		t.Errorf("HEAD: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestRevalidation(t *testing.T) {
	h := Handler()
	rec := get(t, h, "GET", "/js/app.js", nil)
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, rec.Header().Get("Cache-Control"))
	}
	if rec := get(t, h, "GET", "/js/app.js", map[string]string{"If-None-Match": etag}); rec.Code != 304 {
		t.Errorf("If-None-Match: %d, want 304", rec.Code)
	}
	if rec := get(t, h, "GET", "/js/app.js", map[string]string{"If-None-Match": `"other"`}); rec.Code != 200 {
		t.Errorf("other ETag: %d, want 200", rec.Code)
	}
	if other := get(t, h, "GET", "/js/api.js", nil).Header().Get("ETag"); other == etag {
		t.Errorf("two files share ETag %s", etag)
	}
}

func TestPrecompressed(t *testing.T) {
	raw := bytes.Repeat([]byte("\x00asm\x01\x00\x00\x00 licet "), 200)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	h, err := newHandler(fstest.MapFS{
		"static/index.html":         {Data: []byte("<!doctype html>")},
		"static/wasm/licet.wasm":    {Data: raw},
		"static/wasm/licet.wasm.gz": {Data: gz.Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		accept string
		gzip   bool
	}{
		{"", false},
		{"gzip, deflate, br", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"gzip;q=0", false},
		{"deflate", false},
	} {
		rec := get(t, h, "GET", "/wasm/licet.wasm", map[string]string{"Accept-Encoding": tc.accept})
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/wasm" || rec.Header().Get("Vary") != "Accept-Encoding" {
			t.Fatalf("%q: %d %v", tc.accept, rec.Code, rec.Header())
		}
		body := rec.Body.Bytes()
		if tc.gzip {
			if rec.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("%q: not gzip-encoded", tc.accept)
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		} else if rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("%q: encoded as %q", tc.accept, rec.Header().Get("Content-Encoding"))
		}
		if !bytes.Equal(body, raw) {
			t.Fatalf("%q: body differs", tc.accept)
		}
	}
	plain := get(t, h, "GET", "/wasm/licet.wasm", nil).Header().Get("ETag")
	zipped := get(t, h, "GET", "/wasm/licet.wasm", map[string]string{"Accept-Encoding": "gzip"}).Header().Get("ETag")
	if plain == zipped {
		t.Errorf("the gzip encoding shares the ETag %s", plain)
	}
	if rec := get(t, h, "GET", "/wasm/licet.wasm.gz", nil); rec.Code != 404 {
		t.Errorf(".gz served directly: %d", rec.Code)
	}
	if _, err := newHandler(fstest.MapFS{"static/a.js": {}}); err == nil {
		t.Error("a tree without index.html was accepted")
	}
}

// staticFiles returns the paths of the embedded files with a suffix.
func staticFiles(t *testing.T, suffix string) []string {
	t.Helper()
	var out []string
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	dictKey    = regexp.MustCompile(`(?m)^\s*'([^']+)':\s*'((?:[^'\\]|\\.)*)',\s*$`)
	tLiteral   = regexp.MustCompile("\\bt\\('([^']+)'")
	tTemplate  = regexp.MustCompile("\\bt\\(`([^`$]*)\\$\\{[^}]+\\}([^`]*)`")
	titleKey   = regexp.MustCompile(`export const title = '([^']+)'`)
	navKey     = regexp.MustCompile(`nav: '([^']+)'`)
	placeholer = regexp.MustCompile(`\{(\w+)\}`)
	importPath = regexp.MustCompile(`(?:from\s+|import\()\s*'(\.{1,2}/[^']+)'`)
)

func dictionary(t *testing.T, lang string) map[string]string {
	t.Helper()
	src := string(readStatic(t, "js/i18n/"+lang+".js"))
	// All entries inside the one exported object literal.
	_, obj, ok := strings.Cut(src, "\nexport default {")
	end := strings.LastIndex(obj, "\n};")
	if !ok || end < 0 || strings.TrimSpace(obj[end+3:]) != "" || strings.Count(src, "\n  '") != strings.Count(obj[:end], "\n  '") {
		t.Fatalf("%s.js: expected every entry inside one 'export default { ... };'", lang)
	}
	d := map[string]string{}
	for _, m := range dictKey.FindAllStringSubmatch(src, -1) {
		if _, dup := d[m[1]]; dup {
			t.Errorf("%s.js: key %q twice", lang, m[1])
		}
		d[m[1]] = m[2]
	}
	// Every entry line must have been understood.
	if n := strings.Count(src, "\n  '"); n != len(d) {
		t.Errorf("%s.js: %d entry lines, %d parsed", lang, n, len(d))
	}
	return d
}

// TestTranslations checks that both languages have the same keys with the
// same placeholders, and that every key the scripts use exists.
func TestTranslations(t *testing.T) {
	en, zh := dictionary(t, "en"), dictionary(t, "zh")
	if len(en) < 200 {
		t.Fatalf("only %d English strings", len(en))
	}
	for k, v := range en {
		z, ok := zh[k]
		switch {
		case !ok:
			t.Errorf("zh.js lacks %q", k)
		case strings.TrimSpace(z) == "" || strings.TrimSpace(v) == "":
			t.Errorf("%q is empty", k)
		default:
			pe, pz := placeholer.FindAllString(v, -1), placeholer.FindAllString(z, -1)
			slices.Sort(pe)
			slices.Sort(pz)
			if !slices.Equal(pe, pz) {
				t.Errorf("%q: placeholders %v in English, %v in Chinese", k, pe, pz)
			}
		}
	}
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en.js lacks %q", k)
		}
	}
	used := 0
	for _, p := range staticFiles(t, ".js") {
		if strings.Contains(p, "/i18n/") || strings.Contains(p, "/wasm/") || strings.Contains(p, "/vendor/") {
			continue
		}
		src := string(readStatic(t, strings.TrimPrefix(p, "static/")))
		var keys []string
		for _, re := range []*regexp.Regexp{tLiteral, titleKey, navKey} {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				keys = append(keys, m[1])
			}
		}
		for _, k := range keys {
			used++
			if _, ok := en[k]; !ok {
				t.Errorf("%s uses %q, which is not translated", p, k)
			}
		}
		// t(`mode.${m}`): some key must have that shape.
		for _, m := range tTemplate.FindAllStringSubmatch(src, -1) {
			used++
			found := false
			for k := range en {
				if strings.HasPrefix(k, m[1]) && strings.HasSuffix(k, m[2]) && len(k) > len(m[1])+len(m[2]) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: no key matches %s…%s", p, m[1], m[2])
			}
		}
	}
	if used < 150 {
		t.Errorf("found only %d uses of t(); is the pattern still right?", used)
	}
	for _, mode := range []string{"permanent", "periodic", "concurrent", "unlimited", "preactivation"} {
		for _, k := range []string{"mode." + mode, "mode." + mode + ".help"} {
			if _, ok := en[k]; !ok {
				t.Errorf("no %q", k)
			}
		}
	}
}

// TestModules checks that every relative import of every module names an
// embedded file, so that no page fails to load in the browser.
func TestModules(t *testing.T) {
	files := map[string]bool{}
	for _, p := range staticFiles(t, "") {
		files[p] = true
	}
	n := 0
	for _, p := range staticFiles(t, ".js") {
		if strings.Contains(p, "/wasm/") || strings.Contains(p, "/vendor/") {
			continue
		}
		for _, m := range importPath.FindAllStringSubmatch(string(readStatic(t, strings.TrimPrefix(p, "static/"))), -1) {
			n++
			target := path.Join(path.Dir(p), m[1])
			if !files[target] {
				t.Errorf("%s imports %s: no such file", p, m[1])
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d imports found", n)
	}
}

// TestNoInlineCode keeps the pages within the Content-Security-Policy and
// free of HTML injection: no inline scripts, styles or handlers in
// index.html, and no innerHTML in the scripts.
func TestNoInlineCode(t *testing.T) {
	pages := staticFiles(t, ".html")
	if len(pages) < 3 {
		t.Fatalf("html pages: %v", pages)
	}
	for _, p := range pages {
		noInline(t, strings.TrimPrefix(p, "static/"))
	}
	for _, p := range staticFiles(t, ".js") {
		if strings.Contains(p, "/wasm/") || strings.Contains(p, "/vendor/") {
			continue
		}
		src := string(readStatic(t, strings.TrimPrefix(p, "static/")))
		for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"} {
			if strings.Contains(src, bad) {
				t.Errorf("%s uses %s", p, bad)
			}
		}
	}
}

func noInline(t *testing.T, name string) {
	index := string(readStatic(t, name))
	for _, tag := range regexp.MustCompile(`<script\b[^>]*>`).FindAllString(index, -1) {
		if !strings.Contains(tag, ` src="`) {
			t.Errorf("%s: inline script %s", name, tag)
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>[^<\s]`),
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\son[a-z]+=`),
	} {
		if loc := bad.FindStringIndex(index); loc != nil {
			t.Errorf("%s: %q", name, index[loc[0]:loc[1]])
		}
	}
	if !strings.Contains(index, `name="viewport"`) {
		t.Errorf("%s has no viewport meta", name)
	}
}
