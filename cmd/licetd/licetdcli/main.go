// Package licetdcli implements the licetd command line: every subcommand is
// a function of its arguments and an Env, so that tests run it in-process.
// The commands are thin: package agent does the work.
package licetdcli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"licet.dev/licet/agent"
)

// Env is everything a subcommand may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	Rand   io.Reader
	// Context bounds `licetd run`; nil means a context that SIGINT or
	// SIGTERM cancels.
	Context context.Context
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

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(e *Env, args []string) error
}

var commands = map[string]*command{}

// register adds a subcommand; each subcommand's file calls it from init.
func register(name, summary string, run func(e *Env, args []string) error) {
	if _, dup := commands[name]; dup {
		panic("licetdcli: command registered twice: " + name)
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

// usageError reports a wrong invocation; Main exits 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Exit codes.
const (
	exitFailed     = 1 // the command failed
	exitUsage      = 2 // wrong flags or arguments
	exitUnlicensed = 3 // status: the terminal is not licensed
)

// Main runs the subcommand named by args and returns the process exit code.
func Main(args []string, e *Env) int {
	var cmd *command
	if len(args) > 0 {
		cmd = commands[args[0]]
	}
	if cmd == nil {
		if len(args) > 0 && args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
			fmt.Fprintf(e.Stderr, "licetd: unknown command %q\n", args[0])
			printUsage(e.Stderr)
			return exitUsage
		}
		printUsage(e.Stdout)
		return 0
	}
	err := cmd.run(e, args[1:])
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) && ee.Err == nil {
		return ee.Code
	}
	fmt.Fprintf(e.Stderr, "licetd %s: %s\n", cmd.name, message(err))
	if h := agent.Hint(err); h != "" {
		fmt.Fprintf(e.Stderr, "hint: %s\n", h)
	}
	var ue *usageError
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &ue):
		fmt.Fprintf(e.Stderr, "hint: run 'licetd %s -h' for usage\n", cmd.name)
		return exitUsage
	}
	return exitFailed
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: licetd <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'licetd <command> -h' for a command's flags. Documentation: docs/cli.md, section licetd")
}

// message is an error for people: one line, without the package prefix.
func message(err error) string {
	return oneLine(strings.TrimPrefix(err.Error(), "agent: "))
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
