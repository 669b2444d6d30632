package licetdcli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"licet.dev/licet/agent"
)

func init() {
	register("import", "verify a license file and store it", runImport)
}

func runImport(e *Env, args []string) error {
	fs := newFlags(e, "import",
		"usage: licetd import FILE [settings]",
		"       licetd import - < license.txt",
		"",
		"Verifies a license file (binary, or armoured text; '-' reads standard input) against the",
		"trusted vendor roots, checks that it is for this machine and answers one of its requests,",
		"and stores it. Exit status 3 when the license is stored but the terminal is not licensed.",
		"An order license is kept instead, for 'licetd confirm CODE' (typed confirmation codes).")
	pos, cfg, err := fs.parse(args, func(pos []string) error {
		if len(pos) != 1 {
			return usagef("want one license file ('-' for standard input)")
		}
		return nil
	})
	if err != nil {
		return err
	}
	data, err := readLicense(e, pos[0])
	if err != nil {
		return err
	}
	a, err := agent.Open(cfg)
	if err != nil {
		return err
	}
	return importFile(e, a, data)
}

// readLicense reads a license file, "-" being standard input, up to one
// byte more than agent.MaxLicenseFile, so that the agent says what is too
// large.
func readLicense(e *Env, path string) ([]byte, error) {
	r := e.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, withHint(err, "name the .license file the vendor sent, or '-' to paste it")
		}
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, withHint(fmt.Errorf("%s is a directory, not a license file", path),
				"name the .license file the vendor sent")
		}
		r = f
	}
	return io.ReadAll(io.LimitReader(r, agent.MaxLicenseFile+1))
}

// importFile imports a license, or keeps an order license for
// confirmation codes, and prints the outcome. It ends with exit status 3
// when the terminal is not licensed afterwards.
func importFile(e *Env, a *agent.Agent, data []byte) error {
	if agent.IsOrderFile(data) {
		return importOrder(e, a, data)
	}
	res, err := a.Import(data)
	if err != nil {
		return err
	}
	st := res.Status
	switch {
	case res.Already:
		fmt.Fprintf(e.Stdout, "license %s is held already\n", res.LicenseID)
	case res.Replaced != "":
		fmt.Fprintf(e.Stdout, "imported license %s for product %d, replacing license %s\n", res.LicenseID, res.Product, res.Replaced)
	default:
		fmt.Fprintf(e.Stdout, "imported license %s for product %d\n", res.LicenseID, res.Product)
	}
	printStatus(e, &st, false)
	if !st.Licensed {
		return &ExitError{Code: exitUnlicensed}
	}
	return nil
}

// importOrder keeps an order license for confirmation codes and prints
// what the terminal holds.
func importOrder(e *Env, a *agent.Agent, data []byte) error {
	res, err := a.ImportOrder(data)
	if err != nil {
		return err
	}
	end := "no end"
	if !res.NotAfter.IsZero() {
		end = res.NotAfter.UTC().Format(time.RFC3339)
	}
	verb := "imported"
	if res.Already {
		verb = "already held:"
	}
	fmt.Fprintf(e.Stdout, "%s order %s for product %d (%s, %s), valid until %s\n", verb, res.Order, res.Product, res.Customer, res.Mode, end)
	fmt.Fprintf(e.Stdout, "the terminal holds %d order(s) for confirmation codes; activate with 'licetd request', then 'licetd confirm CODE'\n", res.Orders)
	return nil
}
