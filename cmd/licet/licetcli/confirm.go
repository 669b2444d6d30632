package licetcli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/confirm"
	"licet.dev/licet/codec/cose"
	"licet.dev/licet/codec/keyseal"
)

func init() {
	register("issue confirm", "make the confirmation code a person types at an air-gapped terminal", runIssueConfirm)
}

// confirmKeyFile is the name of the confirmation key that 'licet issue
// order --confirm' keeps next to the vendor key.
const confirmKeyFile = "confirm.key"

// confirmKeyFlags are the flags of 'licet issue order' that name a
// confirmation key in the order.
type confirmKeyFlags struct {
	file *string
	next *bool
}

func addConfirmKeyFlags(fs *flag.FlagSet) *confirmKeyFlags {
	return &confirmKeyFlags{
		file: fs.String("confirm-key", "", "name the confirmation key sealed in `FILE` in the order; a new key is made there if FILE does not exist"),
		next: fs.Bool("confirm", false, "name the confirmation key "+confirmKeyFile+" next to --key in the order (made if missing)"),
	}
}

// apply names the confirmation key in o, making and sealing a new one when
// its file does not exist yet, under the vendor key's passphrase. It
// returns a line for the report, or "" when no confirmation key was asked
// for.
func (c *confirmKeyFlags) apply(e *Env, o *codec.OrderLicense, vendorKey string, src passphraseSource) (string, error) {
	path := *c.file
	if *c.next {
		if path != "" {
			return "", usagef("--confirm and --confirm-key FILE both name a confirmation key; give one")
		}
		path = filepath.Join(filepath.Dir(vendorKey), confirmKeyFile)
	}
	if path == "" {
		return "", nil
	}
	if o.Mode == codec.ModePeriodic || o.Mode == codec.ModeConcurrent {
		return "", withHint(usagef("mode %s grants leases from a site server; confirmation codes activate terminals of permanent, unlimited and preactivation orders", o.Mode),
			"leave --confirm out, or issue the order in another mode")
	}
	verb := "named"
	key, err := loadConfirmKey(e, path, src)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createConfirmKey(e, path, vendorKey, src)
		verb = "made"
	}
	if err != nil {
		return "", err
	}
	o.ConfirmKey = key.Public().ConfirmKey()
	return fmt.Sprintf("confirmation key %s (%s): %s", key.Public(), verb, path), nil
}

// createConfirmKey makes a confirmation key and seals it in path under the
// passphrase of the vendor key, which it opens first so that both files
// share one passphrase.
func createConfirmKey(e *Env, path, vendorKey string, src passphraseSource) (*confirm.PrivateKey, error) {
	vb, err := readKeyFile(vendorKey)
	if err != nil {
		return nil, err
	}
	pass, err := src.read(e, false)
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	secret, err := keyseal.Open(pass, vb)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vendorKey, err)
	}
	clear(secret)
	key, err := confirm.GenerateKey(e.Rand)
	if err != nil {
		return nil, err
	}
	plain := key.Bytes()
	sealed, err := keyseal.SealWithParams(e.Rand, pass, plain, keySealParams)
	clear(plain)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := writeFile(path, sealed, 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// loadConfirmKey opens a sealed confirmation key. A directory stands for
// its confirm.key. The error matches fs.ErrNotExist when there is no file.
func loadConfirmKey(e *Env, path string, src passphraseSource) (*confirm.PrivateKey, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, confirmKeyFile)
	}
	b, err := readKeyFile(path)
	if err != nil {
		return nil, err
	}
	if _, err := keyseal.ParamsOf(b); err != nil {
		return nil, withHint(fmt.Errorf("%s: not a sealed confirmation key: %w", path, err),
			"pass the "+confirmKeyFile+" that 'licet issue order --confirm' made")
	}
	pass, err := src.read(e, false)
	if err != nil {
		return nil, err
	}
	secret, err := keyseal.Open(pass, b)
	clear(pass)
	if errors.Is(err, keyseal.ErrWrongPassphrase) {
		return nil, withHint(fmt.Errorf("%s: %w", path, err), "a confirmation key is sealed with the vendor key's passphrase")
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer clear(secret)
	key, err := confirm.ParsePrivateKey(secret)
	if err != nil {
		if _, herr := cose.ParsePrivateKey(secret); herr == nil {
			return nil, withHint(fmt.Errorf("%s is the vendor's signing key, not a confirmation key", path),
				"pass the "+confirmKeyFile+" next to it")
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// confirmOutput is what 'licet issue confirm --json' prints.
type confirmOutput struct {
	Code       string          `json:"code"`
	Device     string          `json:"device_code"`
	Order      codec.ID        `json:"order"`
	Product    uint16          `json:"product"`
	Days       uint16          `json:"days"`
	NotAfter   codec.Timestamp `json:"not_after,omitzero"`
	License    codec.ID        `json:"license"`
	Correction string          `json:"correction,omitempty"`
}

func runIssueConfirm(e *Env, args []string) error {
	fset := newFlags(e, "issue confirm",
		"usage: licet issue confirm --key DIR/"+confirmKeyFile+" --order FILE --device-code CODE [--days N] [--json]",
		"",
		"Prints the 80-character confirmation code that activates the terminal showing CODE under",
		"the order, which the terminal must have imported ('licetd import'). The code is a classical",
		"signature with the order's confirmation key; the terminal marks the activation classical",
		"until a full license replaces it.")
	keyPath := fset.String("key", "", "the sealed confirmation key `FILE`, or the DIR holding "+confirmKeyFile)
	passFile := fset.String("passphrase-file", "", "read the key's passphrase from `FILE` (default: $LICET_PASSPHRASE or a prompt)")
	orderFile := fset.String("order", "", "the order license `FILE` the terminal imported")
	code := fset.String("device-code", "", "the terminal's device `code` (25 characters, one typo is corrected)")
	days := optionalUint{max: 100 * 366}
	fset.Var(&days, "days", "the activation ends after `N` days, rounded up to a whole day from the order's start (default: with the order)")
	asJSON := fset.Bool("json", false, "print the code and what it grants as JSON")
	pos, err := parseFlags(fset, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return usagef("unexpected argument %q", pos[0])
	case *keyPath == "":
		return usagef("--key is required")
	case *orderFile == "":
		return usagef("--order is required")
	case *code == "":
		return usagef("--device-code is required")
	}
	order, err := readOrder(*orderFile)
	if err != nil {
		return err
	}
	if _, err := confirm.KeyOf(order); err != nil {
		return withHint(fmt.Errorf("--order %s: %w", *orderFile, err),
			"issue the order with 'licet issue order --confirm' so that it names a confirmation key")
	}
	p, err := readDeviceCode(e, "issue confirm", *code)
	if err != nil {
		return err
	}
	out := confirmOutput{Device: p.Canonical, Order: order.ID, Product: order.Product}
	for _, c := range p.Corrections {
		out.Correction = c.String()
	}
	if p.Code.Product != order.Product {
		return withHint(fmt.Errorf("the device code is for product %d, order %s for product %d", p.Code.Product, order.ID, order.Product),
			"check the product the terminal runs, or pass the order for it")
	}
	var d uint16
	if days.set && days.v > 0 {
		end := codec.At(e.Now().Add(time.Duration(days.v) * 24 * time.Hour))
		d, err = confirm.DaysUntil(order, end)
		if err != nil {
			return usagef("--days %d: %v", days.v, err)
		}
		if d == 0 {
			fmt.Fprintf(e.Stderr, "licet issue confirm: %d days reach the order's end; the activation ends with the order\n", days.v)
		}
	}
	key, err := loadConfirmKey(e, *keyPath, passphraseSource{file: *passFile})
	if errors.Is(err, fs.ErrNotExist) {
		return withHint(fmt.Errorf("confirmation key %s does not exist", *keyPath),
			"'licet issue order --confirm' makes "+confirmKeyFile+" next to the vendor key")
	}
	if err != nil {
		return err
	}
	c, err := confirm.New(key, order, p.Code, d)
	if errors.Is(err, confirm.ErrWrongKey) {
		return withHint(err, "pass the confirmation key that was named when the order was issued")
	}
	if err != nil {
		return err
	}
	g, err := confirm.Verify(order, p.Code, c)
	if err != nil {
		return fmt.Errorf("the code made does not verify: %w", err)
	}
	out.Code, out.Days, out.NotAfter, out.License = c.String(), c.Days, g.NotAfter, g.LicenseID()
	if *asJSON {
		return writeJSON(e.Stdout, out)
	}
	fmt.Fprintln(e.Stdout, out.Code)
	fmt.Fprintf(e.Stderr, "confirmation code for device %s under order %s: product %d, valid until %s, license %s (classical)\n",
		p.Canonical, order.ID, order.Product, endText(g.NotAfter), out.License)
	return nil
}

// readConfirmation reads a confirmation code given on the command line;
// it is here for the commands that accept one.
func readConfirmation(s string) (confirm.Parsed, error) {
	p, err := confirm.Parse(s)
	if err != nil {
		return p, withHint(err, "type the code again; one wrong character in each of characters 1-30, 31-55 and 56-80 is corrected")
	}
	return p, nil
}
