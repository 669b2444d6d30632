// Package settings resolves a program's configuration from command-line
// flags, environment variables, a configuration file and defaults, in that
// order of precedence: a flag given on the command line wins over the
// variable, which wins over the file, which wins over the default.
//
// A program lists its settings once in a Table (name, variable, default,
// help, parser); the table registers the flags, documents every setting
// in the flags' help with its variable and default, and reads the file.
// The file holds "key = value" lines whose keys are the flag names; '#'
// starts a comment line and a value may be double-quoted (Go syntax).
// Unknown keys, malformed lines and bad values are errors that name where
// the value came from ("FILE:LINE: name: ...", "VARIABLE: ...",
// "--name: ..."), never a silent zero.
package settings

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Setting is one configurable value of a configuration of type C.
type Setting[C any] struct {
	// Name is the flag (--name) and the key in the file.
	Name string
	// Env is the environment variable.
	Env string
	// Default is the value when no flag, variable or file gives one; ""
	// leaves C's zero value.
	Default string
	// Help says what the setting is; the flag's help adds the variable
	// and the default.
	Help string
	// Bool makes the flag take no value: --name means true.
	Bool bool
	// Parse checks v and stores it in c.
	Parse func(c *C, v string) error
	// Clear, set for a repeatable setting only, empties its values. Parse
	// then adds one value each call. A repeatable setting takes all its
	// values from the first place that has any: the flag given several
	// times, else the variable (a list separated by ':'), else the
	// file's lines.
	Clear func(c *C)
}

// Table is a program's settings and where its configuration file is.
type Table[C any] struct {
	Settings []Setting[C]
	// FileEnv is the variable that names the configuration file when the
	// flag --config does not.
	FileEnv string
	// DefaultFile is read when neither --config nor FileEnv names a
	// file, if it exists; "" means no file then.
	DefaultFile string
}

// Doc describes one setting, for help text and documentation.
type Doc struct{ Flag, Env, Default, Help string }

// Docs lists every setting with its flag, variable and default.
func (t *Table[C]) Docs() []Doc {
	out := make([]Doc, len(t.Settings))
	for i, s := range t.Settings {
		out[i] = Doc{Flag: "--" + s.Name, Env: s.Env, Default: s.Default, Help: s.Help}
	}
	return out
}

// Defaults returns the configuration with every default applied. A
// default that does not parse is a programming error and panics.
func (t *Table[C]) Defaults() C {
	var c C
	for _, s := range t.Settings {
		if s.Default == "" {
			continue
		}
		if err := s.Parse(&c, s.Default); err != nil {
			panic("settings: bad default for " + s.Name + ": " + err.Error())
		}
	}
	return c
}

// Bind registers one flag per setting on set, plus --config FILE, and
// returns the function that resolves the configuration once set is
// parsed. A flag given several times applies each value in turn.
func (t *Table[C]) Bind(set *flag.FlagSet, getenv func(string) string) func() (C, error) {
	vals := map[string]*[]string{}
	for _, s := range t.Settings {
		v := new([]string)
		vals[s.Name] = v
		help := s.Help + " (" + s.Env
		if s.Default != "" {
			help += ", default " + s.Default
		}
		help += ")"
		set.Var(&values{p: v, bool: s.Bool}, s.Name, help)
	}
	fileHelp := "configuration `file` of key = value lines (" + t.FileEnv
	if t.DefaultFile != "" {
		fileHelp += ", default " + t.DefaultFile + " when it exists"
	}
	file := set.String("config", "", fileHelp+")")
	return func() (C, error) {
		given := map[string]bool{}
		set.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := t.Defaults()
		path, required := *file, true
		if !given["config"] {
			path = getenv(t.FileEnv)
			if path == "" {
				path, required = t.DefaultFile, false
			}
		}
		var lines []Line
		if path != "" {
			var err error
			lines, err = ReadFile(path, t.known)
			if err != nil && (required || !errors.Is(err, fs.ErrNotExist)) {
				var zero C
				return zero, err
			}
		}
		err := t.apply(&c, path, lines, given, vals, getenv)
		if err != nil {
			var zero C
			return zero, err
		}
		return c, nil
	}
}

func (t *Table[C]) known(name string) bool {
	_, ok := t.byName(name)
	return ok
}

func (t *Table[C]) byName(name string) (*Setting[C], bool) {
	for i := range t.Settings {
		if t.Settings[i].Name == name {
			return &t.Settings[i], true
		}
	}
	return nil, false
}

// apply lays the file's lines, the variables and the flags given over c,
// in that order.
func (t *Table[C]) apply(c *C, path string, lines []Line, given map[string]bool, vals map[string]*[]string, getenv func(string) string) error {
	cleared := map[string]bool{}
	for _, l := range lines {
		s, _ := t.byName(l.Key)
		if s.Clear != nil {
			if given[s.Name] || getenv(s.Env) != "" {
				continue
			}
			if !cleared[s.Name] {
				cleared[s.Name] = true
				s.Clear(c)
			}
		}
		if err := s.Parse(c, l.Value); err != nil {
			return fmt.Errorf("%s:%d: %s: %w", path, l.Number, s.Name, err)
		}
	}
	for i := range t.Settings {
		s := &t.Settings[i]
		v := getenv(s.Env)
		if v == "" || given[s.Name] {
			continue
		}
		values := []string{v}
		if s.Clear != nil {
			s.Clear(c)
			values = strings.Split(v, ":")
		}
		for _, v := range values {
			if s.Clear != nil && v == "" {
				continue
			}
			if err := s.Parse(c, v); err != nil {
				return fmt.Errorf("%s: %w", s.Env, err)
			}
		}
	}
	for i := range t.Settings {
		s := &t.Settings[i]
		if !given[s.Name] {
			continue
		}
		if s.Clear != nil {
			s.Clear(c)
		}
		for _, v := range *vals[s.Name] {
			if err := s.Parse(c, v); err != nil {
				return fmt.Errorf("--%s: %w", s.Name, err)
			}
		}
	}
	return nil
}

// values is a flag's value: every value given, in order.
type values struct {
	p    *[]string
	bool bool
}

func (v *values) String() string {
	if v == nil || v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}

func (v *values) Set(s string) error { *v.p = append(*v.p, s); return nil }
func (v *values) IsBoolFlag() bool   { return v.bool }

// MaxFileSize bounds a configuration file.
const MaxFileSize = 1 << 20

// Line is one "key = value" line of a configuration file.
type Line struct {
	Key, Value string
	Number     int // from 1
}

// ReadFile reads a configuration file (see Parse). A missing file gives an
// error matching fs.ErrNotExist.
func ReadFile(path string, known func(key string) bool) ([]Line, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading configuration: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxFileSize)
	}
	return Parse(path, b, known)
}

// Parse reads "key = value" lines; blank lines and lines starting with '#'
// are skipped, and a value in double quotes is unquoted (Go syntax). A key
// that known refuses, a line without '=' and a bad quoted value are errors
// naming path and the line; on error the lines are nil.
func Parse(path string, b []byte, known func(key string) bool) ([]Line, error) {
	var out []Line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, MaxFileSize)
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
		if !known(k) {
			return nil, fmt.Errorf("%s:%d: unknown setting %q", path, n, k)
		}
		out = append(out, Line{Key: k, Value: v, Number: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// String is a Parse function that stores any value in the field p
// returns.
func String[C any](p func(*C) *string) func(*C, string) error {
	return func(c *C, v string) error { *p(c) = v; return nil }
}

// OneOf is a Parse function that stores one of the allowed values in the
// field p returns.
func OneOf[C any](p func(*C) *string, allowed ...string) func(*C, string) error {
	return func(c *C, v string) error {
		for _, a := range allowed {
			if v == a {
				*p(c) = v
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}
