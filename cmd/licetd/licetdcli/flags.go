package licetdcli

import (
	"flag"

	"licet.dev/licet/agent"
	"licet.dev/licet/internal/command"
	"licet.dev/licet/internal/hint"
)

// settingsFlags is a subcommand's flag set: its own flags and the daemon's
// settings (agent.Bind).
type settingsFlags struct {
	*flag.FlagSet
	e       *Env
	resolve func() (agent.Config, error)
}

// newFlags returns the flag set of the named subcommand, with the daemon's
// settings, reporting to the Env's standard error instead of exiting. Its
// usage text is the synopsis and description lines, then the flags.
func newFlags(e *Env, name string, usage ...string) *settingsFlags {
	fs := cli.Flags(e, name, usage...)
	return &settingsFlags{FlagSet: fs, e: e, resolve: agent.Bind(fs, e.Getenv)}
}

// parse parses args, flags and positional arguments in any order, lets
// check judge the positional ones, and resolves the settings, with the
// Env's clock, randomness and log output filled in. A bad setting is a
// usage error.
func (f *settingsFlags) parse(args []string, check func(pos []string) error) ([]string, agent.Config, error) {
	pos, err := command.ParseFlags(f.FlagSet, args)
	if err == nil {
		err = check(pos)
	}
	if err != nil {
		return nil, agent.Config{}, err
	}
	cfg, err := f.resolve()
	if err != nil {
		return nil, cfg, command.Usagef("%w", err)
	}
	cfg.Now, cfg.Rand, cfg.Log = f.e.Now, f.e.Rand, f.e.Stderr
	return pos, cfg, nil
}

// open is parse, then agent.Open.
func (f *settingsFlags) open(args []string, check func(pos []string) error) ([]string, *agent.Agent, error) {
	pos, cfg, err := f.parse(args, check)
	if err != nil {
		return nil, nil, err
	}
	a, err := agent.Open(cfg)
	return pos, a, err
}

// noArgs rejects positional arguments.
func noArgs(pos []string) error {
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// usagef reports a wrong invocation; Main exits 2.
func usagef(format string, args ...any) error { return command.Usagef(format, args...) }

// withHint wraps err with a "hint:" line for the user.
func withHint(err error, text string) error { return hint.Wrap(err, text) }
