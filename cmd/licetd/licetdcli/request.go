package licetdcli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"licet.dev/licet/agent"
	"licet.dev/licet/airgap"
	"licet.dev/licet/airgap/qr"
	"licet.dev/licet/internal/atomicfile"
)

func init() {
	register("request", "show the device code and request QR for activating a product", runRequest)
}

// requestJSON is the output of `licetd request --json`.
type requestJSON struct {
	agent.RequestView
	PNG string `json:"png,omitempty"`
}

func runRequest(e *Env, args []string) error {
	fs := newFlags(e, "request",
		"usage: licetd request --product ID [--json] [--png FILE] [--new] [settings]",
		"",
		"Prints the terminal's 25-character device code for a product, its request URL and the URL",
		"as a QR code, and keeps the request so that 'licetd import' can check the license that",
		"answers it. Running it again shows the same request until a license answers it.")
	product := fs.String("product", "", "the product's short numeric `id` (1-65535, decimal or 0x hex)")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	pngFile := fs.String("png", "", "also write the request QR code as a PNG image to `FILE`")
	fresh := fs.Bool("new", false, "make a new request even when one is pending for this product")
	darkOnLight := fs.Bool("dark-on-light", false, "draw the QR code for a terminal with dark text on a light background")
	var p uint64
	_, a, err := fs.open(args, func(pos []string) error {
		if err := noArgs(pos); err != nil {
			return err
		}
		if *product == "" {
			return usagef("--product is required (1-65535)")
		}
		var err error
		if p, err = strconv.ParseUint(*product, 0, 16); err != nil || p == 0 {
			return usagef("--product %q: want a number from 1 to 65535", *product)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r, err := a.Request(agent.RequestOptions{Product: uint16(p), New: *fresh})
	if err != nil {
		return err
	}
	var code *qr.Code
	if r.URL != "" {
		if code, err = airgap.RequestQR(r.URL); err != nil {
			return err
		}
	}
	if *pngFile != "" {
		if code == nil {
			return withHint(fmt.Errorf("--png: no request URL to draw: %v", r.URLError),
				"set the vendor portal with --portal URL or portal = URL in "+agent.DefaultConfigFile)
		}
		img, err := code.PNG(8, qr.QuietZone)
		if err != nil {
			return err
		}
		if st, err := os.Stat(*pngFile); err == nil && st.IsDir() {
			return withHint(fmt.Errorf("--png %s is a directory", *pngFile),
				"name the image file to write, e.g. --png "+filepath.Join(*pngFile, "request.png"))
		}
		if err := atomicfile.Write(*pngFile, img, 0o644); errors.Is(err, os.ErrNotExist) {
			return withHint(fmt.Errorf("--png %s: directory %s does not exist", *pngFile, filepath.Dir(*pngFile)),
				"create it first, or name a file in an existing directory")
		} else if err != nil {
			return fmt.Errorf("writing %s: %w", *pngFile, err)
		}
	}
	if *asJSON {
		out := requestJSON{RequestView: r.View(), PNG: *pngFile}
		return printJSON(e, out)
	}
	fmt.Fprintf(e.Stdout, "device code: %s  (product %d)\n", r.DeviceCode, r.Product)
	if code != nil {
		fmt.Fprintln(e.Stdout)
		fmt.Fprint(e.Stdout, code.Text(qr.TextOptions{Quiet: 2, DarkOnLight: *darkOnLight}))
		fmt.Fprintln(e.Stdout)
		fmt.Fprintf(e.Stdout, "request URL: %s\n", r.URL)
	}
	if *pngFile != "" {
		fmt.Fprintf(e.Stdout, "QR code image: %s\n", *pngFile)
	}
	fmt.Fprintln(e.Stdout)
	if code != nil {
		fmt.Fprintln(e.Stdout, "Read the device code out to the vendor, or scan the QR code with a phone.")
	} else {
		fmt.Fprintln(e.Stdout, "Read the device code out to the vendor.")
	}
	fmt.Fprintln(e.Stdout, "Then import the license you receive with: licetd import FILE")
	if r.URL == "" {
		fmt.Fprintf(e.Stderr, "note: no request URL or QR code: %v\n", r.URLError)
		if a.Config().Portal == "" {
			fmt.Fprintf(e.Stderr, "hint: set the vendor portal with --portal URL, or portal = URL in %s\n", agent.DefaultConfigFile)
		}
	} else if !r.WithComponents {
		fmt.Fprintln(e.Stderr, "note: the request URL leaves out the component hashes, which would not fit its QR code")
	}
	if r.Reused {
		fmt.Fprintln(e.Stderr, "note: this is the pending request for this product; --new makes another")
	}
	if r.Held != "" {
		fmt.Fprintf(e.Stderr, "note: this terminal holds license %s for product %d; the license that answers this request replaces it\n", r.Held, r.Product)
	}
	if r.Weak {
		fmt.Fprintf(e.Stderr, "warning: weak identity: this machine shows too little identifying hardware to be told apart from its copies\n")
		for _, m := range r.Missing {
			fmt.Fprintf(e.Stderr, "  missing %s\n", m)
		}
	}
	return nil
}
