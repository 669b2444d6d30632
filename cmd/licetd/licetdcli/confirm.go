package licetdcli

import (
	"fmt"
	"strings"
	"time"

	"licet.dev/licet/agent"
)

func init() {
	register("confirm", "activate with the confirmation code the vendor gave for the device code", runConfirm)
}

// confirmJSON is the output of `licetd confirm --json`.
type confirmJSON struct {
	LicenseID   string   `json:"license_id"`
	Product     uint16   `json:"product"`
	Order       string   `json:"order"`
	DeviceCode  string   `json:"device_code"`
	NotAfter    *string  `json:"not_after"`
	Corrections []string `json:"corrections,omitempty"`
	Replaced    string   `json:"replaced,omitempty"`
	Licensed    bool     `json:"licensed"`
	State       string   `json:"state"`
}

func runConfirm(e *Env, args []string) error {
	fs := newFlags(e, "confirm",
		"usage: licetd confirm CODE [--json] [settings]",
		"",
		"Activates the terminal with the 80-character confirmation code the vendor made for its",
		"device code ('licetd request'). The order must have been imported first ('licetd import",
		"ORDER.license'). The code may be typed in groups with spaces; one wrong character in each",
		"of characters 1-30, 31-55 and 56-80 is corrected. The activation is marked classical until",
		"the full license is imported. Exit status 3 when the code is kept but the terminal is",
		"not licensed.")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	pos, a, err := fs.open(args, func(pos []string) error {
		if len(pos) == 0 {
			return usagef("want the confirmation code")
		}
		return nil
	})
	if err != nil {
		return err
	}
	res, err := a.Confirm(strings.Join(pos, " "))
	if err != nil {
		return err
	}
	return printConfirmed(e, res, *asJSON)
}

func printConfirmed(e *Env, res *agent.Confirmed, asJSON bool) error {
	st := res.Status
	if asJSON {
		out := confirmJSON{LicenseID: res.LicenseID.String(), Product: res.Product, Order: res.Order.String(),
			DeviceCode: res.DeviceCode, Replaced: res.Replaced, Licensed: st.Licensed, State: st.State}
		if !res.NotAfter.IsZero() {
			s := res.NotAfter.UTC().Format(time.RFC3339)
			out.NotAfter = &s
		}
		for _, c := range res.Corrections {
			out.Corrections = append(out.Corrections, c.String())
		}
		if err := printJSON(e, out); err != nil {
			return err
		}
	} else {
		for _, c := range res.Corrections {
			fmt.Fprintf(e.Stderr, "licetd confirm: corrected %v\n", c)
		}
		fmt.Fprintf(e.Stdout, "activated with a confirmation code: license %s for product %d, order %s (classical until the full license is imported)\n",
			res.LicenseID, res.Product, res.Order)
		if res.Replaced != "" {
			fmt.Fprintf(e.Stdout, "replaced license %s\n", res.Replaced)
		}
		printStatus(e, &st, false)
	}
	if !st.Licensed {
		return &ExitError{Code: exitUnlicensed}
	}
	return nil
}
