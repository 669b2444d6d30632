package settings

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

type config struct {
	Name  string
	Level string
	Fast  bool
	Paths []string
}

func testTable(defaultFile string) *Table[config] {
	return &Table[config]{
		FileEnv:     "T_CONFIG",
		DefaultFile: defaultFile,
		Settings: []Setting[config]{
			{Name: "name", Env: "T_NAME", Default: "anon", Help: "a name",
				Parse: String(func(c *config) *string { return &c.Name })},
			{Name: "level", Env: "T_LEVEL", Default: "low", Help: "a level",
				Parse: OneOf(func(c *config) *string { return &c.Level }, "low", "high")},
			{Name: "fast", Env: "T_FAST", Bool: true, Help: "go fast",
				Parse: func(c *config, v string) error {
					b, err := strconv.ParseBool(v)
					c.Fast = b
					return err
				}},
			{Name: "path", Env: "T_PATH", Help: "a path (repeatable)",
				Parse: func(c *config, v string) error {
					if v == "" {
						return errors.New("must not be empty")
					}
					c.Paths = append(c.Paths, v)
					return nil
				},
				Clear: func(c *config) { c.Paths = nil }},
		},
	}
}

func resolve(t *testing.T, tab *Table[config], args []string, env map[string]string) (config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	r := tab.Bind(fs, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return r()
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conf")
	os.WriteFile(file, []byte("# comment\nname = \"from file\"\nlevel = high\npath = /f1\npath = /f2\n"), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, config{Name: "anon", Level: "low"}},
		{"file", nil, map[string]string{"T_CONFIG": file}, config{Name: "from file", Level: "high", Paths: []string{"/f1", "/f2"}}},
		{"file by flag", []string{"--config", file}, map[string]string{"T_CONFIG": "/nonexistent"}, config{Name: "from file", Level: "high", Paths: []string{"/f1", "/f2"}}},
		{"env over file", nil, map[string]string{"T_CONFIG": file, "T_NAME": "env", "T_PATH": "/e1::/e2", "T_FAST": "true"},
			config{Name: "env", Level: "high", Fast: true, Paths: []string{"/e1", "/e2"}}},
		{"flag over env", []string{"--name", "flag", "--path", "/a", "--fast", "--path", "/b"}, map[string]string{"T_CONFIG": file, "T_NAME": "env", "T_PATH": "/e"},
			config{Name: "flag", Level: "high", Fast: true, Paths: []string{"/a", "/b"}}},
	} {
		got, err := resolve(t, testTable(""), tc.args, tc.env)
		if err != nil || got.Name != tc.want.Name || got.Level != tc.want.Level || got.Fast != tc.want.Fast || !slices.Equal(got.Paths, tc.want.Paths) {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestDefaultFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "conf")
	// A default file that does not exist is no error; one that exists is read.
	if c, err := resolve(t, testTable(file), nil, nil); err != nil || c.Name != "anon" {
		t.Fatalf("missing default file: %+v, %v", c, err)
	}
	os.WriteFile(file, []byte("name = x\n"), 0o600)
	if c, err := resolve(t, testTable(file), nil, nil); err != nil || c.Name != "x" {
		t.Fatalf("default file: %+v, %v", c, err)
	}
	// A file named by the variable or the flag must exist.
	if _, err := resolve(t, testTable(file), nil, map[string]string{"T_CONFIG": file + ".none"}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing named file: %v", err)
	}
	if _, err := resolve(t, testTable(file), []string{"--config", file + ".none"}, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing --config file: %v", err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		env  map[string]string
		file string
		want string
	}{
		{args: []string{"--level", "mid"}, want: `--level: "mid" is not one of low, high`},
		{args: []string{"--path", ""}, want: "--path: must not be empty"},
		{env: map[string]string{"T_LEVEL": "mid"}, want: "T_LEVEL: "},
		{env: map[string]string{"T_FAST": "maybe"}, want: "T_FAST: "},
		{file: "nonsense\n", want: "conf:1: expected key = value"},
		{file: "\n\nnam = x\n", want: `conf:3: unknown setting "nam"`},
		{file: "name = \"\\q\"\n", want: "conf:1: name: bad quoted value"},
		{file: "level = mid\n", want: "conf:1: level: "},
		{file: "path =\n", want: "conf:1: path: must not be empty"},
		{file: strings.Repeat("#", MaxFileSize+1), want: "larger than"},
	} {
		env := tc.env
		if tc.file != "" {
			p := filepath.Join(dir, "conf")
			os.WriteFile(p, []byte(tc.file), 0o600)
			env = map[string]string{"T_CONFIG": p}
		}
		_, err := resolve(t, testTable(""), tc.args, env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v %.20q: %v, want %q", tc.args, tc.env, tc.file, err, tc.want)
		}
	}
}

func TestHelp(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	testTable("/etc/t.conf").Bind(fs, func(string) string { return "" })
	fs.PrintDefaults()
	for _, want := range []string{
		"-config file\n    \tconfiguration file of key = value lines (T_CONFIG, default /etc/t.conf when it exists)\n",
		"-fast\n    \tgo fast (T_FAST)\n",
		"-name value\n    \ta name (T_NAME, default anon)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, &out)
		}
	}
	docs := testTable("").Docs()
	if len(docs) != 4 || docs[1] != (Doc{Flag: "--level", Env: "T_LEVEL", Default: "low", Help: "a level"}) {
		t.Errorf("docs %+v", docs)
	}
}

func TestBadDefaultPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	tab := testTable("")
	tab.Settings[1].Default = "mid"
	tab.Defaults()
}

// FuzzParse: no panic; on error no lines; the lines written again as
// key = "value" read back the same.
func FuzzParse(f *testing.F) {
	f.Add([]byte("# comment\nname = x\npath = \"/a b\"\n\n  level=high  \n"))
	f.Add([]byte("x\n=\n = \n\"\"=\"\"\n"))
	f.Add([]byte("a = \"\\u00e9\\n\"\nb = \"unterminated\n"))
	any := func(string) bool { return true }
	f.Fuzz(func(t *testing.T, b []byte) {
		lines, err := Parse("f", b, any)
		if err != nil {
			if lines != nil {
				t.Fatalf("lines with error %v", err)
			}
			return
		}
		var again bytes.Buffer
		for _, l := range lines {
			fmt.Fprintf(&again, "%s = %s\n", l.Key, strconv.Quote(l.Value))
		}
		back, err := Parse("f", again.Bytes(), any)
		if err != nil || len(back) != len(lines) {
			t.Fatalf("written again %q: %d lines, %v", again.Bytes(), len(back), err)
		}
		for i := range back {
			if back[i].Key != lines[i].Key || back[i].Value != lines[i].Value {
				t.Fatalf("line %d: %q = %q, read back %q = %q", i, lines[i].Key, lines[i].Value, back[i].Key, back[i].Value)
			}
		}
	})
}
