// Package licetcli implements the licet command line: every subcommand is a
// function of its arguments and an Env, so that tests run it in-process.
package licetcli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// Env is everything a subcommand may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	Rand   io.Reader
}

// OSEnv returns the Env of the running process.
func OSEnv() *Env {
	return &Env{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		Rand:   rand.Reader,
	}
}

// command is one subcommand, named by one or two words ("inspect",
// "keys generate").
type command struct {
	name    string
	summary string
	run     func(e *Env, args []string) error
}

var commands = map[string]*command{}

// register adds a subcommand; each subcommand's file calls it from init.
func register(name, summary string, run func(e *Env, args []string) error) {
	if _, dup := commands[name]; dup {
		panic("licetcli: command registered twice: " + name)
	}
	commands[name] = &command{name: name, summary: summary, run: run}
}

// ExitError ends a command with a given exit code after it has printed what
// it had to say. A nil Err prints nothing more.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// hintError carries a next step for the user; Main prints it on a line of
// its own after the error.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

// withHint wraps err with a "hint:" line for the user.
func withHint(err error, hint string) error {
	if err == nil {
		return nil
	}
	return &hintError{err: err, hint: hint}
}

// usageError reports a wrong invocation; Main exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Main runs the subcommand named by args and returns the process exit code.
func Main(args []string, e *Env) int {
	cmd, rest := lookup(args)
	if cmd == nil {
		if len(args) > 0 && args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(e.Stderr, "licet: unknown command %q\n", strings.Join(args[:min(len(args), 2)], " "))
			printUsage(e.Stderr)
			return 2
		}
		printUsage(e.Stdout)
		return 0
	}
	err := cmd.run(e, rest)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return ee.Code
	}
	fmt.Fprintf(e.Stderr, "licet %s: %v\n", cmd.name, oneLine(err.Error()))
	var he *hintError
	if errors.As(err, &he) {
		fmt.Fprintf(e.Stderr, "hint: %s\n", he.hint)
	}
	var ue *usageError
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &ue):
		fmt.Fprintf(e.Stderr, "hint: run 'licet %s -h' for usage\n", cmd.name)
		return 2
	}
	return 1
}

func lookup(args []string) (*command, []string) {
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c, args[2:]
		}
	}
	if len(args) >= 1 {
		if c, ok := commands[args[0]]; ok {
			return c, args[1:]
		}
	}
	return nil, nil
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: licet <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'licet <command> -h' for a command's flags. Documentation: docs/cli.md")
}

// oneLine keeps an error on one line, so that bad input never prints a
// multi-line dump.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
