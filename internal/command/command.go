// Package command runs the subcommands of Licet's two binaries, licet and
// licetd: a Program registers them, finds the one its arguments name,
// parses its flags, and turns the error it returns into a message and an
// exit status. Every subcommand is a function of its arguments and an Env,
// so that tests run it in-process.
//
// Exit status: 0 success (also -h), 1 failure, 2 wrong usage, or the code
// of an ExitError. A failure prints one line, "NAME COMMAND: message",
// then the error's hint (package internal/hint) on a line "hint: ...".
package command

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"licet.dev/licet/internal/hint"
)

// Exit statuses of every command.
const (
	ExitFailed = 1 // the command failed
	ExitUsage  = 2 // wrong flags or arguments
)

// Env is everything a subcommand may touch of the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
	// Rand must be safe for concurrent use, as crypto/rand.Reader is:
	// commands that serve (licetd run) read it from several goroutines.
	Rand io.Reader
	// Context bounds commands that run until stopped (licetd run); nil
	// means a context that SIGINT or SIGTERM cancels.
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

// RunContext returns the context of a command that runs until it is
// stopped: e.Context, else one that SIGINT or SIGTERM cancels. Call stop
// when the command returns.
func (e *Env) RunContext() (ctx context.Context, stop func()) {
	if e.Context != nil {
		return e.Context, func() {}
	}
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// Program is one binary: its name and its subcommands. Subcommands are
// named by one or two words ("inspect", "keys generate") and registered
// from init functions, before Main runs.
type Program struct {
	// Name is the binary's name, the first word of its messages.
	Name string
	// Docs names the documentation, on the last line of the usage.
	Docs string
	// TrimPrefix is left out at the start of an error message: a
	// package's prefix ("agent: ") that people need not read.
	TrimPrefix string

	commands map[string]*subcommand
}

type subcommand struct {
	name    string
	summary string
	run     func(e *Env, args []string) error
}

// Register adds a subcommand. A name registered twice is a programming
// error and panics.
func (p *Program) Register(name, summary string, run func(e *Env, args []string) error) {
	if _, dup := p.commands[name]; dup {
		panic(p.Name + ": command registered twice: " + name)
	}
	if p.commands == nil {
		p.commands = map[string]*subcommand{}
	}
	p.commands[name] = &subcommand{name: name, summary: summary, run: run}
}

// Main runs the subcommand named by args and returns the process exit
// status. Without a command, or with help, -h or --help, it prints the
// usage to standard output and returns 0.
func (p *Program) Main(args []string, e *Env) int {
	cmd, rest := p.lookup(args)
	if cmd == nil {
		if len(args) > 0 && args[0] != "help" && args[0] != "-h" && args[0] != "--help" {
			if subs := p.subcommands(args[0]); len(subs) > 0 && len(args) > 1 && (args[1] == "-h" || args[1] == "--help") {
				p.printGroupUsage(e.Stdout, args[0])
				return 0
			} else if len(subs) > 0 && (len(args) == 1 || strings.HasPrefix(args[1], "-")) {
				fmt.Fprintf(e.Stderr, "%s %s: missing subcommand: one of %s\n", p.Name, args[0], strings.Join(subs, ", "))
				fmt.Fprintf(e.Stderr, "hint: run '%s %s %s -h' for its flags\n", p.Name, args[0], subs[0])
				return ExitUsage
			}
			fmt.Fprintf(e.Stderr, "%s: unknown command %q\n", p.Name, strings.Join(args[:min(len(args), p.maxWords())], " "))
			p.printUsage(e.Stderr)
			return ExitUsage
		}
		p.printUsage(e.Stdout)
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
	msg := strings.TrimPrefix(err.Error(), p.TrimPrefix)
	fmt.Fprintf(e.Stderr, "%s %s: %s\n", p.Name, cmd.name, OneLine(msg))
	if h := hint.Of(err); h != "" {
		fmt.Fprintf(e.Stderr, "hint: %s\n", h)
	}
	var ue *usageError
	switch {
	case errors.As(err, &ee):
		return ee.Code
	case errors.As(err, &ue):
		if hint.Of(err) == "" {
			fmt.Fprintf(e.Stderr, "hint: run '%s %s -h' for usage\n", p.Name, cmd.name)
		}
		return ExitUsage
	}
	return ExitFailed
}

func (p *Program) lookup(args []string) (*subcommand, []string) {
	if len(args) >= 2 {
		if c, ok := p.commands[args[0]+" "+args[1]]; ok {
			return c, args[2:]
		}
	}
	if len(args) >= 1 {
		if c, ok := p.commands[args[0]]; ok {
			return c, args[1:]
		}
	}
	return nil, nil
}

// subcommands returns, in name order, the second words of the commands
// whose first word is group ("order", "device" for "issue").
func (p *Program) subcommands(group string) []string {
	var subs []string
	for name := range p.commands {
		if first, second, ok := strings.Cut(name, " "); ok && first == group {
			subs = append(subs, second)
		}
	}
	sort.Strings(subs)
	return subs
}

// maxWords is the number of words of the longest command name: an unknown
// command is quoted with as many.
func (p *Program) maxWords() int {
	n := 1
	for name := range p.commands {
		n = max(n, len(strings.Fields(name)))
	}
	return n
}

// printUsage lists the commands in name order, their summaries aligned
// four spaces after the longest name.
func (p *Program) printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: %s <command> [flags]\n\n", p.Name)
	names := make([]string, 0, len(p.commands))
	width := 0
	for n := range p.commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s %s\n", width+3, n, p.commands[n].summary)
	}
	fmt.Fprintf(w, "\nRun '%s <command> -h' for a command's flags. Documentation: %s\n", p.Name, p.Docs)
}

// printGroupUsage lists the commands whose first word is group.
func (p *Program) printGroupUsage(w io.Writer, group string) {
	subs := p.subcommands(group)
	fmt.Fprintf(w, "usage: %s %s <%s> [flags]\n\n", p.Name, group, strings.Join(subs, "|"))
	width := 0
	for _, s := range subs {
		width = max(width, len(s))
	}
	for _, s := range subs {
		fmt.Fprintf(w, "  %-*s %s\n", width+3, s, p.commands[group+" "+s].summary)
	}
	fmt.Fprintf(w, "\nRun '%s %s <command> -h' for a command's flags. Documentation: %s\n", p.Name, group, p.Docs)
}

// Flags returns a flag set for the named subcommand that reports to the
// Env's standard error instead of exiting. Given usage lines (synopsis and
// description), its usage text is those lines, a blank line, then the
// flags.
func (p *Program) Flags(e *Env, name string, usage ...string) *flag.FlagSet {
	fs := flag.NewFlagSet(p.Name+" "+name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	if len(usage) > 0 {
		fs.Usage = func() {
			for _, l := range usage {
				fmt.Fprintln(e.Stderr, l)
			}
			fmt.Fprintln(e.Stderr)
			fs.PrintDefaults()
		}
	}
	return fs
}

// ParseFlags parses args with flags and positional arguments in any order
// ("licet inspect FILE --trust KEY" as well as "--trust KEY FILE") and
// returns the positional ones. A lone "-" is positional (standard input);
// everything after "--" is positional. -h prints the usage and ends the
// command with status 0; a bad flag is a usage error (Usagef): one line
// naming it and a hint to -h instead of the whole usage text.
func ParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	out, usage := fs.Output(), fs.Usage
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	defer func() { fs.SetOutput(out); fs.Usage = usage }()
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(out)
				usage()
				return nil, &ExitError{Code: 0}
			}
			return nil, Usagef("%w", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// ExitError ends a command with a given exit status after it has printed
// what it had to say. A nil Err prints nothing more.
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

// usageError reports a wrong invocation; Main exits 2 and points to -h.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// Usagef returns an error for a wrong invocation: Main prints it, points
// to the command's -h, and exits 2. A %w verb keeps the error wrapped.
func Usagef(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// OneLine folds white space, so that an error prints on one line.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
