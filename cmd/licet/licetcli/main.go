// Package licetcli implements the licet command line: every subcommand is a
// function of its arguments and an Env, so that tests run it in-process.
// Package internal/command dispatches them.
package licetcli

import "licet.dev/licet/internal/command"

// Env is everything a subcommand may touch of the outside world.
type Env = command.Env

// ExitError ends a command with a given exit code after it has printed what
// it had to say. A nil Err prints nothing more.
type ExitError = command.ExitError

// cli is the licet program: its subcommands register with it.
var cli = &command.Program{Name: "licet", Docs: "docs/cli.md"}

// OSEnv returns the Env of the running process.
func OSEnv() *Env { return command.OSEnv() }

// Main runs the subcommand named by args and returns the process exit code.
func Main(args []string, e *Env) int { return cli.Main(args, e) }

// register adds a subcommand, named by one or two words ("inspect", "keys
// generate"); each subcommand's file calls it from init.
func register(name, summary string, run func(e *Env, args []string) error) {
	cli.Register(name, summary, run)
}
