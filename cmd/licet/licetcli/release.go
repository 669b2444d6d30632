package licetcli

import (
	"fmt"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/release"
)

func init() {
	register("release check", "check a release code that a terminal showed when it gave its license up", runReleaseCheck)
}

// releaseOutput is what 'licet release check --json' prints.
type releaseOutput struct {
	Code        string   `json:"code"`
	License     codec.ID `json:"license"`
	Day         string   `json:"released_on"`
	Valid       bool     `json:"valid"`
	Error       string   `json:"error,omitempty"`
	ErrorKind   string   `json:"error_kind,omitempty"`
	Corrections []string `json:"corrections,omitempty"`
}

func runReleaseCheck(e *Env, args []string) error {
	fset := newFlags(e, "release check",
		"usage: licet release check CODE (--license FILE | --confirmation CODE) [--json]",
		"",
		"Checks a 40-character release code against the activation it names: the license file",
		"or the confirmation code it was issued. Exits 0 when the code is valid, 1 otherwise.",
		"A valid code shows that its maker held that activation; it cannot show that every",
		"copy of the license is gone.")
	licFile := fset.String("license", "", "the license `FILE` the terminal was activated with, as issued")
	conf := fset.String("confirmation", "", "the confirmation `CODE` the terminal was activated with, as issued")
	asJSON := fset.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		return usagef("the release code is required")
	case (*licFile == "") == (*conf == ""):
		return usagef("give one of --license FILE and --confirmation CODE")
	}
	code := pos[0]
	for _, p := range pos[1:] {
		code += " " + p // a code typed with spaces between its groups
	}
	var a release.Activation
	if *licFile != "" {
		b, err := readLicetFile(*licFile, e.Stdin)
		if err != nil {
			return err
		}
		if a, err = release.FromFile(b); err != nil {
			return fmt.Errorf("--license %s: %w", *licFile, err)
		}
	} else {
		p, err := readConfirmation(*conf)
		if err != nil {
			return fmt.Errorf("--confirmation: %w", err)
		}
		if a, err = release.FromConfirmation(p.Code); err != nil {
			return err
		}
	}
	p, err := release.Parse(code)
	if err != nil {
		return withHint(err, "type the code again; one wrong character in each of characters 1-20 and 21-40 is corrected")
	}
	out := releaseOutput{Code: p.Canonical, License: a.License, Day: p.Code.Date().Format(time.DateOnly)}
	for _, c := range p.Corrections {
		out.Corrections = append(out.Corrections, c.String())
	}
	cerr := a.Check(p.Code)
	out.Valid = cerr == nil
	if cerr != nil {
		out.Error, out.ErrorKind = cerr.Error(), release.ErrorKind(cerr)
	}
	if *asJSON {
		if err := writeJSON(e.Stdout, out); err != nil {
			return err
		}
		if cerr != nil {
			return &ExitError{Code: 1}
		}
		return nil
	}
	for _, c := range out.Corrections {
		fmt.Fprintf(e.Stderr, "licet release check: corrected %s; using %s\n", c, p.Canonical)
	}
	if cerr != nil {
		return cerr
	}
	fmt.Fprintf(e.Stdout, "valid: license %s released on %s\n", a.License, out.Day)
	return nil
}
