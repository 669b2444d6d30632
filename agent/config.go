package agent

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/user"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/airgap"
)

// ClockPolicy says what a clock turned back beyond the tolerance does.
type ClockPolicy uint8

// Clock policies.
const (
	// ClockDeny makes the terminal unlicensed until the clock is right
	// again. The default.
	ClockDeny ClockPolicy = iota
	// ClockWarn keeps the terminal licensed, with a warning; expiry is
	// still judged by the trusted time, never by the clock turned back.
	ClockWarn
)

// String returns "deny" or "warn".
func (p ClockPolicy) String() string {
	if p == ClockWarn {
		return "warn"
	}
	return "deny"
}

// Default paths.
const (
	DefaultState       = "/var/lib/licetd"
	DefaultConfigFile  = "/etc/licetd/config"
	DefaultLicenseFile = "/run/licetd/license"
)

// Config is everything the terminal daemon and its commands need. Build it
// with DefaultConfig and Bind (flags > environment > file > default), or
// fill it directly in tests.
type Config struct {
	// State is the state directory (created 0700).
	State string
	// Sysroot is the directory the machine is read through ("/").
	Sysroot string
	// Trust lists files of trusted vendor root public keys.
	Trust []string
	// Portal is the vendor portal's base URL, for request URLs; empty
	// means request URLs are not shown.
	Portal string
	// InstanceID selects identity mode (containers, cloud desktops): the
	// terminal is identified by this id instead of its hardware.
	InstanceID string
	// Socket is the local API's Unix socket; SocketMode its permission
	// bits; SocketGroup, when set, the group that may connect.
	Socket      string
	SocketMode  fs.FileMode
	SocketGroup string
	// LicenseFile is where the daemon writes the signed license (armoured,
	// mode 0644) for applications that verify it themselves; removed
	// while the terminal is not licensed. Empty disables it.
	LicenseFile string
	// Web is the loopback address (host:port; port 0 picks one) where
	// `licetd run` serves the activation page (package agent/webui);
	// empty means no page. CheckWebAddr says which addresses are allowed.
	Web string
	// WarnBefore is how long before expiry warnings start.
	WarnBefore time.Duration
	// ClockTolerance is how far the clock may be behind the trusted time
	// before it counts as turned back; ClockPolicy says what happens then.
	ClockTolerance time.Duration
	ClockPolicy    ClockPolicy
	// CheckInterval is the longest the daemon sleeps between checks of
	// the machine and the state (never less than a minute).
	CheckInterval time.Duration
	// LogFormat is "text" or "json"; LogLevel debug, info, warn or error.
	LogFormat, LogLevel string

	// Log receives the daemon's structured logs; nil means standard error.
	Log io.Writer
	// Now is the clock; nil means time.Now. Tests inject it.
	Now func() time.Time
	// Rand is the source of nonces and ids; nil means crypto/rand.
	Rand io.Reader
	// Ready, when set, is called by Run once the socket listens.
	Ready func(socket string)
}

// DefaultConfig returns the defaults that Bind documents.
func DefaultConfig() Config {
	var c Config
	for _, s := range settings {
		if s.list {
			continue
		}
		if err := s.set(&c, s.def); err != nil {
			panic("agent: bad default for " + s.name + ": " + err.Error())
		}
	}
	return c
}

type setting struct {
	name, env, def, help string
	list                 bool // repeatable; the environment variable holds a ':'-separated list
	set                  func(c *Config, v string) error
}

func str(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = v; return nil }
}

func dur(p func(*Config) *time.Duration, min time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration (like 30s, 12h or 90m)", v)
		}
		if d < min {
			return fmt.Errorf("%q is less than %v", v, min)
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

func nonEmpty(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		*p(c) = v
		return nil
	}
}

var settings = []setting{
	{name: "state", env: "LICETD_STATE", def: DefaultState, help: "state directory",
		set: nonEmpty(func(c *Config) *string { return &c.State })},
	{name: "sysroot", env: "LICETD_SYSROOT", def: "/", help: "directory the machine is read through",
		set: nonEmpty(func(c *Config) *string { return &c.Sysroot })},
	{name: "trust", env: "LICETD_TRUST", list: true, help: "trusted vendor root public key file (repeatable)",
		set: func(c *Config, v string) error {
			if v == "" {
				return errors.New("must not be empty")
			}
			c.Trust = append(c.Trust, v)
			return nil
		}},
	{name: "portal", env: "LICETD_PORTAL", help: "vendor portal URL for request URLs and QR codes",
		set: func(c *Config, v string) error {
			if v != "" {
				if _, err := airgap.NormalizePortal(v); err != nil {
					return errors.New(strings.TrimPrefix(err.Error(), "airgap: "))
				}
			}
			c.Portal = v
			return nil
		}},
	{name: "instance-id", env: "LICETD_INSTANCE_ID", help: "identify the terminal by this instance id instead of its hardware (containers, cloud desktops)",
		set: func(c *Config, v string) error {
			if len(v) > 256 {
				return errors.New("longer than 256 bytes")
			}
			c.InstanceID = strings.TrimSpace(v)
			return nil
		}},
	{name: "socket", env: "LICETD_SOCKET", def: localapi.DefaultSocket, help: "Unix socket of the local API",
		set: nonEmpty(func(c *Config) *string { return &c.Socket })},
	{name: "socket-mode", env: "LICETD_SOCKET_MODE", def: "0660", help: "permission bits of the socket, in octal",
		set: func(c *Config, v string) error {
			m, err := strconv.ParseUint(v, 8, 32)
			if err != nil || m > 0o777 {
				return fmt.Errorf("%q is not an octal mode such as 0660", v)
			}
			if m&0o600 != 0o600 {
				return fmt.Errorf("%q leaves the owner without read and write", v)
			}
			c.SocketMode = fs.FileMode(m)
			return nil
		}},
	{name: "socket-group", env: "LICETD_SOCKET_GROUP", help: "group allowed to use the socket (with socket-mode 0660)",
		set: str(func(c *Config) *string { return &c.SocketGroup })},
	{name: "license-file", env: "LICETD_LICENSE_FILE", def: DefaultLicenseFile, help: "where the signed license is written for applications; empty: nowhere",
		set: str(func(c *Config) *string { return &c.LicenseFile })},
	{name: "web", env: "LICETD_WEB", help: "serve the activation page on this loopback host:port (127.0.0.1:0 picks a port); empty: no page",
		set: func(c *Config, v string) error {
			if v != "" {
				if err := CheckWebAddr(v); err != nil {
					return errors.New(strings.TrimPrefix(err.Error(), "agent: "))
				}
			}
			c.Web = v
			return nil
		}},
	{name: "warn-days", env: "LICETD_WARN_DAYS", def: "5", help: "warn this many days before expiry",
		set: func(c *Config, v string) error {
			n, err := strconv.ParseUint(v, 10, 16)
			if err != nil || n > 3660 {
				return fmt.Errorf("%q is not a number of days (0 to 3660)", v)
			}
			c.WarnBefore = time.Duration(n) * 24 * time.Hour
			return nil
		}},
	{name: "clock-tolerance", env: "LICETD_CLOCK_TOLERANCE", def: "24h", help: "how far the clock may be behind the trusted time",
		set: dur(func(c *Config) *time.Duration { return &c.ClockTolerance }, 0)},
	{name: "clock-policy", env: "LICETD_CLOCK_POLICY", def: "deny", help: "when the clock is turned back: deny (not licensed) or warn",
		set: func(c *Config, v string) error {
			switch v {
			case "deny":
				c.ClockPolicy = ClockDeny
			case "warn":
				c.ClockPolicy = ClockWarn
			default:
				return fmt.Errorf("%q is not deny or warn", v)
			}
			return nil
		}},
	{name: "check-interval", env: "LICETD_CHECK_INTERVAL", def: "1h", help: "longest time the daemon sleeps between checks (at least 1m)",
		set: dur(func(c *Config) *time.Duration { return &c.CheckInterval }, time.Minute)},
	{name: "log-format", env: "LICETD_LOG_FORMAT", def: "text", help: "log format: text or json",
		set: oneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
	{name: "log-level", env: "LICETD_LOG_LEVEL", def: "info", help: "log level: debug, info, warn or error",
		set: oneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
}

// ConfigFileEnv names the configuration file when --config is not given.
const ConfigFileEnv = "LICETD_CONFIG"

// SettingDoc describes one setting, for help text and documentation.
type SettingDoc struct{ Flag, Env, Default, Help string }

// Settings lists every setting with its variable and default.
func Settings() []SettingDoc {
	out := make([]SettingDoc, len(settings))
	for i, s := range settings {
		out[i] = SettingDoc{Flag: "--" + s.name, Env: s.env, Default: s.def, Help: s.help}
	}
	return out
}

type listValue struct{ p *[]string }

func (v listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}
func (v listValue) Set(s string) error { *v.p = append(*v.p, s); return nil }

// Bind registers one flag per setting on fs, plus --config FILE, and returns
// a function that resolves the configuration once fs is parsed: a flag given
// on the command line wins over the environment variable, which wins over
// the configuration file, which wins over the default. The file is --config,
// else $LICETD_CONFIG, else /etc/licetd/config when it exists. A repeatable
// setting (trust) takes all its values from the first place that has any.
// Every bad value is an error naming where it came from.
func Bind(set *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	vals := map[string]*[]string{}
	for _, s := range settings {
		v := new([]string)
		vals[s.name] = v
		help := s.help + " (" + s.env
		if s.def != "" {
			help += ", default " + s.def
		}
		help += ")"
		set.Var(listValue{v}, s.name, help)
	}
	file := set.String("config", "", "configuration `file` of key = value lines ("+ConfigFileEnv+", default "+DefaultConfigFile+" when it exists)")
	return func() (Config, error) {
		given := map[string]bool{}
		set.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := DefaultConfig()
		path, required := *file, true
		if !given["config"] {
			path = getenv(ConfigFileEnv)
			if path == "" {
				path, required = DefaultConfigFile, false
			}
		}
		fv, err := readConfigFile(path)
		if err != nil && (required || !errors.Is(err, fs.ErrNotExist)) {
			return Config{}, err
		}
		// A repeatable setting takes its values from the first place
		// that has any: flags, then the environment, then the file.
		lists := map[string]bool{}
		for _, kv := range fv {
			if kv.s.list && given[kv.s.name] || kv.s.list && getenv(kv.s.env) != "" {
				continue
			}
			if kv.s.list && !lists[kv.s.name] {
				lists[kv.s.name] = true
				c.Trust = nil
			}
			if err := kv.s.set(&c, kv.value); err != nil {
				return Config{}, fmt.Errorf("%s:%d: %s: %w", path, kv.line, kv.s.name, err)
			}
		}
		for i := range settings {
			s := &settings[i]
			v := getenv(s.env)
			if v == "" || given[s.name] {
				continue
			}
			values := []string{v}
			if s.list {
				c.Trust, values = nil, strings.Split(v, ":")
			}
			for _, v := range values {
				if s.list && v == "" {
					continue
				}
				if err := s.set(&c, v); err != nil {
					return Config{}, fmt.Errorf("%s: %w", s.env, err)
				}
			}
		}
		for i := range settings {
			s := &settings[i]
			if !given[s.name] {
				continue
			}
			if s.list {
				c.Trust = nil
			}
			for _, v := range *vals[s.name] {
				if err := s.set(&c, v); err != nil {
					return Config{}, fmt.Errorf("--%s: %w", s.name, err)
				}
			}
		}
		return c, nil
	}
}

type fileValue struct {
	s     *setting
	value string
	line  int
}

// maxConfigFile bounds the configuration file.
const maxConfigFile = 1 << 20

// readConfigFile reads "key = value" lines; '#' starts a comment line; keys
// are the flag names; a value may be double-quoted. Unknown keys and
// malformed lines are errors. A missing file gives an error matching
// fs.ErrNotExist.
func readConfigFile(path string) ([]fileValue, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxConfigFile)
	}
	return parseConfig(path, b)
}

func parseConfig(path string, b []byte) ([]fileValue, error) {
	byName := map[string]*setting{}
	for i := range settings {
		byName[settings[i].name] = &settings[i]
	}
	var out []fileValue
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxConfigFile)
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
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// withDefaults fills what a Config built by hand left empty.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.State == "" {
		c.State = d.State
	}
	if c.Sysroot == "" {
		c.Sysroot = d.Sysroot
	}
	if c.Socket == "" {
		c.Socket = d.Socket
	}
	if c.SocketMode == 0 {
		c.SocketMode = d.SocketMode
	}
	if c.CheckInterval < time.Minute {
		c.CheckInterval = d.CheckInterval
	}
	if c.LogFormat == "" {
		c.LogFormat = d.LogFormat
	}
	if c.LogLevel == "" {
		c.LogLevel = d.LogLevel
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// socketGID returns the numeric group of SocketGroup, or -1.
func (c *Config) socketGID() (int, error) {
	if c.SocketGroup == "" {
		return -1, nil
	}
	if n, err := strconv.Atoi(c.SocketGroup); err == nil && n >= 0 {
		return n, nil
	}
	g, err := user.LookupGroup(c.SocketGroup)
	if err != nil {
		return -1, fmt.Errorf("socket-group: %w", err)
	}
	return strconv.Atoi(g.Gid)
}

// CheckWebAddr accepts the addresses the activation page may listen on:
// host:port where host is a loopback IP address (127.0.0.0/8, ::1) or
// "localhost", and port a number (0 picks a free one). The page hands out
// the terminal's birth record and takes licenses, so it is never served
// to the network.
func CheckWebAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("agent: web address %q: want host:port, such as 127.0.0.1:0", addr)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || port == "" || n > 65535 {
		return fmt.Errorf("agent: web address %q: port %q is not a number from 0 to 65535", addr, port)
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().IsLoopback() {
		if host == "" {
			host = "all interfaces"
		}
		return fmt.Errorf("agent: web address %q: %s is not a loopback address; the activation page is served on 127.0.0.1, ::1 or localhost only", addr, host)
	}
	return nil
}

// Logger returns the structured logger the configuration describes
// (LogFormat, LogLevel, Log).
func (c *Config) Logger() *slog.Logger { return c.logger() }

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
