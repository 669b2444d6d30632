// Package fingerprinttest describes fake machines as directory trees that
// fingerprint.Collect reads through its sysroot, for tests of the fingerprint
// package and of everything built on it.
//
// A Machine lists what a Linux machine shows (machine-id, DMI fields, NICs,
// disks, CPU model, TPM); Build or WriteTo lays it out with the paths and
// symbolic links of a real sysfs:
//
//	etc/machine-id
//	sys/class/dmi/id/{product_uuid,product_serial,board_serial,chassis_serial}
//	sys/class/net/NAME -> ../../devices/.../net/NAME   (address, type, addr_assign_type, device)
//	sys/block/NAME     -> ../devices/.../block/NAME    (removable, device/serial, device/wwid)
//	sys/class/tpm/tpm0 -> ../../devices/platform/tpm/tpm/tpm0 (pubek)
//	proc/cpuinfo
//
// Workstation, Server, CIRunner and Container return typical machines; the
// seed makes machines of the same model that differ in every serial.
//
// Path names avoid ':' (real sysfs has "pci0000:00") so that trees written
// into a repository check out on every system.
package fingerprinttest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Machine describes a fake Linux machine. Empty strings are left out of the
// tree (the file does not exist).
type Machine struct {
	MachineID string // etc/machine-id
	DMI       *DMI   // nil: no sys/class/dmi/id at all
	NICs      []NIC
	Disks     []Disk
	CPUModel  string // "model name" in proc/cpuinfo; "" leaves proc/cpuinfo out
	TPM       *TPM   // nil: no TPM
	// Files are extra files written last, relative to the root, with
	// their content ("sys/block/vda/serial": "disk-1"). Use them for
	// layouts the fields above do not cover.
	Files map[string]string
}

// DMI holds the SMBIOS fields of sys/class/dmi/id.
type DMI struct {
	ProductUUID   string
	ProductSerial string
	BoardSerial   string
	ChassisSerial string
	// Unreadable writes the files with mode 0000, as a non-root reader
	// of the real product_uuid and serials (mode 0400, owner root) sees
	// them. Without effect when the test runs as root.
	Unreadable bool
}

// NICKind says how a network interface looks in sysfs.
type NICKind uint8

// Kinds of network interface.
const (
	Physical NICKind = iota // a PCI device with a device link
	Virtual                 // under sys/devices/virtual/net, no device link (veth, dummy, ...)
	Bridge                  // virtual, with a bridge/ directory
	Bond                    // virtual, with a bonding/ directory
	Tun                     // virtual, with a tun_flags file
	Loopback                // lo: virtual, type 772
)

// NIC is a network interface.
type NIC struct {
	Name string // "eth0"
	MAC  string // "00:1b:21:3a:4f:5e"
	Kind NICKind
	// AddrAssignType is written to addr_assign_type: 0 permanent,
	// 1 random, 3 set by software.
	AddrAssignType int
	// PermMAC, when set, is the permanent address of a bond slave
	// (bonding_slave/perm_hwaddr), MAC being the bond's.
	PermMAC string
}

// Disk is a block device.
type Disk struct {
	Name      string // "nvme0n1", "sda"
	Serial    string // device/serial
	WWID      string // device/wwid
	Removable bool
	// Virtual places the device under sys/devices/virtual/block (loop,
	// zram, dm-*).
	Virtual bool
}

// TPM is a TPM 1.2 that shows its public endorsement key in sysfs.
type TPM struct {
	PubEK string // content of sys/class/tpm/tpm0/pubek
}

// Clone returns a deep copy, so that a test can change one machine into
// another.
func (m Machine) Clone() Machine {
	c := m
	if m.DMI != nil {
		d := *m.DMI
		c.DMI = &d
	}
	if m.TPM != nil {
		t := *m.TPM
		c.TPM = &t
	}
	c.NICs = slices.Clone(m.NICs)
	c.Disks = slices.Clone(m.Disks)
	if m.Files != nil {
		c.Files = make(map[string]string, len(m.Files))
		for k, v := range m.Files {
			c.Files[k] = v
		}
	}
	return c
}

// Build writes the machine into a new directory under t.TempDir and returns
// it, failing the test on error.
func Build(t testing.TB, m Machine) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "root")
	if err := m.WriteTo(dir); err != nil {
		t.Fatalf("fingerprinttest: %v", err)
	}
	return dir
}

// WriteTo lays the machine out under dir, which must not exist yet or be
// empty.
func (m Machine) WriteTo(dir string) error {
	w := &writer{dir: dir}
	if m.MachineID != "" {
		w.file("etc/machine-id", m.MachineID+"\n", 0o444)
	}
	if d := m.DMI; d != nil {
		mode := os.FileMode(0o400)
		if d.Unreadable {
			mode = 0
		}
		w.file("sys/devices/virtual/dmi/id/sys_vendor", "Licet Test Systems\n", 0o444)
		for _, f := range []struct{ name, v string }{
			{"product_uuid", d.ProductUUID},
			{"product_serial", d.ProductSerial},
			{"board_serial", d.BoardSerial},
			{"chassis_serial", d.ChassisSerial},
		} {
			if f.v != "" {
				w.file("sys/devices/virtual/dmi/id/"+f.name, f.v+"\n", mode)
			}
		}
		w.link("sys/class/dmi/id", "../../devices/virtual/dmi/id")
	}
	for i, n := range m.NICs {
		w.nic(i, n)
	}
	for i, d := range m.Disks {
		w.disk(i, d)
	}
	if m.CPUModel != "" {
		var b strings.Builder
		for p := range 2 {
			fmt.Fprintf(&b, "processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel name\t: %s\nflags\t\t: fpu vme de pse\n\n", p, m.CPUModel)
		}
		w.file("proc/cpuinfo", b.String(), 0o444)
	}
	if m.TPM != nil {
		w.file("sys/devices/platform/tpm/tpm/tpm0/tpm_version_major", "1\n", 0o444)
		if m.TPM.PubEK != "" {
			w.file("sys/devices/platform/tpm/tpm/tpm0/pubek", m.TPM.PubEK+"\n", 0o444)
		}
		w.link("sys/class/tpm/tpm0", "../../devices/platform/tpm/tpm/tpm0")
	}
	keys := make([]string, 0, len(m.Files))
	for k := range m.Files {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		w.file(k, m.Files[k], 0o444)
	}
	return w.err
}

type writer struct {
	dir string
	err error
}

func (w *writer) file(rel, content string, mode os.FileMode) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		w.err = err
		return
	}
	if err := os.Chmod(p, mode); err != nil {
		w.err = err
	}
}

func (w *writer) link(rel, target string) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = err
		return
	}
	if err := os.Symlink(target, p); err != nil {
		w.err = err
	}
}

func (w *writer) nic(i int, n NIC) {
	if n.Name == "" {
		w.err = fmt.Errorf("NIC %d has no name", i)
		return
	}
	dev := fmt.Sprintf("devices/pci0000-00/0000-00-%02x.0", 0x10+i)
	base := dev + "/net/" + n.Name
	if n.Kind != Physical {
		base = "devices/virtual/net/" + n.Name
	}
	typ := "1"
	if n.Kind == Loopback {
		typ = "772"
	}
	w.file("sys/"+base+"/type", typ+"\n", 0o444)
	w.file("sys/"+base+"/addr_assign_type", fmt.Sprintf("%d\n", n.AddrAssignType), 0o444)
	if n.MAC != "" {
		w.file("sys/"+base+"/address", n.MAC+"\n", 0o444)
	}
	switch n.Kind {
	case Physical:
		w.file("sys/"+dev+"/vendor", "0x8086\n", 0o444)
		w.link("sys/"+base+"/device", "../../../"+dev[len("devices/pci0000-00/"):])
	case Bridge:
		w.file("sys/"+base+"/bridge/bridge_id", "8000."+strings.ReplaceAll(n.MAC, ":", "")+"\n", 0o444)
	case Bond:
		w.file("sys/"+base+"/bonding/mode", "active-backup 1\n", 0o444)
	case Tun:
		w.file("sys/"+base+"/tun_flags", "0x1002\n", 0o444)
	}
	if n.PermMAC != "" {
		w.file("sys/"+base+"/bonding_slave/perm_hwaddr", n.PermMAC+"\n", 0o444)
	}
	w.link("sys/class/net/"+n.Name, "../../"+base)
}

func (w *writer) disk(i int, d Disk) {
	if d.Name == "" {
		w.err = fmt.Errorf("disk %d has no name", i)
		return
	}
	dev := fmt.Sprintf("devices/pci0000-00/0000-00-%02x.0/host%d/target%d-0-0/%d-0-0-0", 0x17+i, i, i, i)
	base := dev + "/block/" + d.Name
	if d.Virtual {
		base = "devices/virtual/block/" + d.Name
	}
	removable := "0"
	if d.Removable {
		removable = "1"
	}
	w.file("sys/"+base+"/removable", removable+"\n", 0o444)
	w.file("sys/"+base+"/size", "1000215216\n", 0o444)
	if !d.Virtual {
		w.file("sys/"+dev+"/model", "Licet Test Disk\n", 0o444)
		if d.Serial != "" {
			w.file("sys/"+dev+"/serial", d.Serial+"\n", 0o444)
		}
		if d.WWID != "" {
			w.file("sys/"+dev+"/wwid", d.WWID+"\n", 0o444)
		}
		w.link("sys/"+base+"/device", "../..")
	}
	w.link("sys/block/"+d.Name, "../"+base)
}

// hexID returns 2n hex digits derived from seed and salt.
func hexID(seed int, salt string, n int) string {
	// A small deterministic generator (FNV-1a, then xorshift), good enough
	// to make distinct, stable identifiers.
	h := uint64(14695981039346656037)
	for _, b := range []byte(fmt.Sprintf("%s/%d", salt, seed)) {
		h ^= uint64(b)
		h *= 1099511628211
	}
	var b strings.Builder
	for b.Len() < 2*n {
		h ^= h << 13
		h ^= h >> 7
		h ^= h << 17
		fmt.Fprintf(&b, "%016x", h)
	}
	return b.String()[:2*n]
}

// MachineID returns a machine-id (32 hex digits) derived from seed.
func MachineID(seed int) string { return hexID(seed, "machine-id", 16) }

// UUID returns a DMI product UUID derived from seed.
func UUID(seed int) string {
	h := hexID(seed, "uuid", 16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// MAC returns a universally administered unicast MAC address derived from
// seed and salt (use the salt to make several NICs on one machine).
func MAC(seed int, salt string) string {
	h := hexID(seed, "mac/"+salt, 3)
	return "00:1b:21:" + h[0:2] + ":" + h[2:4] + ":" + h[4:6]
}

// Serial returns an upper-case disk or board serial derived from seed and
// salt.
func Serial(seed int, salt string) string {
	return "S" + strings.ToUpper(hexID(seed, "serial/"+salt, 7))
}

// Workstation returns a typical desktop: machine-id, full DMI, one wired and
// one Wi-Fi NIC plus Docker and loopback interfaces, an NVMe disk and a SATA
// disk, a CPU model, no TPM. Machines with different seeds differ in every
// identifier but share the CPU model.
func Workstation(seed int) Machine {
	return Machine{
		MachineID: MachineID(seed),
		DMI: &DMI{
			ProductUUID:   UUID(seed),
			ProductSerial: Serial(seed, "product"),
			BoardSerial:   Serial(seed, "board"),
			ChassisSerial: "Default string",
		},
		NICs: []NIC{
			{Name: "lo", MAC: "00:00:00:00:00:00", Kind: Loopback},
			{Name: "enp0s31f6", MAC: MAC(seed, "eth")},
			{Name: "wlp2s0", MAC: MAC(seed, "wifi")},
			{Name: "docker0", MAC: "02:42:ac:11:00:01", Kind: Bridge},
			{Name: "veth1a2b3c", MAC: "6a:1f:22:33:44:55", Kind: Virtual},
		},
		Disks: []Disk{
			{Name: "nvme0n1", Serial: Serial(seed, "nvme")},
			{Name: "sda", WWID: "t10.ATA     Licet Test Disk                         " + Serial(seed, "sata")},
			{Name: "loop0", Virtual: true},
		},
		CPUModel: "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz",
	}
}

// Server returns a rack server: Workstation plus a TPM, two bonded NICs
// (the bond's address is the first slave's) and a bridge on the bond.
func Server(seed int) Machine {
	m := Workstation(seed)
	m.DMI.ChassisSerial = Serial(seed, "chassis")
	m.TPM = &TPM{PubEK: "Algorithm: 00 00 00 01 Modulus length: 256 Modulus: " + strings.ToUpper(hexID(seed, "ek", 32))}
	bond := MAC(seed, "eno1")
	m.NICs = []NIC{
		{Name: "lo", MAC: "00:00:00:00:00:00", Kind: Loopback},
		{Name: "eno1", MAC: bond, PermMAC: bond},
		{Name: "eno2", MAC: bond, PermMAC: MAC(seed, "eno2"), AddrAssignType: 2},
		{Name: "bond0", MAC: bond, Kind: Bond},
		{Name: "br0", MAC: bond, Kind: Bridge, AddrAssignType: 3},
	}
	m.CPUModel = "AMD EPYC 7443P 24-Core Processor"
	return m
}

// CIRunner returns what CI virtual machines look like: a machine-id baked
// into the image (the same for every seed), no DMI serials worth the name,
// a locally administered MAC and a disk with a serial that every instance
// shares. Collect reports it as weak.
func CIRunner(seed int) Machine {
	return Machine{
		MachineID: MachineID(0),
		DMI: &DMI{
			ProductUUID:   "00000000-0000-0000-0000-000000000000",
			ProductSerial: "Not Specified",
			BoardSerial:   "None",
		},
		NICs: []NIC{
			{Name: "lo", MAC: "00:00:00:00:00:00", Kind: Loopback},
			{Name: "eth0", MAC: "02:" + MAC(seed, "ci")[3:], AddrAssignType: 0},
			{Name: "docker0", MAC: "02:42:ac:11:00:01", Kind: Bridge},
		},
		Disks: []Disk{
			{Name: "sda", WWID: "t10.ATA     QEMU HARDDISK                           QM00001"},
			{Name: "sdb", Serial: "ci-disk-0001"},
		},
		CPUModel: "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
	}
}

// Container returns what a process in a container sees: no DMI, no disks
// of its own, a veth interface and the host's CPU model. Use it with
// fingerprint.Options.InstanceID.
func Container(seed int) Machine {
	return Machine{
		MachineID: MachineID(seed),
		NICs: []NIC{
			{Name: "lo", MAC: "00:00:00:00:00:00", Kind: Loopback},
			{Name: "eth0", MAC: "02:42:ac:11:00:" + hexID(seed, "ct", 1), Kind: Virtual},
		},
		CPUModel: "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz",
	}
}
