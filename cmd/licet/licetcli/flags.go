package licetcli

import (
	"flag"

	"licet.dev/licet/internal/command"
	"licet.dev/licet/internal/hint"
)

// The words every subcommand uses, from package internal/command.

// newFlags returns a flag set for the named subcommand that reports to the
// Env's standard error instead of exiting; its usage text is the synopsis
// and description lines, then the flags (command.Program.Flags).
func newFlags(e *Env, name string, usage ...string) *flag.FlagSet {
	return cli.Flags(e, name, usage...)
}

// parseFlags parses args with flags and positional arguments in any order
// and returns the positional ones (command.ParseFlags).
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	return command.ParseFlags(fs, args)
}

// usagef reports a wrong invocation; Main exits 2.
func usagef(format string, args ...any) error { return command.Usagef(format, args...) }

// withHint wraps err with a "hint:" line for the user; nil stays nil.
func withHint(err error, text string) error { return hint.Wrap(err, text) }

// oneLine keeps an error on one line, so that bad input never prints a
// multi-line dump.
func oneLine(s string) string { return command.OneLine(s) }
