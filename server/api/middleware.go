package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/site"
)

type ctxKey int

const keyInfo ctxKey = 0

// reqInfo is what the layers of one request learn about it: the observe
// middleware creates it, authentication fills in the principal.
type reqInfo struct {
	id        string
	principal *auth.Principal
}

func infoOf(ctx context.Context) *reqInfo {
	ri, _ := ctx.Value(keyInfo).(*reqInfo)
	return ri
}

func requestID(ctx context.Context) string {
	if ri := infoOf(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// statusWriter remembers the status code and the bytes written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe wraps the whole handler tree: request id, security headers, panic
// recovery, metrics and one structured log line per request. It never logs
// headers, cookies, query strings or bodies, so no secret reaches the log.
func (a *API) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var idb [8]byte
		rand.Read(idb[:])
		id := hex.EncodeToString(idb[:])
		ctx := context.WithValue(r.Context(), keyInfo, &reqInfo{id: id})
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		site.SecurityHeaders(w.Header())
		w.Header().Set("X-Request-Id", id)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.log.Error("panic serving request", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					a.writeError(sw, r, fmt.Errorf("panic: %v", v))
				}
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			a.metrics.observe(route, status, d)
			attrs := []slog.Attr{
				slog.String("request_id", id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Int64("bytes", sw.bytes),
				slog.Duration("duration", d),
				slog.String("remote", a.auth.ClientIP(r)),
			}
			if p := infoOf(ctx).principal; p != nil {
				attrs = append(attrs, slog.String("account", p.Actor()))
			}
			a.log.LogAttrs(r.Context(), slog.LevelInfo, "http request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}
