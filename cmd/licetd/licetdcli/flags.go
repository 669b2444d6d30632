package licetdcli

import (
	"errors"
	"flag"
	"fmt"

	"licet.dev/licet/agent"
)

// newFlags returns a flag set for the named subcommand that reports to the
// Env's standard error instead of exiting.
func newFlags(e *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("licetd "+name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

// parseFlags parses args with flags and positional arguments in any order
// and returns the positional ones. A lone "-" is positional (standard
// input); everything after "--" is positional. -h prints usage and exits 0.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &ExitError{Code: 0}
			}
			return nil, &ExitError{Code: exitUsage}
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

// configFlags adds the daemon's settings to fs; the returned function
// resolves them once fs is parsed and fills in the Env's clock, randomness
// and log output.
func configFlags(e *Env, fs *flag.FlagSet) func() (agent.Config, error) {
	resolve := agent.Bind(fs, e.Getenv)
	return func() (agent.Config, error) {
		cfg, err := resolve()
		if err != nil {
			return cfg, &usageError{msg: err.Error()}
		}
		cfg.Now, cfg.Rand, cfg.Log = e.Now, e.Rand, e.Stderr
		return cfg, nil
	}
}

// usageHeader sets fs's usage text: the synopsis and description lines,
// then the flags.
func usageHeader(e *Env, fs *flag.FlagSet, lines ...string) {
	fs.Usage = func() {
		for _, l := range lines {
			fmt.Fprintln(e.Stderr, l)
		}
		fmt.Fprintln(e.Stderr)
		fs.PrintDefaults()
	}
}

// noArgs rejects positional arguments.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}
