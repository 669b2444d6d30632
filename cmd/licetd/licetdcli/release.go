package licetdcli

import (
	"fmt"
	"time"
)

func init() {
	register("release", "give up the license so that its seat can be freed", runRelease)
	register("reset", "discard state files that are damaged or from another machine", runReset)
}

// releaseNote says what to do with the release code.
const releaseNote = "type the release code into the vendor portal (or give it to the site administrator) to free the seat; " +
	"the license is gone from this terminal"

// releaseJSON is the output of `licetd release --json`.
type releaseJSON struct {
	LicenseID   string    `json:"license_id"`
	Product     uint16    `json:"product"`
	Order       string    `json:"order,omitempty"`
	Digest      string    `json:"digest,omitempty"`
	Instance    string    `json:"instance,omitempty"`
	ReleasedAt  time.Time `json:"released_at"`
	ReleaseCode string    `json:"release_code"`
	Classical   bool      `json:"classical,omitempty"`
	Note        string    `json:"note"`
}

func runRelease(e *Env, args []string) error {
	fs := newFlags(e, "release",
		"usage: licetd release [--json] [settings]",
		"",
		"Removes the license from this terminal for good (the same file cannot be imported again)",
		"and prints the release code (40 characters) that frees its seat at the vendor portal.")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	_, a, err := fs.open(args, noArgs)
	if err != nil {
		return err
	}
	r, err := a.Release()
	if err != nil {
		return err
	}
	if *asJSON {
		out := releaseJSON{LicenseID: r.LicenseID.String(), Product: r.Product, Digest: r.Digest, Instance: r.Instance,
			ReleasedAt: r.At, ReleaseCode: r.Code, Classical: r.Classical, Note: releaseNote}
		if !r.Order.IsZero() {
			out.Order = r.Order.String()
		}
		return printJSON(e, out)
	}
	fmt.Fprintf(e.Stdout, "released license %s for product %d at %s\n", r.LicenseID, r.Product, r.At.Format(time.RFC3339))
	fmt.Fprintf(e.Stdout, "release code:  %s\n", r.Code)
	if !r.Order.IsZero() {
		fmt.Fprintf(e.Stdout, "order:         %s\n", r.Order)
	}
	if r.Digest != "" {
		fmt.Fprintf(e.Stdout, "device digest: %s\n", r.Digest)
	}
	if r.Instance != "" {
		fmt.Fprintf(e.Stdout, "instance:      %s\n", r.Instance)
	}
	fmt.Fprintf(e.Stdout, "%s\n", releaseNote)
	return nil
}

func runReset(e *Env, args []string) error {
	fs := newFlags(e, "reset",
		"usage: licetd reset [settings]",
		"",
		"Removes the state files that fail their check (damaged, edited, or sealed on another",
		"machine) and keeps the others. A license held in a removed file must be imported again.")
	_, a, err := fs.open(args, noArgs)
	if err != nil {
		return err
	}
	removed, err := a.Reset()
	for _, n := range removed {
		fmt.Fprintf(e.Stdout, "removed %s/%s\n", a.Config().State, n)
	}
	if err != nil {
		return err
	}
	if len(removed) == 0 {
		fmt.Fprintln(e.Stdout, "nothing to reset: every state file checks out")
	}
	return nil
}
