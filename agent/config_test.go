package agent

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/internal/settings"
)

func bind(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	resolve := Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return resolve()
}

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config")
	os.WriteFile(file, []byte(`# licetd
state = /from/file
sysroot = "/file root"
trust = /file/a.pub
trust = /file/b.pub
warn-days = 7
clock-policy = warn
`), 0o644)
	// Defaults only (the default file does not exist here, or is ignored
	// when missing).
	c, err := bind(t, []string{"--config", filepath.Join(dir, "none")}, nil)
	if err == nil {
		t.Fatalf("a named configuration file that is missing must be an error: %+v", c)
	}
	c, err = bind(t, nil, map[string]string{ConfigFileEnv: file})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "/from/file" || c.Sysroot != "/file root" || !slices.Equal(c.Trust, []string{"/file/a.pub", "/file/b.pub"}) ||
		c.WarnBefore != 7*24*time.Hour || c.ClockPolicy != ClockWarn || c.Socket != DefaultConfig().Socket || c.ClockTolerance != 24*time.Hour {
		t.Fatalf("file: %+v", c)
	}
	c, err = bind(t, []string{"--state", "/from/flag", "--trust", "/flag.pub"}, map[string]string{
		ConfigFileEnv: file, "LICETD_STATE": "/from/env", "LICETD_TRUST": "/env/a.pub:/env/b.pub", "LICETD_WARN_DAYS": "2",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.State != "/from/flag" || !slices.Equal(c.Trust, []string{"/flag.pub"}) || c.WarnBefore != 2*24*time.Hour {
		t.Fatalf("flags and env: %+v", c)
	}
	c, err = bind(t, nil, map[string]string{ConfigFileEnv: file, "LICETD_TRUST": "/env/a.pub:/env/b.pub"})
	if err != nil || !slices.Equal(c.Trust, []string{"/env/a.pub", "/env/b.pub"}) {
		t.Fatalf("env list: %+v %v", c.Trust, err)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		env  map[string]string
		file string
		want string
	}{
		{args: []string{"--clock-tolerance", "soon"}, want: "--clock-tolerance"},
		{args: []string{"--check-interval", "10s"}, want: "less than 1m"},
		{args: []string{"--socket-mode", "0999"}, want: "octal"},
		{args: []string{"--socket-mode", "0066"}, want: "owner"},
		{args: []string{"--portal", "ftp://x"}, want: "--portal"},
		{args: []string{"--state", ""}, want: "--state: must not be empty"},
		{env: map[string]string{"LICETD_CLOCK_POLICY": "maybe"}, want: "LICETD_CLOCK_POLICY"},
		{env: map[string]string{"LICETD_WARN_DAYS": "-1"}, want: "LICETD_WARN_DAYS"},
		{file: "nonsense\n", want: "config:1: expected key = value"},
		{file: "\n\nstat = /x\n", want: `config:3: unknown setting "stat"`},
		{file: "log-level = loud\n", want: "config:1: log-level"},
		{file: "state = \"\\q\"\n", want: "config:1: state: bad quoted value"},
	} {
		env := tt.env
		if tt.file != "" {
			p := filepath.Join(dir, "config")
			os.WriteFile(p, []byte(tt.file), 0o644)
			env = map[string]string{ConfigFileEnv: p}
		}
		_, err := bind(t, tt.args, env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v %v %q: error %v, want %q", tt.args, tt.env, tt.file, err, tt.want)
		}
	}
}

func TestSettingsDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		if !strings.Contains(string(b), "`"+s.Flag+"`") || !strings.Contains(string(b), "`"+s.Env+"`") {
			t.Errorf("docs/cli.md does not document %s (%s)", s.Flag, s.Env)
		}
	}
}

// FuzzConfigFile: whatever a configuration file holds, reading it and
// applying its values to a Config gives errors, never a panic.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte("state = /var/lib/licetd\ntrust = /etc/licetd/vendor.pub\n# comment\n"))
	f.Add([]byte("portal = \"https://portal.example\"\nwarn-days = 5\n"))
	f.Add([]byte("x\n=\n = \n\"\"=\"\"\n"))
	byName := map[string]settings.Setting[Config]{}
	for _, s := range table.Settings {
		byName[s.Name] = s
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := settings.Parse("config", b, func(k string) bool { _, ok := byName[k]; return ok })
		if err != nil {
			if lines != nil {
				t.Fatalf("lines with error %v", err)
			}
			return
		}
		var c Config
		for _, l := range lines {
			byName[l.Key].Parse(&c, l.Value)
		}
	})
}
