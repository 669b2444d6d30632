package licetdcli

import (
	"fmt"
	"io"

	"licet.dev/licet/agent"
)

func init() {
	register("import", "verify a license file and store it", runImport)
}

func runImport(e *Env, args []string) error {
	fs := newFlags(e, "import")
	config := configFlags(e, fs)
	usageHeader(e, fs,
		"usage: licetd import FILE [settings]",
		"       licetd import - < license.txt",
		"",
		"Verifies a license file (binary, or armoured text; '-' reads standard input) against the",
		"trusted vendor roots, checks that it is for this machine and answers one of its requests,",
		"and stores it. Exit status 3 when the license is stored but the terminal is not licensed.",
		"An order license is kept instead, for 'licetd confirm CODE' (typed confirmation codes).")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one license file ('-' for standard input)")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	var data []byte
	if pos[0] == "-" {
		data, err = io.ReadAll(io.LimitReader(e.Stdin, agent.MaxLicenseFile+1))
	} else {
		data, err = readFile(pos[0], agent.MaxLicenseFile+1)
	}
	if err != nil {
		return err
	}
	a, err := agent.Open(cfg)
	if err != nil {
		return err
	}
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
