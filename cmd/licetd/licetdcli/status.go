package licetdcli

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"licet.dev/licet/agent/localapi"
)

func init() {
	register("status", "say whether the terminal is licensed, for what and until when", runStatus)
}

func runStatus(e *Env, args []string) error {
	fs := newFlags(e, "status",
		"usage: licetd status [--json] [-v] [settings]",
		"",
		"Checks the state, the license's signatures and binding, the clock and the expiry, and",
		"says whether the terminal is licensed. Exit status: 0 licensed (grace included),",
		"3 not licensed, 1 the check could not run, 2 wrong usage.")
	asJSON := fs.Bool("json", false, "print the status as JSON (the local API's /v1/status)")
	verbose := fs.Bool("v", false, "explain the binding component by component")
	_, a, err := fs.open(args, noArgs)
	if err != nil {
		return err
	}
	st := a.Status()
	if *asJSON {
		if err := printJSON(e, st); err != nil {
			return err
		}
	} else {
		printStatus(e, &st, *verbose)
	}
	if !st.Licensed {
		return &ExitError{Code: exitUnlicensed}
	}
	return nil
}

// printStatus prints a status for people.
func printStatus(e *Env, st *localapi.Status, verbose bool) {
	w := e.Stdout
	line := func(k, format string, args ...any) {
		fmt.Fprintf(w, "%-10s %s\n", k+":", fmt.Sprintf(format, args...))
	}
	yes := "no"
	if st.Licensed {
		yes = "yes"
	}
	line("licensed", "%s (%s)", yes, st.State)
	if st.Reason != "" {
		line("reason", "%s", st.Reason)
	}
	if st.LicenseID != "" {
		p := fmt.Sprint(st.Product)
		if st.ProductName != "" {
			p += " (" + st.ProductName + ")"
		}
		line("product", "%s", p)
		if st.Classical {
			line("license", "%s (%s, %s, classical)", st.LicenseID, st.Kind, st.Mode)
		} else {
			line("license", "%s (%s, %s)", st.LicenseID, st.Kind, st.Mode)
		}
		if st.Order != "" {
			line("order", "%s", st.Order)
		}
	}
	if len(st.Features) > 0 {
		names := make([]string, 0, len(st.Features))
		for n := range st.Features {
			names = append(names, n)
		}
		sort.Strings(names)
		for i, n := range names {
			names[i] = n + "=" + st.Features[n]
		}
		line("features", "%s", strings.Join(names, ", "))
	}
	if st.LicenseID != "" {
		switch {
		case st.ExpiresAt == nil:
			line("expires", "never")
		case st.DaysLeft != nil && st.State == localapi.StateLicensed:
			line("expires", "%s (%d days left)", st.ExpiresAt.Format(time.RFC3339), *st.DaysLeft)
		default:
			line("expires", "%s", st.ExpiresAt.Format(time.RFC3339))
		}
		if st.GraceEndsAt != nil {
			line("grace", "until %s", st.GraceEndsAt.Format(time.RFC3339))
		}
		if st.RenewAfter != nil {
			line("renew", "after %s", st.RenewAfter.Format(time.RFC3339))
		}
	}
	if b := st.Binding; b != nil {
		line("binding", "%s", b.Summary)
		if verbose || !b.Match {
			for _, l := range b.Lines {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
	c := st.Clock
	switch {
	case c.Error != "":
		line("clock", "unknown: %s", c.Error)
	case c.TurnedBack:
		line("clock", "turned back: %s behind the trusted time %s (tolerance %ds, policy %s)",
			time.Duration(c.Behind)*time.Second, c.TrustedTime.Format(time.RFC3339), c.Tolerance, c.Policy)
	case c.Behind > 0:
		line("clock", "ok, %ds behind the trusted time %s (within the tolerance)", c.Behind, c.TrustedTime.Format(time.RFC3339))
	default:
		line("clock", "ok")
	}
	if st.Identity.Instance != "" {
		line("identity", "instance %s", st.Identity.Instance)
	}
	for _, p := range st.Pending {
		line("pending", "device code %s for product %d, since %s", p.DeviceCode, p.Product, p.CreatedAt.Format(time.RFC3339))
	}
	for _, warn := range st.Warnings {
		line("warning", "%s", warn)
	}
	if st.Hint != "" {
		line("hint", "%s", st.Hint)
	}
}
