package server

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
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
func DefaultConfig() Config {
	c := Config{}
	for _, s := range settings {
		if err := s.set(&c, s.def); err != nil {
			panic("server: bad default for " + s.name + ": " + err.Error())
		}
	}
	return c
}

// setting is one configurable value: its flag and file key, environment
// variable, default and parser.
type setting struct {
	name, env, def, help string
	boolean              bool
	set                  func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

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

func oneOf(p func(*Config) *string, allowed ...string) func(*Config, string) error {
	return func(c *Config, v string) error {
		for _, a := range allowed {
			if v == a {
				*p(c) = v
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

var settings = []setting{
	{name: "data", env: "LICET_DATA", def: "licet-data", help: "directory for the embedded database and generated files",
		set: str(func(c *Config) *string { return &c.DataDir })},
	{name: "listen", env: "LICET_LISTEN", def: "127.0.0.1:8080", help: "address to listen on (host:port)",
		set: func(c *Config, v string) error {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("%q is not host:port", v)
			}
			c.Listen = v
			return nil
		}},
	{name: "database", env: "LICET_DATABASE", def: "", help: "postgres://... URL; empty for SQLite in the data directory",
		set: func(c *Config, v string) error {
			if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
				return errors.New("must be a postgres:// URL, or empty for the embedded SQLite database")
			}
			c.Database = v
			return nil
		}},
	{name: "tls-cert", env: "LICET_TLS_CERT", def: "", help: "PEM certificate file for HTTPS (with --tls-key)",
		set: str(func(c *Config) *string { return &c.TLSCert })},
	{name: "tls-key", env: "LICET_TLS_KEY", def: "", help: "PEM private key file for HTTPS (with --tls-cert)",
		set: str(func(c *Config) *string { return &c.TLSKey })},
	{name: "tls-self-signed", env: "LICET_TLS_SELF_SIGNED", def: "false", boolean: true,
		help: "serve HTTPS with a self-signed certificate kept in the data directory",
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			c.TLSSelfSigned = b
			return nil
		}},
	{name: "public-url", env: "LICET_PUBLIC_URL", def: "", help: "URL users and QR codes reach the portal at; empty derives it from --listen",
		set: func(c *Config, v string) error {
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
	{name: "passphrase-file", env: "LICET_PASSPHRASE_FILE", def: "", help: "file holding the root key passphrase (else LICET_PASSPHRASE, else a prompt)",
		set: str(func(c *Config) *string { return &c.PassphraseFile })},
	{name: "log-format", env: "LICET_LOG_FORMAT", def: "text", help: "log format: text or json",
		set: oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
	{name: "log-level", env: "LICET_LOG_LEVEL", def: "info", help: "log level: debug, info, warn or error",
		set: oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
	{name: "read-header-timeout", env: "LICET_READ_HEADER_TIMEOUT", def: "10s", help: "time allowed to read request headers",
		set: dur(func(c *Config) *time.Duration { return &c.ReadHeaderTimeout })},
	{name: "read-timeout", env: "LICET_READ_TIMEOUT", def: "30s", help: "time allowed to read a whole request",
		set: dur(func(c *Config) *time.Duration { return &c.ReadTimeout })},
	{name: "write-timeout", env: "LICET_WRITE_TIMEOUT", def: "60s", help: "time allowed to write a response",
		set: dur(func(c *Config) *time.Duration { return &c.WriteTimeout })},
	{name: "idle-timeout", env: "LICET_IDLE_TIMEOUT", def: "2m", help: "how long an idle keep-alive connection stays open",
		set: dur(func(c *Config) *time.Duration { return &c.IdleTimeout })},
	{name: "shutdown-timeout", env: "LICET_SHUTDOWN_TIMEOUT", def: "15s", help: "grace period for requests in flight at shutdown",
		set: dur(func(c *Config) *time.Duration { return &c.ShutdownTimeout })},
	{name: "session-ttl", env: "LICET_SESSION_TTL", def: "30m", help: "how long a portal session lasts without use (at most 12h, its life after sign-in)",
		set: dur(func(c *Config) *time.Duration { return &c.SessionTTL })},
}

// configFileEnv names the configuration file when --config is not given.
const configFileEnv = "LICET_CONFIG"

// Bind registers one flag per setting on fs (plus --config FILE) and
// returns a function that, once fs is parsed, resolves the configuration:
// a flag given on the command line wins over the environment variable,
// which wins over the file, which wins over the default. Any bad value is
// an error naming where it came from.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	vals := map[string]*string{}
	for _, s := range settings {
		v := new(string)
		vals[s.name] = v
		help := fmt.Sprintf("%s (%s", s.help, s.env)
		if s.def != "" {
			help += ", default " + s.def
		}
		help += ")"
		if s.boolean {
			fs.Var(boolString{v}, s.name, help)
		} else {
			fs.Var(stringValue{v}, s.name, help)
		}
	}
	file := new(string)
	fs.Var(stringValue{file}, "config", "configuration file of key = value lines ("+configFileEnv+")")
	return func() (Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := DefaultConfig()
		path := *file
		if !given["config"] {
			path = getenv(configFileEnv)
		}
		if path != "" {
			fv, err := readConfigFile(path)
			if err != nil {
				return Config{}, err
			}
			for _, kv := range fv {
				if err := kv.s.set(&c, kv.value); err != nil {
					return Config{}, fmt.Errorf("%s:%d: %s: %w", path, kv.line, kv.s.name, err)
				}
			}
		}
		for _, s := range settings {
			if v := getenv(s.env); v != "" && !given[s.name] {
				if err := s.set(&c, v); err != nil {
					return Config{}, fmt.Errorf("%s: %w", s.env, err)
				}
			}
		}
		for _, s := range settings {
			if given[s.name] {
				if err := s.set(&c, *vals[s.name]); err != nil {
					return Config{}, fmt.Errorf("--%s: %w", s.name, err)
				}
			}
		}
		return c, c.check()
	}
}

type stringValue struct{ p *string }

func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v stringValue) Set(s string) error { *v.p = s; return nil }

type boolString struct{ p *string }

func (v boolString) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}
func (v boolString) Set(s string) error { *v.p = s; return nil }
func (v boolString) IsBoolFlag() bool   { return true }

type fileValue struct {
	s     *setting
	value string
	line  int
}

// readConfigFile reads "key = value" lines; '#' starts a comment; keys are
// the flag names. Unknown keys and malformed lines are errors.
func readConfigFile(path string) ([]fileValue, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	byName := map[string]*setting{}
	for i := range settings {
		byName[settings[i].name] = &settings[i]
	}
	var out []fileValue
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected key = value", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			uq, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %s: bad quoted value", path, n, k)
			}
			v = uq
		}
		s := byName[k]
		if s == nil {
			return nil, fmt.Errorf("%s:%d: unknown setting %q", path, n, k)
		}
		out = append(out, fileValue{s: s, value: v, line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	return out, nil
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

func (c *Config) logger() *slog.Logger {
	w := c.Log
	if w == nil {
		w = os.Stderr
	}
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Usage lists every setting with its variable and default, for help text
// and docs/config.md.
func Usage() []SettingDoc {
	out := make([]SettingDoc, len(settings))
	for i, s := range settings {
		out[i] = SettingDoc{Flag: "--" + s.name, Env: s.env, Default: s.def, Help: s.help}
	}
	return out
}

// SettingDoc describes one setting.
type SettingDoc struct{ Flag, Env, Default, Help string }
