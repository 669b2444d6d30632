package licetcli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"licet.dev/licet/codec"
)

func init() {
	register("issue order", "sign an order license for a site", runIssueOrder)
	register("issue device", "sign a device license for a device code", runIssueDevice)
}

// listFlag collects a repeatable flag; each use may hold several values
// separated by commas.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// featureFlag collects repeatable --feature name=value flags.
type featureFlag map[string]string

func (f featureFlag) String() string { return "" }

func (f featureFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	if _, dup := f[name]; dup {
		return fmt.Errorf("feature %q given twice", name)
	}
	f[name] = value
	return nil
}

// optionalUint is a flag that records whether it was given.
type optionalUint struct {
	v   uint64
	set bool
	max uint64
}

func (o *optionalUint) String() string {
	if o == nil || !o.set {
		return ""
	}
	return strconv.FormatUint(o.v, 10)
}

func (o *optionalUint) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want a whole number from 0 to %d", o.max)
	}
	if v > o.max {
		return fmt.Errorf("at most %d", o.max)
	}
	o.v, o.set = v, true
	return nil
}

// signingFlags are the flags every issuing command shares.
type signingFlags struct {
	key       *string
	passFile  *string
	out       *string
	binary    *bool
	features  featureFlag
	product   optionalUint
	name      *string
	days      optionalUint
	notBefore *string
	id        *string
}

func addSigningFlags(fs *flag.FlagSet) *signingFlags {
	s := &signingFlags{features: featureFlag{}, product: optionalUint{max: 0xffff}, days: optionalUint{max: 100 * 366}}
	s.key = fs.String("key", "", "the vendor's private key `FILE` (DIR/licet.key)")
	s.passFile = fs.String("passphrase-file", "", "read the key's passphrase from `FILE` (default: $LICET_PASSPHRASE or a prompt)")
	s.out = fs.String("out", "", "write the license to `FILE` ('-' for standard output)")
	s.binary = fs.Bool("binary", false, "write CBOR instead of armoured text")
	fs.Var(s.features, "feature", "grant a feature, `name=value` (repeatable)")
	fs.Var(&s.product, "product", "the product's short numeric `id` (1-65535)")
	s.name = fs.String("product-name", "", "the product's `name`, for people")
	fs.Var(&s.days, "days", "validity in `days` from --not-before; 0 for no end")
	s.notBefore = fs.String("not-before", "", "start of validity, RFC 3339 `time` (default now)")
	s.id = fs.String("id", "", "the license id, 32 hex `digits` (default random)")
	return s
}

// header returns the header of the object to sign: --id (default random),
// issued now, valid from --not-before (default now) for --days.
func (s *signingFlags) header(e *Env) (codec.Header, error) {
	h := codec.Header{IssuedAt: codec.At(e.Now())}
	h.NotBefore = h.IssuedAt
	if *s.notBefore != "" {
		t, err := time.Parse(time.RFC3339, *s.notBefore)
		if err != nil {
			return codec.Header{}, usagef("--not-before %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", *s.notBefore)
		}
		h.NotBefore = codec.At(t)
	}
	if !s.days.set {
		return codec.Header{}, usagef("--days is required (0 for no end)")
	}
	if s.days.v > 0 {
		h.NotAfter = h.NotBefore.Add(codec.Days(int(s.days.v)))
		if h.NotAfter <= h.IssuedAt {
			return codec.Header{}, usagef("the license would end at %s, before it is issued", h.NotAfter)
		}
	}
	if *s.id != "" {
		if err := h.ID.UnmarshalText([]byte(*s.id)); err != nil {
			return codec.Header{}, usagef("--id: %v", err)
		}
		if h.ID.IsZero() {
			return codec.Header{}, usagef("--id may not be zero")
		}
	} else if _, err := io.ReadFull(e.Rand, h.ID[:]); err != nil {
		return codec.Header{}, fmt.Errorf("making a license id: %w", err)
	}
	return h, nil
}

// parse parses the arguments of an issuing command, which takes no
// positional ones, and checks the flags every issuing command requires.
func (s *signingFlags) parse(fs *flag.FlagSet, args []string) error {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *s.key == "" {
		return usagef("--key is required")
	}
	if *s.out == "" {
		return usagef("--out is required")
	}
	if !s.product.set || s.product.v == 0 {
		return usagef("--product is required (1-65535)")
	}
	return nil
}

// sign signs o with the vendor key and writes the file.
func (s *signingFlags) sign(e *Env, o codec.Object) (*codec.File, error) {
	key, err := loadPrivateKey(e, *s.key, passphraseSource{file: *s.passFile})
	if err != nil {
		return nil, err
	}
	signed, err := codec.Sign(e.Rand, key, o)
	if err != nil {
		return nil, err
	}
	f, err := codec.NewFile(signed)
	if err != nil {
		return nil, err
	}
	data := f.Armour()
	if *s.binary {
		data = f.Marshal()
	}
	if err := writeOutput(e, *s.out, data); err != nil {
		return nil, err
	}
	return f, nil
}

// report tells the user what was written; to standard error when the file
// itself went to standard output.
func (s *signingFlags) report(e *Env, format string, args ...any) {
	w := e.Stdout
	if *s.out == "-" {
		w = e.Stderr
	}
	fmt.Fprintf(w, format+"\n", args...)
}

func runIssueOrder(e *Env, args []string) error {
	fs := newFlags(e, "issue order",
		"usage: licet issue order --key DIR/licet.key --product ID --customer NAME --mode MODE",
		"                         [--seats N] --days N --out FILE [flags]",
		"",
		"Signs an order license: N seats of a product in one mode for a window, delegated",
		"to the site key a site server signs leases and device licenses with.")
	s := addSigningFlags(fs)
	ck := addConfirmKeyFlags(fs)
	customer := fs.String("customer", "", "the customer's `name`")
	vendor := fs.String("vendor", "", "the vendor's `name`")
	reference := fs.String("reference", "", "the vendor's own order `number`")
	var mode codec.Mode
	fs.Func("mode", "activation `mode`: permanent, periodic, concurrent, unlimited or preactivation", func(v string) error {
		return mode.UnmarshalText([]byte(v))
	})
	seats := optionalUint{max: 1<<32 - 1}
	fs.Var(&seats, "seats", "seat `count` (at least 1; absent or 0 only in mode unlimited)")
	siteKey := fs.String("site-key", "", "the site's public key `FILE` the order delegates to (default: vendor-held)")
	leaseDays := optionalUint{max: 3660}
	fs.Var(&leaseDays, "lease-days", "lease length in `days` (periodic and concurrent; default 7)")
	renewHours := optionalUint{max: 3660 * 24}
	fs.Var(&renewHours, "renew-hours", "how often terminals renew, in `hours` (periodic and concurrent; default 24)")
	graceDays := optionalUint{max: 3660}
	fs.Var(&graceDays, "grace-days", "how long a terminal keeps working past a missed renewal, in `days`")
	borrowDays := optionalUint{max: 3660}
	fs.Var(&borrowDays, "borrow-days", "longest offline checkout in `days` (concurrent only)")
	deviceDays := optionalUint{max: 100 * 366}
	fs.Var(&deviceDays, "device-days", "each device's validity from its activation, in `days` (preactivation only)")
	var archs, osVersions, serials listFlag
	fs.Var(&archs, "arch", "allowed `architectures`, such as amd64,arm64 (repeatable)")
	fs.Var(&osVersions, "os-version", "allowed operating-system `versions` (repeatable)")
	fs.Var(&serials, "serial", "allowed hardware `serials` (repeatable)")
	minVersion := fs.String("min-version", "", "lowest product `version` covered (inclusive)")
	maxVersion := fs.String("max-version", "", "product `version` no longer covered (exclusive)")
	manual := fs.Bool("manual", false, "turn auto-activation off: only registered or approved terminals activate")
	reclaimReview := fs.Bool("reclaim-review", false, "a reclaim started from the site console needs approval")
	if err := s.parse(fs, args); err != nil {
		return err
	}
	if *customer == "" {
		return usagef("--customer is required")
	}
	if mode == 0 {
		return usagef("--mode is required: permanent, periodic, concurrent, unlimited or preactivation")
	}
	switch {
	case mode == codec.ModeUnlimited && seats.v != 0:
		return usagef("--seats %d: mode unlimited has no seat limit; leave --seats out", seats.v)
	case mode != codec.ModeUnlimited && seats.v == 0:
		return withHint(usagef("--seats must be at least 1 in mode %s", mode),
			"use --mode unlimited for an order without a seat limit")
	}
	hdr, err := s.header(e)
	if err != nil {
		return err
	}
	o := &codec.OrderLicense{
		Header:        hdr,
		Vendor:        *vendor,
		Customer:      *customer,
		Reference:     *reference,
		Product:       uint16(s.product.v),
		ProductName:   *s.name,
		Versions:      codec.VersionRange{Min: *minVersion, Max: *maxVersion},
		Mode:          mode,
		Seats:         uint32(seats.v),
		Grace:         codec.Days(int(graceDays.v)),
		Constraints:   codec.Constraints{Architectures: archs, OSVersions: osVersions, Serials: serials},
		Manual:        *manual,
		ReclaimReview: *reclaimReview,
	}
	if len(s.features) > 0 {
		o.Features = s.features
	}
	if mode == codec.ModePeriodic || mode == codec.ModeConcurrent {
		o.LeasePeriod, o.RenewInterval = codec.Days(7), codec.Seconds(24*3600)
	}
	if leaseDays.set {
		o.LeasePeriod = codec.Days(int(leaseDays.v))
	}
	if renewHours.set {
		o.RenewInterval = codec.Seconds(renewHours.v * 3600)
	}
	if o.RenewInterval > o.LeasePeriod && o.LeasePeriod != 0 && !renewHours.set {
		o.RenewInterval = o.LeasePeriod
	}
	if borrowDays.set {
		o.MaxBorrow = codec.Days(int(borrowDays.v))
	}
	if deviceDays.set {
		o.DeviceTerm = codec.Days(int(deviceDays.v))
	}
	if *siteKey != "" {
		keys, err := loadPublicKeys([]string{*siteKey})
		if err != nil {
			return err
		}
		if len(keys) != 1 {
			return usagef("--site-key %s holds %d keys, want 1", *siteKey, len(keys))
		}
		o.SiteKey = keys[0].Bytes()
	}
	confirmNote, err := ck.apply(e, o, *s.key, passphraseSource{file: *s.passFile})
	if err != nil {
		return err
	}
	if _, err := codec.Marshal(o); err != nil {
		return usagef("%v", err)
	}
	if _, err := s.sign(e, o); err != nil {
		return err
	}
	seatText := fmt.Sprintf("%d seats", o.Seats)
	if mode == codec.ModeUnlimited {
		seatText = "no seat limit"
	}
	site := "vendor-held"
	if o.SiteKey != nil {
		k, _ := o.Site()
		site = "site key " + k.ID().String()
	}
	s.report(e, "order license %s: product %d, %s, %s, %s, valid %s to %s; wrote %s",
		o.ID, o.Product, mode, seatText, site, o.NotBefore, endText(o.NotAfter), *s.out)
	if confirmNote != "" {
		s.report(e, "%s", confirmNote)
	}
	return nil
}

func endText(t codec.Timestamp) string {
	if t == 0 {
		return "no end"
	}
	return t.String()
}

func runIssueDevice(e *Env, args []string) error {
	fs := newFlags(e, "issue device",
		"usage: licet issue device --key DIR/licet.key --device-code CODE --product ID --days N",
		"                          --out FILE [flags]",
		"",
		"Signs a device license with the vendor key for the terminal a device code names.",
		"The code's product must be --product.")
	s := addSigningFlags(fs)
	code := fs.String("device-code", "", "the terminal's device `code` (25 characters, one typo is corrected)")
	orderFile := fs.String("order", "", "an order license `FILE` to name as the order the license draws on")
	var policy codec.MatchPolicy
	fs.Func("policy", "fingerprint match `policy`: exact, fuzzy (default) or loose", func(v string) error {
		return policy.UnmarshalText([]byte(v))
	})
	if err := s.parse(fs, args); err != nil {
		return err
	}
	if *code == "" {
		return usagef("--device-code is required")
	}
	p, err := readDeviceCode(e, "issue device", *code)
	if err != nil {
		return err
	}
	if uint64(p.Code.Product) != s.product.v {
		return withHint(fmt.Errorf("the device code is for product %d, not --product %d", p.Code.Product, s.product.v),
			"check the product the terminal runs, or the code")
	}
	hdr, err := s.header(e)
	if err != nil {
		return err
	}
	d := &codec.DeviceLicense{
		Header:      hdr,
		Product:     p.Code.Product,
		ProductName: *s.name,
		Binding:     codec.Binding{Digest: codec.Bytes(p.Code.Digest[:]), Nonce: p.Code.Nonce, Policy: policy},
	}
	if len(s.features) > 0 {
		d.Features = s.features
	}
	if *orderFile != "" {
		order, err := readOrder(*orderFile)
		if err != nil {
			return err
		}
		if order.Product != d.Product {
			return fmt.Errorf("--order %s is for product %d, not %d", *orderFile, order.Product, d.Product)
		}
		d.Order = order.ID
	}
	if _, err := codec.Marshal(d); err != nil {
		return usagef("%v", err)
	}
	if _, err := s.sign(e, d); err != nil {
		return err
	}
	s.report(e, "device license %s: product %d, device %s (digest %s), valid %s to %s; wrote %s",
		d.ID, d.Product, p.Canonical, d.Binding.Digest, d.NotBefore, endText(d.NotAfter), *s.out)
	return nil
}

// readOrder reads the order license of an order file: the first among its
// links.
func readOrder(path string) (*codec.OrderLicense, error) {
	b, err := readLicetFile(path, nil)
	if err != nil {
		return nil, err
	}
	f, err := codec.ParseFile(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, l := range f.Links {
		if o, ok := l.Object.(*codec.OrderLicense); ok {
			return o, nil
		}
	}
	return nil, withHint(fmt.Errorf("%s holds no order license", path),
		"--order takes the file 'licet issue order' wrote, not a device license")
}

// readLicetFile reads a Licet file; "-" is in, standard input, unless in is
// nil.
func readLicetFile(path string, in io.Reader) ([]byte, error) {
	return readFile(path, in, codec.MaxArmouredSize, "Licet file")
}

// readFile reads the file at path, of at most limit bytes; "-" is in,
// standard input, unless in is nil. kind names such files in the error for
// a larger one.
func readFile(path string, in io.Reader, limit int64, kind string) ([]byte, error) {
	r := in
	if path != "-" || in == nil {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory, not a file", path)
		}
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than any %s (%d bytes)", path, kind, limit)
	}
	return b, nil
}

// writeOutput writes data to path, "-" being standard output, with
// writeFile.
func writeOutput(e *Env, path string, data []byte) error {
	if path == "-" {
		_, err := e.Stdout.Write(data)
		return err
	}
	return writeFile(path, data, 0o644)
}

// writeFile writes data to path with mode perm through a temporary file
// in the same directory, so that a crash leaves the old file or the new one,
// never a part.
func writeFile(path string, data []byte, perm os.FileMode) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return withHint(fmt.Errorf("cannot write %s: it is a directory", path),
			"name a file to write, e.g. "+filepath.Join(path, "FILE"))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if errors.Is(err, fs.ErrNotExist) {
		return withHint(fmt.Errorf("cannot write %s: directory %s does not exist", path, filepath.Dir(path)),
			"create it first, or name a file in an existing directory")
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600, so a secret is never readable by
	// others, not even for a moment.
	for _, step := range []func() error{
		func() error { _, err := tmp.Write(data); return err },
		func() error { return tmp.Chmod(perm) },
		tmp.Sync,
	} {
		if err := step(); err != nil {
			tmp.Close()
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
