package licetcli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"licet.dev/licet/server"
)

func init() {
	register("serve", "run the vendor portal and its API", runServe)
}

// version is reported by the server; set with -ldflags "-X".
var version = "dev"

func runServe(e *Env, args []string) error {
	fs := newFlags(e, "serve",
		"usage: licet serve [flags]",
		"",
		"Runs the vendor portal and its API. On first start it creates the vendor root key,",
		"sealed under a passphrase, and prints a one-time link that sets the admin password.",
		"Each flag may also come from its environment variable or a --config file;",
		"a flag wins over the variable, the variable over the file. See docs/config.md.")
	resolve := server.Bind(fs, e.Getenv)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	cfg, err := resolve()
	if err != nil {
		return withHint(err, "run 'licet serve -h' for the settings and their variables")
	}
	src := passphraseSource{file: cfg.PassphraseFile}
	cfg.Passphrase = func(confirm bool) ([]byte, error) { return src.read(e, confirm) }
	cfg.Console = e.Stdout
	cfg.Log = e.Stderr
	cfg.Now = e.Now
	cfg.Rand = e.Rand
	cfg.Version = version

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = server.Run(ctx, cfg)
	var pe *server.PassphraseError
	if errors.As(err, &pe) {
		return withHint(err, "the passphrase is the one given when the data directory was created; "+
			"set LICET_PASSPHRASE or --passphrase-file")
	}
	return err
}
