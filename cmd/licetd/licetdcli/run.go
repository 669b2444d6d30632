package licetdcli

import (
	"context"
	"fmt"
	"path/filepath"

	"licet.dev/licet/agent"
	"licet.dev/licet/agent/webui"
)

func init() {
	register("run", "run the daemon: local API, license file, checks", runRun)
}

func runRun(e *Env, args []string) error {
	fs := newFlags(e, "run",
		"usage: licetd run [settings]",
		"",
		"Runs the daemon: answers applications on the local API socket, keeps the license file",
		"in step, and checks the machine, the state and the clock when something can change.",
		"With --web 127.0.0.1:0 it also serves the activation page on the loopback interface and",
		"prints its URL, which carries a token; the URL is also in STATE/"+webui.URLFile+".",
		"Stops on SIGINT or SIGTERM.")
	_, cfg, err := fs.parse(args, noArgs)
	if err != nil {
		return err
	}
	ctx, stop := e.RunContext()
	defer stop()
	if cfg.Web == "" {
		return agent.Run(ctx, cfg)
	}
	return runWithPage(ctx, e, cfg)
}

// runWithPage runs the daemon and the activation page beside it. The page
// has an agent of its own; the daemon notices what it imports at its next
// query, as it does for `licetd import`.
func runWithPage(ctx context.Context, e *Env, cfg agent.Config) error {
	a, err := agent.Open(cfg)
	if err != nil {
		return err
	}
	log := cfg.Logger()
	s, err := webui.Listen(webui.Config{
		Addr:    cfg.Web,
		Agent:   a,
		URLFile: filepath.Join(cfg.State, webui.URLFile),
		Rand:    e.Rand,
		Log:     log,
	})
	if err != nil {
		return err
	}
	log.Info("activation page", "addr", s.Addr().String(), "url_file", filepath.Join(cfg.State, webui.URLFile))
	fmt.Fprintf(e.Stdout, "activation page: %s\n", s.URL())
	wctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- s.Serve(wctx) }()
	err = agent.Run(ctx, cfg)
	stop()
	if werr := <-served; err == nil {
		err = werr
	}
	return err
}
