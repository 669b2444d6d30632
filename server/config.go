package server

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/internal/settings"
)

// Config is everything `licet serve` needs. Build it with [DefaultConfig]
// and [Bind] (flags > environment > file > default), or fill it directly in
// tests.
type Config struct {
	// DataDir holds the SQLite database, the generated TLS certificate and
	// nothing else. Created (0700) when missing.
	DataDir string
	// Listen is the TCP address to listen on; port 0 picks a free port.
	Listen string
	// Database is a postgres:// URL, or empty for SQLite in DataDir/licet.db.
	Database string
	// TLSCert and TLSKey name a PEM certificate and key; TLSSelfSigned makes
	// and reuses a self-signed one in DataDir instead.
	TLSCert, TLSKey string
	TLSSelfSigned   bool
	// PublicURL is the portal's address as users and QR codes reach it
	// (setup link, request URLs). Empty means derived from Listen.
	PublicURL string
	// PassphraseFile names the file holding the passphrase that seals the
	// vendor root key (else LICET_PASSPHRASE, else a prompt).
	PassphraseFile string
	// LogFormat is "text" or "json"; LogLevel is debug, info, warn or error.
	LogFormat, LogLevel string
	// HTTP server timeouts and the grace period of a shutdown.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout, ShutdownTimeout time.Duration
	// SessionTTL is how long an idle portal session stays valid; at most
	// MaxSessionTTL, the life of a session however active.
	SessionTTL time.Duration

	// Passphrase returns the root key passphrase; confirm asks twice (first
	// start). Required.
	Passphrase func(confirm bool) ([]byte, error)
	// Console receives the lines meant for the person starting the server:
	// URL, setup link, certificate fingerprint. Logs go to Log.
	Console io.Writer
	// Log receives structured logs; nil means standard error.
	Log io.Writer
	// Now and Rand default to time.Now and crypto/rand.
	Now  func() time.Time
	Rand io.Reader
	// Version is reported in the OpenAPI document and /healthz.
	Version string
	// Ready, when set, is called once the server listens, with its URL.
	Ready func(url string)
}

// DefaultConfig returns the defaults that [Bind] documents.
func DefaultConfig() Config { return table.Defaults() }

func dur(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration (like 30s or 2m)", v)
		}
		if d <= 0 {
			return fmt.Errorf("%q must be positive", v)
		}
		*p(c) = d
		return nil
	}
}

// configFileEnv names the configuration file when --config is not given.
const configFileEnv = "LICET_CONFIG"

// table is every setting of `licet serve`.
var table = &settings.Table[Config]{
	FileEnv: configFileEnv,
	Settings: []settings.Setting[Config]{
		{Name: "data", Env: "LICET_DATA", Default: "licet-data", Help: "directory for the embedded database and generated files",
			Parse: settings.String(func(c *Config) *string { return &c.DataDir })},
		{Name: "listen", Env: "LICET_LISTEN", Default: "127.0.0.1:8080", Help: "address to listen on (host:port)",
			Parse: func(c *Config, v string) error {
				if _, _, err := net.SplitHostPort(v); err != nil {
					return fmt.Errorf("%q is not host:port", v)
				}
				c.Listen = v
				return nil
			}},
		{Name: "database", Env: "LICET_DATABASE", Help: "postgres://... URL; empty for SQLite in the data directory",
			Parse: func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
					return errors.New("must be a postgres:// URL, or empty for the embedded SQLite database")
				}
				c.Database = v
				return nil
			}},
		{Name: "tls-cert", Env: "LICET_TLS_CERT", Help: "PEM certificate file for HTTPS (with --tls-key)",
			Parse: settings.String(func(c *Config) *string { return &c.TLSCert })},
		{Name: "tls-key", Env: "LICET_TLS_KEY", Help: "PEM private key file for HTTPS (with --tls-cert)",
			Parse: settings.String(func(c *Config) *string { return &c.TLSKey })},
		{Name: "tls-self-signed", Env: "LICET_TLS_SELF_SIGNED", Default: "false", Bool: true,
			Help: "serve HTTPS with a self-signed certificate kept in the data directory",
			Parse: func(c *Config, v string) error {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return fmt.Errorf("%q is not true or false", v)
				}
				c.TLSSelfSigned = b
				return nil
			}},
		{Name: "public-url", Env: "LICET_PUBLIC_URL", Help: "URL users and QR codes reach the portal at; empty derives it from --listen",
			Parse: func(c *Config, v string) error {
				if v == "" {
					c.PublicURL = ""
					return nil
				}
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
					return fmt.Errorf("%q is not an http:// or https:// URL without query", v)
				}
				c.PublicURL = strings.TrimRight(v, "/")
				return nil
			}},
		{Name: "passphrase-file", Env: "LICET_PASSPHRASE_FILE", Help: "file holding the root key passphrase (else LICET_PASSPHRASE, else a prompt)",
			Parse: settings.String(func(c *Config) *string { return &c.PassphraseFile })},
		{Name: "log-format", Env: "LICET_LOG_FORMAT", Default: "text", Help: "log format: text or json",
			Parse: settings.OneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{Name: "log-level", Env: "LICET_LOG_LEVEL", Default: "info", Help: "log level: debug, info, warn or error",
			Parse: settings.OneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
		{Name: "read-header-timeout", Env: "LICET_READ_HEADER_TIMEOUT", Default: "10s", Help: "time allowed to read request headers",
			Parse: dur(func(c *Config) *time.Duration { return &c.ReadHeaderTimeout })},
		{Name: "read-timeout", Env: "LICET_READ_TIMEOUT", Default: "30s", Help: "time allowed to read a whole request",
			Parse: dur(func(c *Config) *time.Duration { return &c.ReadTimeout })},
		{Name: "write-timeout", Env: "LICET_WRITE_TIMEOUT", Default: "60s", Help: "time allowed to write a response",
			Parse: dur(func(c *Config) *time.Duration { return &c.WriteTimeout })},
		{Name: "idle-timeout", Env: "LICET_IDLE_TIMEOUT", Default: "2m", Help: "how long an idle keep-alive connection stays open",
			Parse: dur(func(c *Config) *time.Duration { return &c.IdleTimeout })},
		{Name: "shutdown-timeout", Env: "LICET_SHUTDOWN_TIMEOUT", Default: "15s", Help: "grace period for requests in flight at shutdown",
			Parse: dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
		{Name: "session-ttl", Env: "LICET_SESSION_TTL", Default: "30m", Help: "how long a portal session lasts without use (at most 12h, its life after sign-in)",
			Parse: dur(func(c *Config) *time.Duration { return &c.SessionTTL })},
	},
}

// Bind registers one flag per setting on fs (plus --config FILE) and
// returns a function that, once fs is parsed, resolves the configuration:
// a flag given on the command line wins over the environment variable,
// which wins over the file (--config, else $LICET_CONFIG), which wins over
// the default. Any bad value is an error naming where it came from, and so
// is a bad combination of values.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	resolve := table.Bind(fs, getenv)
	return func() (Config, error) {
		c, err := resolve()
		if err != nil {
			return Config{}, err
		}
		return c, c.check()
	}
}

// MaxSessionTTL is the life of a portal session after sign-in, however
// active (package auth's default SessionLifetime).
const MaxSessionTTL = 12 * time.Hour

// check validates combinations of settings.
func (c *Config) check() error {
	if c.DataDir == "" {
		return errors.New("--data: must not be empty")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if c.TLSCert != "" && c.TLSSelfSigned {
		return errors.New("--tls-self-signed and --tls-cert exclude each other")
	}
	if c.SessionTTL > MaxSessionTTL {
		return fmt.Errorf("--session-ttl: %s is longer than %s, the life of a session however active", c.SessionTTL, MaxSessionTTL)
	}
	return nil
}

// tls reports whether the server speaks HTTPS.
func (c *Config) tls() bool { return c.TLSCert != "" || c.TLSSelfSigned }

// logger is the logger the configuration describes (LogFormat, LogLevel, Log).
func (c *Config) logger() *slog.Logger { return settings.Logger(c.Log, c.LogFormat, c.LogLevel) }

// SettingDoc describes one setting, for help text and documentation.
type SettingDoc = settings.Doc

// Settings lists every setting with its variable and default, as
// docs/config.md documents them.
func Settings() []SettingDoc { return table.Docs() }
