package licetcli

import (
	"errors"
	"flag"
)

// newFlags returns a flag set for the named subcommand that reports to the
// Env's standard error instead of exiting.
func newFlags(e *Env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("licet "+name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	return fs
}

// parseFlags parses args with flags and positional arguments in any order
// ("licet inspect FILE --trust KEY" as well as "--trust KEY FILE") and
// returns the positional ones. A lone "-" is positional (standard input);
// everything after "--" is positional. -h prints usage and exits 0.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &ExitError{Code: 0}
			}
			return nil, &ExitError{Code: 2}
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
