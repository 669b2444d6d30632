package fingerprint

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"licet.dev/licet/fingerprint/fingerprinttest"
)

const product = "com.example.cad"

func collect(t testing.TB, m fingerprinttest.Machine) *Snapshot {
	t.Helper()
	s, err := Collect(Options{Sysroot: fingerprinttest.Build(t, m), Product: product})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func record(t testing.TB, s *Snapshot) *Record {
	t.Helper()
	r, err := s.Record()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sources returns "kind source" for each component.
func sources(s *Snapshot) []string {
	var out []string
	for _, o := range s.Components {
		out = append(out, o.Kind.String()+" "+o.Source)
	}
	slices.Sort(out)
	return out
}

func skipped(l []Skip) []string {
	var out []string
	for _, s := range l {
		out = append(out, s.String())
	}
	return out
}

func TestCollectWorkstation(t *testing.T) {
	m := fingerprinttest.Workstation(1)
	s := collect(t, m)
	want := []string{
		"cpu proc/cpuinfo",
		"disk sys/block/nvme0n1/device/serial",
		"disk sys/block/sda/device/wwid",
		"dmi-board-serial sys/class/dmi/id/board_serial",
		"dmi-product-serial sys/class/dmi/id/product_serial",
		"dmi-product-uuid sys/class/dmi/id/product_uuid",
		"machine-id etc/machine-id",
		"nic sys/class/net/enp0s31f6/address",
		"nic sys/class/net/wlp2s0/address",
	}
	if got := sources(s); !slices.Equal(got, want) {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if s.Weak {
		t.Errorf("workstation reported weak: %v", s.Missing)
	}
	if len(s.Skipped) != 0 {
		t.Errorf("skipped: %v", skipped(s.Skipped))
	}
	ign := strings.Join(skipped(s.Ignored), "\n")
	for _, w := range []string{
		"nic sys/class/net/lo: virtual interface (loopback)",
		"nic sys/class/net/docker0: virtual interface (name docker*)",
		"nic sys/class/net/veth1a2b3c: virtual interface (name veth*)",
		"disk sys/block/loop0: virtual block device",
		"dmi-chassis-serial sys/class/dmi/id/chassis_serial: placeholder value",
	} {
		if !strings.Contains(ign, w) {
			t.Errorf("ignored list lacks %q:\n%s", w, ign)
		}
	}
	// Hashes are of the normalised raw values, salted by product.
	for _, c := range []Component{
		{KindMachineID, HashValue(product, KindMachineID, m.MachineID)},
		{KindProductUUID, HashValue(product, KindProductUUID, m.DMI.ProductUUID)},
		{KindNIC, HashValue(product, KindNIC, m.NICs[1].MAC)},
		{KindDisk, HashValue(product, KindDisk, m.Disks[0].Serial)},
		{KindDisk, HashValue(product, KindDisk, strings.Join(strings.Fields(m.Disks[1].WWID), " "))},
		{KindCPU, HashValue(product, KindCPU, m.CPUModel)},
	} {
		if !slices.ContainsFunc(s.Components, func(o Observed) bool { return o.Component == c }) {
			t.Errorf("no component %v", c)
		}
	}
	// Another product sees other hashes of the same machine.
	s2, err := Collect(Options{Sysroot: s.Sysroot, Product: "com.example.viewer"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range s2.Components {
		if slices.ContainsFunc(s.Components, func(p Observed) bool { return p.Hash == o.Hash }) {
			t.Errorf("%v has the same hash for two products", o.Kind)
		}
	}
}

func TestCollectServer(t *testing.T) {
	m := fingerprinttest.Server(1)
	s := collect(t, m)
	want := []string{
		"cpu proc/cpuinfo",
		"disk sys/block/nvme0n1/device/serial",
		"disk sys/block/sda/device/wwid",
		"dmi-board-serial sys/class/dmi/id/board_serial",
		"dmi-chassis-serial sys/class/dmi/id/chassis_serial",
		"dmi-product-serial sys/class/dmi/id/product_serial",
		"dmi-product-uuid sys/class/dmi/id/product_uuid",
		"machine-id etc/machine-id",
		"nic sys/class/net/eno1/bonding_slave/perm_hwaddr",
		"nic sys/class/net/eno2/bonding_slave/perm_hwaddr",
		"tpm-ek sys/class/tpm/tpm0/pubek",
	}
	if got := sources(s); !slices.Equal(got, want) {
		t.Errorf("components:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// eno2's current address is the bond's; its own permanent one is used.
	if !slices.ContainsFunc(s.Components, func(o Observed) bool {
		return o.Hash == HashValue(product, KindNIC, m.NICs[2].PermMAC)
	}) {
		t.Error("eno2's permanent address not used")
	}
	ign := strings.Join(skipped(s.Ignored), "\n")
	for _, w := range []string{"sys/class/net/bond0: virtual interface", "sys/class/net/br0: virtual interface"} {
		if !strings.Contains(ign, w) {
			t.Errorf("ignored list lacks %q:\n%s", w, ign)
		}
	}
}

func TestCollectWeakCIRunner(t *testing.T) {
	s := collect(t, fingerprinttest.CIRunner(1))
	if !s.Weak {
		t.Fatalf("CI runner not weak; components %v", sources(s))
	}
	missing := strings.Join(s.Missing, "\n")
	for _, w := range []string{
		"dmi: sys/class/dmi/id/product_uuid: placeholder value",
		"tpm: not found",
		"nic: sys/class/net/eth0/address: locally administered or randomised address",
	} {
		if !strings.Contains(missing, w) {
			t.Errorf("Missing lacks %q:\n%s", w, missing)
		}
	}
	// The QEMU disk's constant serial is refused; the other counts once.
	if got := sources(s); !slices.Contains(got, "disk sys/block/sdb/device/serial") || slices.Contains(got, "disk sys/block/sda/device/wwid") {
		t.Errorf("disks: %v", got)
	}
	// Two CI runners cannot be told apart: that is why they are weak.
	other := collect(t, fingerprinttest.CIRunner(2))
	if res := other.Match(record(t, s), Fuzzy); !res.OK {
		t.Errorf("two identical CI images did not match: %s", res)
	}
}

func TestCollectContainerWeak(t *testing.T) {
	s := collect(t, fingerprinttest.Container(1))
	if !s.Weak {
		t.Fatal("container not weak")
	}
	for _, g := range []string{"dmi: ", "disk: ", "nic: "} {
		if !slices.ContainsFunc(s.Missing, func(m string) bool { return strings.HasPrefix(m, g) }) {
			t.Errorf("Missing lacks %s: %v", g, s.Missing)
		}
	}
}

func TestWeakRule(t *testing.T) {
	// One DMI source counts once however many fields it has; with a NIC
	// it makes two.
	m := fingerprinttest.Workstation(3)
	m.NICs = nil
	m.Disks = nil
	if s := collect(t, m); !s.Weak {
		t.Errorf("DMI alone not weak: %v", sources(s))
	}
	m.NICs = []fingerprinttest.NIC{{Name: "eth0", MAC: fingerprinttest.MAC(3, "x")}}
	if s := collect(t, m); s.Weak {
		t.Errorf("DMI + NIC weak: %v", s.Missing)
	}
	// Two disks without DMI are enough.
	m = fingerprinttest.Machine{MachineID: fingerprinttest.MachineID(4), Disks: []fingerprinttest.Disk{
		{Name: "sda", Serial: "A1"}, {Name: "sdb", Serial: "B2"},
	}}
	if s := collect(t, m); s.Weak {
		t.Errorf("two disks weak: %v", s.Missing)
	}
}

func TestCollectUnreadable(t *testing.T) {
	m := fingerprinttest.Workstation(5)
	m.DMI.Unreadable = true
	root := fingerprinttest.Build(t, m)
	// A directory where a file should be cannot be read by anyone.
	if err := os.Remove(filepath.Join(root, "etc/machine-id")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "etc/machine-id"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Collect(Options{Sysroot: root, Product: product})
	if err != nil {
		t.Fatal(err)
	}
	sk := strings.Join(skipped(s.Skipped), "\n")
	if !strings.Contains(sk, "machine-id etc/machine-id: is a directory") {
		t.Errorf("skipped lacks machine-id:\n%s", sk)
	}
	if os.Geteuid() != 0 {
		if !strings.Contains(sk, "dmi-product-uuid sys/class/dmi/id/product_uuid: permission denied (readable by root only)") {
			t.Errorf("skipped lacks product_uuid:\n%s", sk)
		}
		if slices.ContainsFunc(s.Components, func(o Observed) bool { return o.Kind.dmi() }) {
			t.Error("unreadable DMI gave components")
		}
	}

	// The birth record of the readable machine still matches, and the
	// explanation says why the DMI lines are missing.
	full := collect(t, fingerprinttest.Workstation(5))
	res := s.Match(record(t, full), Fuzzy)
	if os.Geteuid() != 0 {
		if res.OK {
			t.Errorf("matched without anchors: %s", res)
		}
		if !strings.Contains(res.String(), "not readable now: sys/class/dmi/id/product_uuid: permission denied") {
			t.Errorf("explanation lacks the reason:\n%s", res)
		}
	}
}

func TestCollectNoSysfs(t *testing.T) {
	root := t.TempDir()
	s, err := Collect(Options{Sysroot: root, Product: product})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Components) != 0 || !s.Weak {
		t.Errorf("empty root: %v weak=%v", sources(s), s.Weak)
	}
	if _, err := s.Record(); !errors.Is(err, ErrEmptyRecord) {
		t.Errorf("Record of an empty machine: %v", err)
	}
	if len(s.Missing) != len(groups) {
		t.Errorf("Missing = %v", s.Missing)
	}
}

func TestCollectOptionErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "f")
	os.WriteFile(file, nil, 0o644)
	for _, o := range []Options{
		{Sysroot: root},
		{Sysroot: filepath.Join(root, "absent"), Product: product},
		{Sysroot: file, Product: product},
		{Product: product, InstanceID: "   "},
		{Product: product, InstanceID: strings.Repeat("x", MaxInstanceID+1)},
		{Product: product, InstanceID: "a\x00b"},
	} {
		if s, err := Collect(o); err == nil || s != nil {
			t.Errorf("Collect(%+v) = %v, %v; want error", o, s, err)
		} else if !strings.HasPrefix(err.Error(), "fingerprint: ") {
			t.Errorf("error %q lacks the package prefix", err)
		}
	}
}

func TestCollectHost(t *testing.T) {
	// The host's identity is unknown here; this only checks that reading
	// a real system works and fails soft.
	s, err := Collect(Options{Product: product})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("host: %d components, weak=%v, missing=%v", len(s.Components), s.Weak, s.Missing)
}

func TestNICRules(t *testing.T) {
	seed := 7
	base := fingerprinttest.Machine{MachineID: fingerprinttest.MachineID(seed)}
	for _, tc := range []struct {
		name string
		nic  fingerprinttest.NIC
		want string // "" = used, else a fragment of the ignore reason
	}{
		{"physical", fingerprinttest.NIC{Name: "eth0", MAC: "00:1B:21:AA:BB:CC"}, ""},
		{"locally administered", fingerprinttest.NIC{Name: "eth0", MAC: "02:1b:21:aa:bb:cc"}, "locally administered"},
		{"random assign type", fingerprinttest.NIC{Name: "wlan0", MAC: "00:1b:21:aa:bb:cc", AddrAssignType: 1}, "locally administered"},
		{"set by software", fingerprinttest.NIC{Name: "eth0", MAC: "00:1b:21:aa:bb:cc", AddrAssignType: 3}, "set by software"},
		{"multicast", fingerprinttest.NIC{Name: "eth0", MAC: "01:1b:21:aa:bb:cc"}, "malformed"},
		{"zero", fingerprinttest.NIC{Name: "eth0", MAC: "00:00:00:00:00:00"}, "placeholder"},
		{"infiniband length", fingerprinttest.NIC{Name: "eth0", MAC: "00:1b:21:aa:bb:cc:dd"}, "malformed"},
		{"virtual", fingerprinttest.NIC{Name: "eth1", MAC: "00:1b:21:aa:bb:cc", Kind: fingerprinttest.Virtual}, "sys/devices/virtual"},
		{"bridge", fingerprinttest.NIC{Name: "lan", MAC: "00:1b:21:aa:bb:cc", Kind: fingerprinttest.Bridge}, "virtual"},
		{"tun", fingerprinttest.NIC{Name: "vpn0", MAC: "00:1b:21:aa:bb:cc", Kind: fingerprinttest.Tun}, "virtual"},
		{"docker name on a PCI device", fingerprinttest.NIC{Name: "docker9", MAC: "00:1b:21:aa:bb:cc"}, "name docker*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := base.Clone()
			m.NICs = []fingerprinttest.NIC{tc.nic}
			s := collect(t, m)
			got := slices.ContainsFunc(s.Components, func(o Observed) bool { return o.Kind == KindNIC })
			if tc.want == "" {
				if !got {
					t.Fatalf("NIC not used: %v", skipped(s.Ignored))
				}
				if !slices.ContainsFunc(s.Components, func(o Observed) bool {
					return o.Hash == HashValue(product, KindNIC, strings.ToLower(tc.nic.MAC))
				}) {
					t.Error("MAC not normalised to lower case")
				}
				return
			}
			if got {
				t.Fatal("NIC used")
			}
			if ign := strings.Join(skipped(s.Ignored), "\n"); !strings.Contains(ign, tc.want) {
				t.Errorf("ignore reason lacks %q:\n%s", tc.want, ign)
			}
		})
	}
	// A NIC without a device link is virtual even outside devices/virtual.
	root := fingerprinttest.Build(t, fingerprinttest.Machine{NICs: []fingerprinttest.NIC{{Name: "eth0", MAC: "00:1b:21:aa:bb:cc"}}})
	os.Remove(filepath.Join(root, "sys/devices/pci0000-00/0000-00-10.0/net/eth0/device"))
	s, _ := Collect(Options{Sysroot: root, Product: product})
	if len(s.Components) != 0 || !strings.Contains(strings.Join(skipped(s.Ignored), ""), "no device link") {
		t.Errorf("NIC without device link: %v %v", sources(s), skipped(s.Ignored))
	}
}

func TestDiskRules(t *testing.T) {
	for _, tc := range []struct {
		name  string
		disk  fingerprinttest.Disk
		files map[string]string
		want  string // source used, or "!" + fragment of the ignore reason
	}{
		{"nvme serial", fingerprinttest.Disk{Name: "nvme0n1", Serial: "S4EWNX0N123456"}, nil, "sys/block/nvme0n1/device/serial"},
		{"wwid", fingerprinttest.Disk{Name: "sda", WWID: "naa.5000c500a1b2c3d4"}, nil, "sys/block/sda/device/wwid"},
		{"virtio serial", fingerprinttest.Disk{Name: "vda"}, map[string]string{"sys/block/vda/serial": "vol-0abc\n"}, "sys/block/vda/serial"},
		{"vpd page 0x80", fingerprinttest.Disk{Name: "sdb"}, map[string]string{"sys/block/sdb/device/vpd_pg80": "\x00\x80\x00\x08ZA1B2C3D"}, "sys/block/sdb/device/vpd_pg80"},
		{"bad vpd page", fingerprinttest.Disk{Name: "sdb"}, map[string]string{"sys/block/sdb/device/vpd_pg80": "\x00\x83\x00\x08ZA1B2C3D"}, "!malformed"},
		{"no serial", fingerprinttest.Disk{Name: "vdb"}, nil, "!no serial"},
		{"empty virtio serial", fingerprinttest.Disk{Name: "vdb"}, map[string]string{"sys/block/vdb/serial": "\n"}, "!no serial"},
		{"qemu ata", fingerprinttest.Disk{Name: "sda", Serial: "QM00002"}, nil, "!placeholder"},
		{"zero eui", fingerprinttest.Disk{Name: "nvme1n1", WWID: "eui.0000000000000000"}, nil, "!placeholder"},
		{"removable", fingerprinttest.Disk{Name: "sdc", Serial: "USB123", Removable: true}, nil, "!removable"},
		{"optical", fingerprinttest.Disk{Name: "sr0", Serial: "DVD1"}, nil, "!removable"},
		{"zram", fingerprinttest.Disk{Name: "zram0", Virtual: true}, nil, "!virtual block device"},
		{"dm under devices/virtual", fingerprinttest.Disk{Name: "vg-root", Virtual: true}, nil, "!virtual block device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := fingerprinttest.Machine{Disks: []fingerprinttest.Disk{tc.disk}, Files: tc.files}
			s := collect(t, m)
			if reason, ok := strings.CutPrefix(tc.want, "!"); ok {
				if len(s.Components) != 0 {
					t.Fatalf("disk used: %v", sources(s))
				}
				if ign := strings.Join(skipped(s.Ignored), "\n"); !strings.Contains(ign, reason) {
					t.Errorf("ignore reason lacks %q:\n%s", reason, ign)
				}
				return
			}
			if got := sources(s); !slices.Equal(got, []string{"disk " + tc.want}) {
				t.Errorf("components %v, want disk %s", got, tc.want)
			}
		})
	}
	// NVMe namespaces of one controller share its serial: one component.
	s := collect(t, fingerprinttest.Machine{Disks: []fingerprinttest.Disk{{Name: "nvme0n1", Serial: "X1"}, {Name: "nvme0n2", Serial: "X1"}}})
	if len(s.Components) != 1 {
		t.Errorf("shared serial gave %d components", len(s.Components))
	}
}

func TestCPUModels(t *testing.T) {
	for _, tc := range []struct{ name, cpuinfo, want string }{
		{"x86", "processor\t: 0\nmodel name\t: AMD  Ryzen 7 5800X\n\nprocessor\t: 1\nmodel name\t: other\n", "AMD Ryzen 7 5800X"},
		{"arm64", "processor\t: 0\nBogoMIPS\t: 48.00\nCPU implementer\t: 0x41\nCPU part\t: 0xd08\n", "arm implementer 0x41 part 0xd08"},
		{"power", "processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\n", "POWER9 (raw), altivec supported"},
		{"none", "processor\t: 0\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := collect(t, fingerprinttest.Machine{Files: map[string]string{"proc/cpuinfo": tc.cpuinfo}})
			if tc.want == "" {
				if len(s.Components) != 0 {
					t.Errorf("got %v", sources(s))
				}
				return
			}
			if len(s.Components) != 1 || s.Components[0].Hash != HashValue(product, KindCPU, tc.want) {
				t.Errorf("components %v, want CPU %q", sources(s), tc.want)
			}
		})
	}
}

func TestMachineIDFallback(t *testing.T) {
	id := fingerprinttest.MachineID(9)
	s := collect(t, fingerprinttest.Machine{Files: map[string]string{"var/lib/dbus/machine-id": id + "\n"}})
	if got := sources(s); !slices.Equal(got, []string{"machine-id var/lib/dbus/machine-id"}) {
		t.Errorf("components %v", got)
	}
	s = collect(t, fingerprinttest.Machine{MachineID: "uninitialized"})
	if len(s.Components) != 0 || !strings.Contains(s.Missing[0], "placeholder") {
		t.Errorf("uninitialized machine-id: %v %v", sources(s), s.Missing)
	}
}

func TestSysrootConfinement(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "machine-id"), []byte(fingerprinttest.MachineID(1)), 0o644)
	os.MkdirAll(filepath.Join(root, "etc"), 0o755)
	os.MkdirAll(filepath.Join(root, "var/lib/dbus"), 0o755)
	id := fingerprinttest.MachineID(2)
	os.WriteFile(filepath.Join(root, "var/lib/dbus/machine-id"), []byte(id), 0o644)
	// An absolute link is taken inside the root, like in a chroot, and
	// ".." stops at the root.
	os.Symlink("/../../../var/lib/dbus/machine-id", filepath.Join(root, "etc/machine-id"))
	s := collect2(t, root)
	if len(s.Components) != 1 || s.Components[0].Hash != HashValue(product, KindMachineID, id) {
		t.Fatalf("absolute link escaped the root: %v %v", sources(s), skipped(s.Skipped))
	}
	// A link loop is an error, not a hang.
	os.Remove(filepath.Join(root, "etc/machine-id"))
	os.Remove(filepath.Join(root, "var/lib/dbus/machine-id"))
	os.Symlink("machine-id", filepath.Join(root, "etc/machine-id"))
	s = collect2(t, root)
	if !strings.Contains(strings.Join(skipped(s.Skipped), ""), "too many levels of symbolic links") {
		t.Errorf("loop: %v", skipped(s.Skipped))
	}
	if rel, err := (sysroot{dir: root}).resolve("../../etc/../.."); err != nil || rel != "" {
		t.Errorf("resolve above root = %q, %v", rel, err)
	}
	if _, err := (sysroot{dir: root}).resolve("etc/machine-id/x"); !errors.Is(err, fs.ErrNotExist) && err == nil {
		t.Errorf("resolve through a loop: %v", err)
	}
}

func collect2(t *testing.T, root string) *Snapshot {
	t.Helper()
	s, err := Collect(Options{Sysroot: root, Product: product})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func BenchmarkCollect(b *testing.B) {
	root := fingerprinttest.Build(b, fingerprinttest.Server(1))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Collect(Options{Sysroot: root, Product: product}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCollectHost(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Collect(Options{Product: product}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCollectAndMatch(b *testing.B) {
	root := fingerprinttest.Build(b, fingerprinttest.Server(1))
	s, _ := Collect(Options{Sysroot: root, Product: product})
	birth, _ := s.Record()
	b.ReportAllocs()
	for b.Loop() {
		s, err := Collect(Options{Sysroot: root, Product: product})
		if err != nil {
			b.Fatal(err)
		}
		if !s.Match(birth, Fuzzy).OK {
			b.Fatal("no match")
		}
	}
}
