// Package server wires the Licet vendor portal together: configuration,
// database, root key, HTTP server and its life cycle. The API itself lives
// in package api, the storage in package store.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"licet.dev/licet/server/api"
	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/hub"
	"licet.dev/licet/server/store"
	"licet.dev/licet/site"
)

// PassphraseError means the passphrase given does not open the root key.
type PassphraseError struct{ Err error }

func (e *PassphraseError) Error() string { return e.Err.Error() }
func (e *PassphraseError) Unwrap() error { return e.Err }

// Run serves the portal until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, cfg Config) error {
	start := time.Now()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Console == nil {
		cfg.Console = io.Discard
	}
	if cfg.Passphrase == nil {
		return errors.New("no passphrase source")
	}
	if err := cfg.check(); err != nil {
		return err
	}
	log := cfg.logger()

	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	dsn := cfg.Database
	if dsn == "" {
		dsn = filepath.Join(cfg.DataDir, "licet.db")
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()

	keys, created, err := api.OpenKeyring(ctx, st, cfg.Passphrase, cfg.Rand, cfg.Now())
	if errors.Is(err, api.ErrWrongPassphrase) {
		return &PassphraseError{Err: err}
	}
	if err != nil {
		return err
	}
	// Opening the key ran Argon2id over 64 MiB; give that memory back.
	debug.FreeOSMemory()
	kid := keys.Active().Public().ID()
	if created {
		log.Info("created the vendor root key", "key_id", kid.String())
	}

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	scheme, fp := "http", ""
	if cfg.tls() {
		cert, f, err := loadTLS(&cfg, cfg.Rand, cfg.Now())
		if err != nil {
			ln.Close()
			return err
		}
		scheme, fp = "https", f
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12})
	}
	public := cfg.PublicURL
	if public == "" {
		host, port, _ := net.SplitHostPort(ln.Addr().String())
		if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
			host = "localhost"
		}
		public = scheme + "://" + net.JoinHostPort(host, port)
	}

	metrics := api.NewMetrics(start)
	pairings := hub.New(st, hub.Config{Now: cfg.Now, Rand: cfg.Rand, Log: log})
	// The session cookie is Secure, with the __Host- prefix, when browsers
	// reach the portal over HTTPS (served here, or by a proxy in front of a
	// public https:// URL). Browsers refuse such a cookie from a plain-HTTP
	// page (loopback development, tests), which gets a plain cookie instead.
	secure := cfg.tls() || strings.HasPrefix(public, "https://")
	a, err := api.New(api.Options{Store: st, Keys: keys, Metrics: metrics, Log: log, Now: cfg.Now, Rand: cfg.Rand,
		PublicURL: public, Version: cfg.Version, Site: site.Handler(), Hub: pairings,
		Auth: auth.Config{SessionIdle: cfg.SessionTTL, SessionLifetime: MaxSessionTTL, InsecureCookies: !secure}})
	if err != nil {
		ln.Close()
		return err
	}
	metrics.AddGauge("licet_root_keys", "Root keys in the trust set.", func() (float64, error) {
		ks, err := st.RootKeys(context.Background())
		return float64(len(ks)), err
	})

	fmt.Fprintf(cfg.Console, "Licet portal: %s\n", public)
	if fp != "" {
		fmt.Fprintf(cfg.Console, "TLS certificate SHA-256 fingerprint: %s\n", fp)
	}
	fmt.Fprintf(cfg.Console, "Root key: %s\n", kid)
	tok, ok, err := a.Auth().EnsureSetupToken(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("creating the setup link: %w", err)
	}
	if ok {
		fmt.Fprintf(cfg.Console, "No account yet. Open this one-time link within %s to set the admin password:\n  %s\n",
			a.Auth().Config().SetupLifetime, auth.SetupLink(public, tok))
	}

	srv := &http.Server{
		Handler:           a,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The pairing hub delivers what phones post on other replicas and
	// ends expired pairings; it closes its websockets when ctx is done.
	go pairings.Run(ctx)
	log.Info("listening", "addr", ln.Addr().String(), "url", public, "tls", cfg.tls(), "startup", time.Since(start))
	if cfg.Ready != nil {
		cfg.Ready(public)
	}

	// Replicas sharing a database pick up a rotated key and drop old
	// sessions.
	tick := time.NewTicker(30 * time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-errc:
			return fmt.Errorf("serving: %w", err)
		case <-tick.C:
			if err := keys.Refresh(ctx); err != nil {
				log.Warn("refreshing the root key", "err", err)
			}
			if _, err := a.Auth().Sweep(ctx); err != nil {
				log.Warn("removing expired sessions", "err", err)
			}
			if _, err := st.DeleteExpiredPairings(ctx, cfg.Now().Add(-time.Hour)); err != nil {
				log.Warn("removing expired pairings", "err", err)
			}
		case <-ctx.Done():
			log.Info("shutting down")
			sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			defer cancel()
			if err := srv.Shutdown(sctx); err != nil {
				return fmt.Errorf("shutting down: %w", err)
			}
			return nil
		}
	}
}
