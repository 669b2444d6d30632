package licetdcli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"licet.dev/licet/agent"
)

func init() {
	register("run", "run the daemon: local API, license file, checks", runRun)
}

func runRun(e *Env, args []string) error {
	fs := newFlags(e, "run")
	config := configFlags(e, fs)
	usageHeader(e, fs,
		"usage: licetd run [settings]",
		"",
		"Runs the daemon: answers applications on the local API socket, keeps the license file",
		"in step, and checks the machine, the state and the clock when something can change.",
		"Stops on SIGINT or SIGTERM.")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	ctx := e.Context
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	return agent.Run(ctx, cfg)
}
