// Package licetdcli implements the licetd command line: every subcommand is
// a function of its arguments and an Env, so that tests run it in-process.
// Package internal/command dispatches them; package agent does the work.
package licetdcli

import (
	"encoding/json"
	"fmt"

	"licet.dev/licet/internal/command"
)

// Env is everything a subcommand may touch of the outside world.
type Env = command.Env

// ExitError ends a command with a given exit code after it has printed what
// it had to say. A nil Err prints nothing more.
type ExitError = command.ExitError

// cli is the licetd program: its subcommands register with it. Errors of
// package agent are shown without its prefix.
var cli = &command.Program{Name: "licetd", Docs: "docs/cli.md, section licetd", TrimPrefix: "agent: "}

// exitUnlicensed is the exit status of status, import, confirm and scan
// when the terminal is not licensed; 1 and 2 are command.ExitFailed and
// command.ExitUsage.
const exitUnlicensed = 3

// OSEnv returns the Env of the running process.
func OSEnv() *Env { return command.OSEnv() }

// Main runs the subcommand named by args and returns the process exit code.
func Main(args []string, e *Env) int { return cli.Main(args, e) }

// register adds a subcommand; each subcommand's file calls it from init.
func register(name, summary string, run func(e *Env, args []string) error) {
	cli.Register(name, summary, run)
}

// printJSON prints the --json output of a command: v as indented JSON.
func printJSON(e *Env, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.Stdout, "%s\n", b)
	return err
}
