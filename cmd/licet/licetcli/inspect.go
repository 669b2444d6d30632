package licetcli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/cose"
)

func init() {
	register("inspect", "show a license file and verify its signatures", runInspect)
}

func runInspect(e *Env, args []string) error {
	fs := newFlags(e, "inspect",
		"usage: licet inspect FILE --trust DIR/licet.pub [--trust KEY...] [--json] [--at TIME]",
		"",
		"Prints the signed objects of a license file (CBOR or armoured text; '-' reads",
		"standard input) and verifies every signature and delegation against the trusted",
		"keys. Exits 0 only if the file verifies.")
	var trust listFlag
	fs.Var(&trust, "trust", "a trusted root public key `FILE` (DIR/licet.pub; repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	at := fs.String("at", "", "verify at this RFC 3339 `time` instead of now")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 2 && (strings.HasSuffix(pos[0], ".pub") || strings.HasSuffix(pos[1], ".pub")) {
		return withHint(usagef("want one FILE, got 2 arguments"),
			"give a trusted key with --trust: licet inspect FILE --trust DIR/licet.pub")
	}
	if len(pos) != 1 {
		return usagef("want one FILE, got %d arguments", len(pos))
	}
	path := pos[0]
	now := e.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef("--at %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", *at)
		}
	}
	var roots []*cose.PublicKey
	if len(trust) > 0 {
		if roots, err = loadPublicKeys(trust); err != nil {
			return err
		}
	}
	b, err := readLicetFile(path, e.Stdin)
	if err != nil {
		return err
	}
	name := path
	if path == "-" {
		name = "standard input"
	}
	f, err := codec.ParseFile(b)
	if err != nil {
		// One line, whatever the input: no dump, and a hint only when
		// the file is recognisably something else.
		text := strings.TrimSpace(string(b[:min(len(b), 64)]))
		switch {
		case text == "":
			return fmt.Errorf("%s: empty file, not a license", name)
		case strings.HasPrefix(text, cose.PublicKeyPrefix), strings.HasPrefix(text, "-----BEGIN LICET PRIVATE KEY"):
			return withHint(fmt.Errorf("%s: a key file, not a license: %w", name, err),
				"pass the license file ('licet issue ... --out FILE'); a public key goes with --trust")
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	var res *codec.Result
	var verr error
	if len(roots) == 0 {
		verr = errors.New("no trusted key given")
	} else {
		res, verr = (&codec.Verifier{Roots: roots, Now: now}).Verify(f)
	}
	if *asJSON {
		if err := writeInspectJSON(e.Stdout, path, f, roots, now, res, verr); err != nil {
			return err
		}
	} else {
		writeInspectText(e.Stdout, f, roots, now, res, verr)
	}
	if verr != nil {
		if len(roots) == 0 {
			return &ExitError{Code: 1, Err: withHint(fmt.Errorf("%s: not verified: %w", name, verr), "pass --trust DIR/licet.pub")}
		}
		return &ExitError{Code: 1, Err: fmt.Errorf("%s: not verified: %w", name, verr)}
	}
	return nil
}

// keyRole names a key for people: a trusted root, the order's site key, or
// an unknown key.
func keyRole(id cose.KeyID, roots []*cose.PublicKey, f *codec.File) string {
	for _, r := range roots {
		if r.ID() == id {
			return "trusted root"
		}
	}
	if o, ok := f.Links[0].Object.(*codec.OrderLicense); ok && len(f.Links) > 1 {
		if k, err := o.Site(); err == nil && k != nil && k.ID() == id {
			return "site key of the order"
		}
	}
	return "not trusted"
}

func writeInspectText(w io.Writer, f *codec.File, roots []*cose.PublicKey, now time.Time, res *codec.Result, verr error) {
	form := "CBOR"
	if f.Armoured {
		form = "armoured text"
	}
	fmt.Fprintf(w, "file:      %s, %d signed object(s)\n", form, len(f.Links))
	for i, l := range f.Links {
		h := codec.HeaderOf(l.Object)
		fmt.Fprintf(w, "\n[%d] %s %s\n", i+1, codec.TypeOf(l.Object).Name(), h.ID)
		p := func(label, format string, args ...any) {
			fmt.Fprintf(w, "  %-16s %s\n", label+":", fmt.Sprintf(format, args...))
		}
		p("signed by", "key %s (%s)", l.Message.KeyID, keyRole(l.Message.KeyID, roots, f))
		p("issued", "%s", h.IssuedAt)
		p("valid", "%s to %s", startText(h), endText(h.NotAfter))
		writeObjectText(p, l.Object)
		for _, k := range slices.Sorted(maps.Keys(h.Ext)) {
			p(fmt.Sprintf("extension %d", k), "%s", h.Ext[k])
		}
	}
	fmt.Fprintln(w)
	when := now.UTC().Format(time.RFC3339)
	if verr != nil {
		fmt.Fprintf(w, "verified:  no, at %s: %s\n", when, oneLine(verr.Error()))
		return
	}
	chain := "root " + res.Root.ID().String()
	if res.Signer != res.Root {
		chain += " -> site key " + res.Signer.ID().String()
	}
	fmt.Fprintf(w, "verified:  yes, at %s: %s -> %s\n", when, chain, codec.TypeOf(res.Leaf).Name())
}

func startText(h *codec.Header) string {
	if h.NotBefore == 0 {
		return "issue"
	}
	return h.NotBefore.String()
}

func featuresText(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

func productText(id uint16, name string) string {
	if name == "" {
		return fmt.Sprint(id)
	}
	return fmt.Sprintf("%d (%s)", id, name)
}

// grantText prints what a device license and a lease share: the product,
// the order, the features and the binding.
func grantText(p func(label, format string, args ...any), product uint16, name string, order codec.ID, features map[string]string, b *codec.Binding) {
	p("product", "%s", productText(product, name))
	if !order.IsZero() {
		p("order", "%s", order)
	}
	if len(features) > 0 {
		p("features", "%s", featuresText(features))
	}
	if len(b.Digest) > 0 {
		p("binding", "digest %s, nonce %d, policy %s", b.Digest, b.Nonce, b.Policy)
	}
	if b.Instance != "" {
		p("instance", "%s", b.Instance)
	}
	for _, c := range b.Components {
		p("component", "%s %s", c.Kind, c.Hash)
	}
}

func writeObjectText(p func(label, format string, args ...any), o codec.Object) {
	switch o := o.(type) {
	case *codec.OrderLicense:
		if o.Vendor != "" {
			p("vendor", "%s", o.Vendor)
		}
		p("customer", "%s", o.Customer)
		if o.Reference != "" {
			p("reference", "%s", o.Reference)
		}
		p("product", "%s", productText(o.Product, o.ProductName))
		if o.Versions.Min != "" || o.Versions.Max != "" {
			p("versions", "from %q up to %q", o.Versions.Min, o.Versions.Max)
		}
		p("mode", "%s", o.Mode)
		if o.Mode == codec.ModeUnlimited {
			p("seats", "no limit")
		} else {
			p("seats", "%d", o.Seats)
		}
		if o.LeasePeriod != 0 {
			p("lease", "%s, renew every %s, grace %s", o.LeasePeriod, o.RenewInterval, o.Grace)
		} else if o.Grace != 0 {
			p("grace", "%s", o.Grace)
		}
		if o.MaxBorrow != 0 {
			p("borrow", "up to %s", o.MaxBorrow)
		}
		if o.DeviceTerm != 0 {
			p("device term", "%s from activation", o.DeviceTerm)
		}
		if len(o.Features) > 0 {
			p("features", "%s", featuresText(o.Features))
		}
		if c := o.Constraints; len(c.Architectures) > 0 {
			p("architectures", "%s", strings.Join(c.Architectures, ", "))
		}
		if c := o.Constraints; len(c.OSVersions) > 0 {
			p("os versions", "%s", strings.Join(c.OSVersions, ", "))
		}
		if c := o.Constraints; len(c.Serials) > 0 {
			p("serials", "%d listed", len(c.Serials))
		}
		if k, err := o.Site(); k != nil && err == nil {
			p("site key", "%s", k.ID())
		} else {
			p("site key", "none (vendor-held order)")
		}
		if len(o.ConfirmKey.Key) > 0 {
			p("confirm key", "algorithm %d, %d bytes", o.ConfirmKey.Alg, len(o.ConfirmKey.Key))
		}
		if o.Manual {
			p("activation", "manual: only registered or approved terminals")
		}
		if o.ReclaimReview {
			p("reclaim", "needs approval when started from the console")
		}
	case *codec.DeviceLicense:
		grantText(p, o.Product, o.ProductName, o.Order, o.Features, &o.Binding)
	case *codec.Lease:
		grantText(p, o.Product, o.ProductName, o.Order, o.Features, &o.Binding)
		p("renew after", "%s", o.RenewAfter)
		p("server time", "%s", o.ServerTime)
	case *codec.UsageReport:
		p("order", "%s", o.Order)
		p("sequence", "%d", o.Sequence)
		if len(o.Previous) > 0 {
			p("previous", "%s", o.Previous)
		}
		p("entries", "%d", len(o.Entries))
		for _, en := range o.Entries {
			p(fmt.Sprintf("entry %d", en.Seq), "%s %s license %s terminal %s, %d in use", en.At, en.Kind, en.License, en.Digest, en.InUse)
		}
	case *codec.ReleaseReceipt:
		if !o.Order.IsZero() {
			p("order", "%s", o.Order)
		}
		p("license", "%s", o.License)
		if len(o.Digest) > 0 {
			p("terminal", "%s", o.Digest)
		}
	case *codec.RequestBundle:
		p("product", "%d", o.Product)
		if !o.Order.IsZero() {
			p("order", "%s", o.Order)
		}
		p("digest", "%s", o.Digest)
		p("nonce", "%d", o.Nonce)
		if k, err := o.Terminal(); k != nil && err == nil {
			p("terminal key", "%s", k.ID())
		}
		for _, c := range o.Components {
			p("component", "%s %s", c.Kind, c.Hash)
		}
	}
}

// inspectJSON is the output of 'licet inspect --json'; docs/cli.md lists
// the fields.
type inspectJSON struct {
	File     string      `json:"file"`
	Encoding string      `json:"encoding"`
	Links    []linkJSON  `json:"links"`
	At       string      `json:"at"`
	Verified bool        `json:"verified"`
	Reason   string      `json:"reason,omitempty"`
	Error    string      `json:"error,omitempty"`
	Root     *cose.KeyID `json:"root,omitempty"`
	Signer   *cose.KeyID `json:"signer,omitempty"`
	Leaf     codec.Type  `json:"leaf,omitempty"`
}

type linkJSON struct {
	Type        codec.Type   `json:"type"`
	KeyID       cose.KeyID   `json:"key_id"`
	Key         string       `json:"key"`
	ContentType string       `json:"content_type"`
	Object      codec.Object `json:"object"`
}

// reasonName gives the stable name of a verification failure, as in the
// codec vectors.
func reasonName(err error) string {
	for _, r := range []struct {
		name string
		err  error
	}{
		{"untrusted-key", codec.ErrUntrustedKey},
		{"bad-signature", codec.ErrBadSignature},
		{"expired", codec.ErrExpired},
		{"not-yet-valid", codec.ErrNotYetValid},
		{"delegation", codec.ErrDelegation},
		{"wrong-product", codec.ErrWrongProduct},
		{"chain", codec.ErrChain},
	} {
		if errors.Is(err, r.err) {
			return r.name
		}
	}
	return "no-trust"
}

func writeInspectJSON(w io.Writer, path string, f *codec.File, roots []*cose.PublicKey, now time.Time, res *codec.Result, verr error) error {
	out := inspectJSON{File: path, Encoding: "cbor", At: now.UTC().Format(time.RFC3339), Verified: verr == nil}
	if f.Armoured {
		out.Encoding = "armour"
	}
	for _, l := range f.Links {
		out.Links = append(out.Links, linkJSON{
			Type:        codec.TypeOf(l.Object),
			KeyID:       l.Message.KeyID,
			Key:         strings.ReplaceAll(keyRole(l.Message.KeyID, roots, f), " ", "-"),
			ContentType: l.Message.ContentType,
			Object:      l.Object,
		})
	}
	if verr != nil {
		out.Reason, out.Error = reasonName(verr), oneLine(verr.Error())
	} else {
		root, signer := res.Root.ID(), res.Signer.ID()
		out.Root, out.Signer, out.Leaf = &root, &signer, codec.TypeOf(res.Leaf)
	}
	return writeJSONLine(w, out)
}
