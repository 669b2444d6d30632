package fingerprint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Options configure Collect.
type Options struct {
	// Sysroot is the directory all reads go through; "" means "/". A
	// machine can be described as a directory tree with the usual paths
	// (etc/machine-id, sys/class/dmi/id/*, sys/class/net/*, sys/block/*,
	// proc/cpuinfo). Symbolic links are resolved inside it.
	Sysroot string
	// Product is the product id. It keys every component hash, so the
	// hashes of one machine differ between products. Required.
	Product string
	// InstanceID, when set, selects identity mode: the machine is
	// identified by this id alone (a container, a cloud desktop) and no
	// hardware is read.
	InstanceID string
}

// MaxInstanceID is the longest instance id accepted, in bytes.
const MaxInstanceID = 256

// ErrUnsupported means hardware collection is not implemented on this
// operating system; identity mode (Options.InstanceID) still works.
var ErrUnsupported = errors.New("fingerprint: hardware collection is not supported on this operating system")

// Observed is a component together with where it was read.
type Observed struct {
	Component
	// Source is the sysroot-relative path the value came from, such as
	// "sys/class/net/eth0/address".
	Source string
}

// Skip is a source that gave no component: unreadable (Snapshot.Skipped)
// or read but not usable (Snapshot.Ignored).
type Skip struct {
	Kind   Kind
	Source string // sysroot-relative path
	Err    error  // why
}

// String returns "kind source: reason".
func (s Skip) String() string { return s.Kind.String() + " " + s.Source + ": " + s.Err.Error() }

// Reasons a source is ignored.
var (
	errPlaceholder = errors.New("placeholder value")
	errMalformed   = errors.New("malformed value")
	errVirtual     = errors.New("virtual interface")
	errLocalMAC    = errors.New("locally administered or randomised address")
	errAssignedMAC = errors.New("address set by software, not the hardware's own")
	errNotEther    = errors.New("not an Ethernet or Wi-Fi interface")
	errNoSerial    = errors.New("no serial")
	errRemovable   = errors.New("removable medium")
	errVirtualDisk = errors.New("virtual block device")
)

// Snapshot is what Collect found on a machine: the hashed components and
// every source that did not give one, with the reason.
type Snapshot struct {
	Product    string
	Sysroot    string
	Components []Observed // sorted like a Record, no duplicate hashes
	Skipped    []Skip     // sources that exist or are expected but could not be read
	Ignored    []Skip     // sources read but not used (virtual NICs, placeholder serials, ...)
	// Weak is set when the machine shows fewer than two independent
	// hardware components (DMI counted once, TPM, each physical NIC with
	// a universally administered MAC, each disk with a serial). Machine-id
	// and CPU model never count: images copy the one and many machines
	// share the other. A weak machine cannot be told from its clones.
	Weak bool
	// Missing names, for every source group that gave nothing (machine-id,
	// dmi, tpm, nic, disk, cpu), why: "dmi: sys/class/dmi/id/product_uuid:
	// permission denied". Filled whether or not the machine is weak.
	Missing []string
}

// Instance reports whether the snapshot is an explicit identity.
func (s *Snapshot) Instance() bool {
	return len(s.Components) == 1 && s.Components[0].Kind == KindInstance
}

// Record returns the birth record of the snapshot: its component hashes.
// It fails with ErrEmptyRecord when nothing identifying was found.
func (s *Snapshot) Record() (*Record, error) {
	cs := make([]Component, len(s.Components))
	for i, o := range s.Components {
		cs[i] = o.Component
	}
	return NewRecord(cs)
}

// Collect reads the machine described by opts and returns its components.
// Unreadable sources are listed in Snapshot.Skipped and are not an error; an
// error means the options are wrong, the sysroot is missing, or hardware
// collection is unsupported on this system (ErrUnsupported).
func Collect(opts Options) (*Snapshot, error) {
	if opts.Product == "" {
		return nil, errors.New("fingerprint: product id is empty")
	}
	if opts.InstanceID != "" {
		return collectInstance(opts)
	}
	root := opts.Sysroot
	if root == "" {
		root = "/"
	}
	fi, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("fingerprint: sysroot: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("fingerprint: sysroot %s is not a directory", root)
	}
	c := &collector{fs: sysroot{dir: root}}
	if err := c.collect(); err != nil {
		return nil, err
	}
	return c.snapshot(opts.Product, root), nil
}

func collectInstance(opts Options) (*Snapshot, error) {
	id := strings.TrimSpace(opts.InstanceID)
	switch {
	case id == "":
		return nil, errors.New("fingerprint: instance id is blank")
	case len(id) > MaxInstanceID:
		return nil, fmt.Errorf("fingerprint: instance id is %d bytes, more than %d", len(id), MaxInstanceID)
	case !utf8.ValidString(id) || strings.ContainsFunc(id, unicode.IsControl):
		return nil, errors.New("fingerprint: instance id must be printable UTF-8")
	}
	return &Snapshot{
		Product: opts.Product,
		Components: []Observed{{
			Component: Component{Kind: KindInstance, Hash: HashValue(opts.Product, KindInstance, id)},
			Source:    "instance id",
		}},
	}, nil
}

// reading is a raw, normalised value; it never leaves this package.
type reading struct {
	kind   Kind
	source string
	value  string
}

type collector struct {
	fs       sysroot
	readings []reading
	skipped  []Skip
	ignored  []Skip
}

func (c *collector) add(k Kind, source, value string) {
	c.readings = append(c.readings, reading{k, source, value})
}

func (c *collector) skip(k Kind, source string, err error) {
	c.skipped = append(c.skipped, Skip{Kind: k, Source: source, Err: unwrapPath(err)})
}

func (c *collector) ignore(k Kind, source string, err error) {
	c.ignored = append(c.ignored, Skip{Kind: k, Source: source, Err: err})
}

func (c *collector) snapshot(product, root string) *Snapshot {
	s := &Snapshot{Product: product, Sysroot: root, Skipped: c.skipped, Ignored: c.ignored}
	for _, r := range c.readings {
		s.Components = append(s.Components, Observed{
			Component: Component{Kind: r.kind, Hash: HashValue(product, r.kind, r.value)},
			Source:    r.source,
		})
	}
	slices.SortStableFunc(s.Components, func(a, b Observed) int { return compareComponents(a.Component, b.Component) })
	s.Components = slices.CompactFunc(s.Components, func(a, b Observed) bool { return a.Component == b.Component })
	s.assess()
	return s
}

// groups of sources, as named in Snapshot.Missing.
var groups = []struct {
	name  string
	kinds []Kind
}{
	{"machine-id", []Kind{KindMachineID}},
	{"dmi", []Kind{KindProductUUID, KindProductSerial, KindBoardSerial, KindChassisSerial}},
	{"tpm", []Kind{KindTPM}},
	{"nic", []Kind{KindNIC}},
	{"disk", []Kind{KindDisk}},
	{"cpu", []Kind{KindCPU}},
}

// assess sets Weak and Missing.
func (s *Snapshot) assess() {
	strong := 0
	dmi := false
	for _, o := range s.Components {
		switch {
		case o.Kind.dmi():
			dmi = true
		case o.Kind.hardware():
			strong++
		}
	}
	if dmi {
		strong++
	}
	s.Weak = strong < 2
	s.Missing = nil
	for _, g := range groups {
		if slices.ContainsFunc(s.Components, func(o Observed) bool { return slices.Contains(g.kinds, o.Kind) }) {
			continue
		}
		// Most telling first: values refused, then read errors, then
		// virtual devices, then files that do not exist.
		var why []string
		for rank := range 4 {
			for _, l := range [][]Skip{s.Ignored, s.Skipped} {
				for _, sk := range l {
					if slices.Contains(g.kinds, sk.Kind) && skipRank(sk) == rank {
						why = append(why, sk.Source+": "+sk.Err.Error())
					}
				}
			}
		}
		if len(why) == 0 {
			why = []string{"not found"}
		}
		const maxWhy = 3
		if len(why) > maxWhy {
			why = append(why[:maxWhy], fmt.Sprintf("and %d more", len(why)-maxWhy))
		}
		s.Missing = append(s.Missing, g.name+": "+strings.Join(why, "; "))
	}
}

func skipRank(sk Skip) int {
	switch {
	case errors.Is(sk.Err, fs.ErrNotExist):
		return 3
	case errors.Is(sk.Err, errVirtual), errors.Is(sk.Err, errVirtualDisk):
		return 2
	case errors.Is(sk.Err, errPlaceholder), errors.Is(sk.Err, errLocalMAC), errors.Is(sk.Err, errAssignedMAC),
		errors.Is(sk.Err, errMalformed), errors.Is(sk.Err, errNoSerial), errors.Is(sk.Err, errNotEther), errors.Is(sk.Err, errRemovable):
		return 0
	}
	return 1
}

// Normalisation. Each returns the value to hash, or an error naming why the
// value is unusable.

func normMachineID(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "uninitialized" || sameChar(v) {
		return "", errPlaceholder
	}
	if len(v) != 32 || strings.Trim(v, "0123456789abcdef") != "" {
		return "", errMalformed
	}
	return v, nil
}

var dmiPlaceholders = map[string]bool{
	"none": true, "n/a": true, "na": true, "not specified": true, "not applicable": true,
	"not available": true, "not present": true, "unknown": true, "invalid": true, "empty": true,
	"default string": true, "to be filled by o.e.m.": true, "to be filled by oem": true,
	"oem": true, "o.e.m.": true, "system serial number": true, "chassis serial number": true,
	"base board serial number": true, "serial number": true, "serial": true,
	"0123456789": true, "123456789": true, "1234567890": true, "01234567890": true,
	"03000200-0400-0500-0006-000700080009": true, "00020003-0004-0005-0006-000700080009": true,
}

// normDMI normalises a DMI UUID or serial. Firmware vendors fill unused
// fields with placeholders, which identify nothing.
func normDMI(v string) (string, error) {
	v = strings.ToLower(strings.Join(strings.Fields(v), " "))
	if dmiPlaceholders[v] || sameChar(strings.ReplaceAll(v, "-", "")) {
		return "", errPlaceholder
	}
	if hasControl(v) {
		return "", errMalformed
	}
	return v, nil
}

// normMAC accepts an Ethernet MAC address "aa:bb:cc:dd:ee:ff" assigned by
// the manufacturer: not multicast, not locally administered (which covers
// randomised Wi-Fi addresses and most virtual NICs), not all zeros.
func normMAC(v string) (string, error) {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) != 17 {
		return "", errMalformed
	}
	var b [6]byte
	for i := range 6 {
		if i > 0 && v[3*i-1] != ':' {
			return "", errMalformed
		}
		hi, lo := unhex(v[3*i]), unhex(v[3*i+1])
		if hi < 0 || lo < 0 {
			return "", errMalformed
		}
		b[i] = byte(hi<<4 | lo)
	}
	switch {
	case b == [6]byte{}:
		return "", errPlaceholder
	case b[0]&0x01 != 0:
		return "", errMalformed // multicast
	case b[0]&0x02 != 0:
		return "", errLocalMAC
	}
	return v, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// normSerial normalises a disk serial or WWID: white space collapsed,
// control characters rejected, and well-known constant serials (QEMU's
// emulated ATA disks are all "QM00001".."QM00004") refused.
func normSerial(v string) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return "", errNoSerial
	}
	if hasControl(v) {
		return "", errMalformed
	}
	f := strings.Fields(v)
	last := strings.ToLower(f[len(f)-1])
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:] // "eui.0000000000000000"
	}
	if sameChar(strings.TrimPrefix(last, "0x")) || isQEMUSerial(f[len(f)-1]) {
		return "", errPlaceholder
	}
	return v, nil
}

func isQEMUSerial(s string) bool {
	return len(s) == 7 && strings.HasPrefix(s, "QM0000") && s[6] >= '0' && s[6] <= '9'
}

func normCPU(v string) (string, error) {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return "", errPlaceholder
	}
	return v, nil
}

// hasControl reports whether s holds a control character or bytes that are
// not UTF-8.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == utf8.RuneError })
}

// sameChar reports whether s is empty or one character repeated
// ("00000000", "ffffffff", "         ").
func sameChar(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
