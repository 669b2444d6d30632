package agent

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"os/user"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/agent/localapi"
	"licet.dev/licet/airgap"
	"licet.dev/licet/internal/settings"
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
func DefaultConfig() Config { return table.Defaults() }

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

func nonEmpty(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		if v == "" {
			return errors.New("must not be empty")
		}
		*p(c) = v
		return nil
	}
}

// ConfigFileEnv names the configuration file when --config is not given.
const ConfigFileEnv = "LICETD_CONFIG"

// table is every setting of the daemon and its commands.
var table = &settings.Table[Config]{
	FileEnv:     ConfigFileEnv,
	DefaultFile: DefaultConfigFile,
	Settings: []settings.Setting[Config]{
		{Name: "state", Env: "LICETD_STATE", Default: DefaultState, Help: "state directory",
			Parse: nonEmpty(func(c *Config) *string { return &c.State })},
		{Name: "sysroot", Env: "LICETD_SYSROOT", Default: "/", Help: "directory the machine is read through",
			Parse: nonEmpty(func(c *Config) *string { return &c.Sysroot })},
		{Name: "trust", Env: "LICETD_TRUST", Help: "trusted vendor root public key file (repeatable)",
			Parse: func(c *Config, v string) error {
				if v == "" {
					return errors.New("must not be empty")
				}
				c.Trust = append(c.Trust, v)
				return nil
			},
			Clear: func(c *Config) { c.Trust = nil }},
		{Name: "portal", Env: "LICETD_PORTAL", Help: "vendor portal URL for request URLs and QR codes",
			Parse: func(c *Config, v string) error {
				if v != "" {
					if _, err := airgap.NormalizePortal(v); err != nil {
						return errors.New(strings.TrimPrefix(err.Error(), "airgap: "))
					}
				}
				c.Portal = v
				return nil
			}},
		{Name: "instance-id", Env: "LICETD_INSTANCE_ID", Help: "identify the terminal by this instance id instead of its hardware (containers, cloud desktops)",
			Parse: func(c *Config, v string) error {
				if len(v) > 256 {
					return errors.New("longer than 256 bytes")
				}
				c.InstanceID = strings.TrimSpace(v)
				return nil
			}},
		{Name: "socket", Env: "LICETD_SOCKET", Default: localapi.DefaultSocket, Help: "Unix socket of the local API",
			Parse: nonEmpty(func(c *Config) *string { return &c.Socket })},
		{Name: "socket-mode", Env: "LICETD_SOCKET_MODE", Default: "0660", Help: "permission bits of the socket, in octal",
			Parse: func(c *Config, v string) error {
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
		{Name: "socket-group", Env: "LICETD_SOCKET_GROUP", Help: "group allowed to use the socket (with socket-mode 0660)",
			Parse: settings.String(func(c *Config) *string { return &c.SocketGroup })},
		{Name: "license-file", Env: "LICETD_LICENSE_FILE", Default: DefaultLicenseFile, Help: "where the signed license is written for applications; empty: nowhere",
			Parse: settings.String(func(c *Config) *string { return &c.LicenseFile })},
		{Name: "web", Env: "LICETD_WEB", Help: "serve the activation page on this loopback host:port (127.0.0.1:0 picks a port); empty: no page",
			Parse: func(c *Config, v string) error {
				if v != "" {
					if err := CheckWebAddr(v); err != nil {
						return errors.New(strings.TrimPrefix(err.Error(), "agent: "))
					}
				}
				c.Web = v
				return nil
			}},
		{Name: "warn-days", Env: "LICETD_WARN_DAYS", Default: "5", Help: "warn this many days before expiry",
			Parse: func(c *Config, v string) error {
				n, err := strconv.ParseUint(v, 10, 16)
				if err != nil || n > 3660 {
					return fmt.Errorf("%q is not a number of days (0 to 3660)", v)
				}
				c.WarnBefore = time.Duration(n) * 24 * time.Hour
				return nil
			}},
		{Name: "clock-tolerance", Env: "LICETD_CLOCK_TOLERANCE", Default: "24h", Help: "how far the clock may be behind the trusted time",
			Parse: dur(func(c *Config) *time.Duration { return &c.ClockTolerance }, 0)},
		{Name: "clock-policy", Env: "LICETD_CLOCK_POLICY", Default: "deny", Help: "when the clock is turned back: deny (not licensed) or warn",
			Parse: func(c *Config, v string) error {
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
		{Name: "check-interval", Env: "LICETD_CHECK_INTERVAL", Default: "1h", Help: "longest time the daemon sleeps between checks (at least 1m)",
			Parse: dur(func(c *Config) *time.Duration { return &c.CheckInterval }, time.Minute)},
		{Name: "log-format", Env: "LICETD_LOG_FORMAT", Default: "text", Help: "log format: text or json",
			Parse: settings.OneOf(func(c *Config) *string { return &c.LogFormat }, "text", "json")},
		{Name: "log-level", Env: "LICETD_LOG_LEVEL", Default: "info", Help: "log level: debug, info, warn or error",
			Parse: settings.OneOf(func(c *Config) *string { return &c.LogLevel }, "debug", "info", "warn", "error")},
	},
}

// SettingDoc describes one setting, for help text and documentation.
type SettingDoc = settings.Doc

// Settings lists every setting with its variable and default.
func Settings() []SettingDoc { return table.Docs() }

// Bind registers one flag per setting on fs, plus --config FILE, and returns
// a function that resolves the configuration once fs is parsed: a flag given
// on the command line wins over the environment variable, which wins over
// the configuration file, which wins over the default. The file is --config,
// else $LICETD_CONFIG, else /etc/licetd/config when it exists. A repeatable
// setting (trust) takes all its values from the first place that has any.
// Every bad value is an error naming where it came from.
func Bind(fs *flag.FlagSet, getenv func(string) string) func() (Config, error) {
	return table.Bind(fs, getenv)
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
func (c *Config) Logger() *slog.Logger { return settings.Logger(c.Log, c.LogFormat, c.LogLevel) }
