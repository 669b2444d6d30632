package fingerprint

import (
	"strings"
	"testing"

	"licet.dev/licet/fingerprint/fingerprinttest"
)

// TestMatchScenarios describes changes to a machine as fake trees and
// checks each policy's verdict.
func TestMatchScenarios(t *testing.T) {
	ws := fingerprinttest.Workstation
	type verdict struct{ exact, fuzzy, loose bool }
	for _, tc := range []struct {
		name   string
		birth  fingerprinttest.Machine
		change func(m *fingerprinttest.Machine)
		want   verdict
	}{
		{"unchanged", ws(1), func(m *fingerprinttest.Machine) {}, verdict{true, true, true}},
		{"one NIC replaced", ws(1), func(m *fingerprinttest.Machine) {
			m.NICs[1].MAC = fingerprinttest.MAC(99, "new")
		}, verdict{false, true, true}},
		{"one disk replaced", ws(1), func(m *fingerprinttest.Machine) {
			m.Disks[0].Serial = fingerprinttest.Serial(99, "new")
		}, verdict{false, true, true}},
		{"a NIC added", ws(1), func(m *fingerprinttest.Machine) {
			m.NICs = append(m.NICs, fingerprinttest.NIC{Name: "enx0", MAC: fingerprinttest.MAC(99, "usb")})
		}, verdict{true, true, true}},
		{"half of NICs and disks replaced", ws(1), func(m *fingerprinttest.Machine) {
			m.NICs[1].MAC = fingerprinttest.MAC(99, "a")
			m.Disks[0].Serial = fingerprinttest.Serial(99, "b")
		}, verdict{false, true, true}},
		{"three of four NICs and disks replaced", ws(1), func(m *fingerprinttest.Machine) {
			m.NICs[1].MAC = fingerprinttest.MAC(99, "a")
			m.NICs[2].MAC = fingerprinttest.MAC(99, "b")
			m.Disks[0].Serial = fingerprinttest.Serial(99, "c")
		}, verdict{false, false, true}},
		{"CPU upgraded", ws(1), func(m *fingerprinttest.Machine) {
			m.CPUModel = "Intel(R) Core(TM) i9-9900K CPU @ 3.60GHz"
		}, verdict{false, true, true}},
		{"OS reinstalled (new machine-id)", ws(1), func(m *fingerprinttest.Machine) {
			m.MachineID = fingerprinttest.MachineID(99)
		}, verdict{false, false, true}},
		{"mainboard replaced", ws(1), func(m *fingerprinttest.Machine) {
			m.DMI.ProductUUID = fingerprinttest.UUID(99)
			m.DMI.BoardSerial = fingerprinttest.Serial(99, "board")
		}, verdict{false, false, true}},
		{"clone: same machine-id on another machine", ws(1), func(m *fingerprinttest.Machine) {
			*m = ws(2)
			m.MachineID = fingerprinttest.MachineID(1)
		}, verdict{false, false, false}},
		{"another machine", ws(1), func(m *fingerprinttest.Machine) { *m = ws(2) }, verdict{false, false, false}},
		{"clone with the same disks (imaged)", ws(1), func(m *fingerprinttest.Machine) {
			disks := m.Disks
			*m = ws(2)
			m.MachineID = fingerprinttest.MachineID(1)
			m.Disks = disks
		}, verdict{false, false, false}},
		{"server: TPM and one bonded NIC replaced", fingerprinttest.Server(1), func(m *fingerprinttest.Machine) {
			m.NICs[2].PermMAC = fingerprinttest.MAC(99, "eno2")
		}, verdict{false, true, true}},
		{"server: other TPM", fingerprinttest.Server(1), func(m *fingerprinttest.Machine) {
			m.TPM = fingerprinttest.Server(2).TPM
		}, verdict{false, false, true}},
		{"machine-id and one NIC only: NIC replaced", fingerprinttest.Machine{
			MachineID: fingerprinttest.MachineID(5),
			NICs:      []fingerprinttest.NIC{{Name: "eth0", MAC: fingerprinttest.MAC(5, "eth")}},
		}, func(m *fingerprinttest.Machine) {
			m.NICs[0].MAC = fingerprinttest.MAC(6, "eth")
		}, verdict{false, false, false}},
		{"DMI and one NIC: NIC replaced", fingerprinttest.Machine{
			MachineID: fingerprinttest.MachineID(5),
			DMI:       &fingerprinttest.DMI{ProductUUID: fingerprinttest.UUID(5)},
			NICs:      []fingerprinttest.NIC{{Name: "eth0", MAC: fingerprinttest.MAC(5, "eth")}},
		}, func(m *fingerprinttest.Machine) {
			m.NICs[0].MAC = fingerprinttest.MAC(6, "eth")
		}, verdict{false, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			birth := record(t, collect(t, tc.birth))
			now := tc.birth.Clone()
			tc.change(&now)
			snap := collect(t, now)
			for _, c := range []struct {
				p    Policy
				want bool
			}{{Exact, tc.want.exact}, {Fuzzy, tc.want.fuzzy}, {Loose, tc.want.loose}} {
				res := snap.Match(birth, c.p)
				if res.OK != c.want {
					t.Errorf("%v: OK = %v, want %v\n%s", c.p, res.OK, c.want, res)
				}
				prefix := "match (" + c.p.String() + ")"
				if !c.want {
					prefix = "no " + prefix
				}
				if !strings.HasPrefix(res.Summary, prefix) {
					t.Errorf("summary %q does not start with %q", res.Summary, prefix)
				}
				// The package-level Match agrees with the snapshot's.
				nowRec, _ := snap.Record()
				if Match(birth, nowRec, c.p).OK != res.OK {
					t.Errorf("%v: Match and Snapshot.Match disagree", c.p)
				}
			}
		})
	}
}

func TestMatchExplains(t *testing.T) {
	m := fingerprinttest.Workstation(1)
	birth := record(t, collect(t, m))
	now := m.Clone()
	now.NICs[1].MAC = fingerprinttest.MAC(99, "new")
	res := collect(t, now).Match(birth, Fuzzy)
	if !res.OK {
		t.Fatal(res)
	}
	want := "match (fuzzy): anchors 4/4, nic+disk 3/4 (need 2)"
	if res.Summary != want {
		t.Errorf("summary %q, want %q", res.Summary, want)
	}
	var matched, missing, added int
	for _, l := range res.Lines {
		switch l.Status {
		case Matched:
			matched++
			if l.Source == "" {
				t.Errorf("matched line without source: %s", l)
			}
		case Missing:
			missing++
			if l.Kind != KindNIC {
				t.Errorf("unexpected missing line %s", l)
			}
		case Added:
			added++
			if l.Source != "sys/class/net/enp0s31f6/address" {
				t.Errorf("added line %s", l)
			}
		}
	}
	if matched != 8 || missing != 1 || added != 1 {
		t.Errorf("matched %d missing %d added %d:\n%s", matched, missing, added, res)
	}
	if s := res.String(); !strings.Contains(s, "\n  missing  nic ") || !strings.Contains(s, "\n  added    nic ") {
		t.Errorf("explanation:\n%s", s)
	}

	clone := fingerprinttest.Workstation(2)
	clone.MachineID = m.MachineID
	res = collect(t, clone).Match(birth, Fuzzy)
	for _, w := range []string{"no match (fuzzy)", "anchor missing: dmi-product-uuid, dmi-product-serial, dmi-board-serial", "nic+disk 0 of 4, need 2"} {
		if !strings.Contains(res.Summary, w) {
			t.Errorf("clone summary %q lacks %q", res.Summary, w)
		}
	}
}

func TestInstanceMode(t *testing.T) {
	root := fingerprinttest.Build(t, fingerprinttest.Container(1))
	snap := func(id string) *Snapshot {
		s, err := Collect(Options{Sysroot: root, Product: product, InstanceID: id})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := snap("desk-0042")
	if !a.Instance() || a.Weak || len(a.Components) != 1 {
		t.Fatalf("instance snapshot: %+v", a)
	}
	birth := record(t, a)
	if !birth.Instance() {
		t.Fatal("record not an instance")
	}
	// Surrounding white space is not part of the id.
	if res := snap("  desk-0042\n").Match(birth, Exact); !res.OK {
		t.Errorf("same id: %s", res)
	}
	if res := snap("desk-0043").Match(birth, Loose); res.OK || !strings.Contains(res.Summary, "instance id differs") {
		t.Errorf("other id: %s", res)
	}
	hw := collect(t, fingerprinttest.Workstation(1))
	if res := hw.Match(birth, Loose); res.OK || !strings.Contains(res.Summary, "this machine shows hardware") {
		t.Errorf("hardware against instance: %s", res)
	}
	if res := a.Match(record(t, hw), Loose); res.OK || !strings.Contains(res.Summary, "uses an instance id") {
		t.Errorf("instance against hardware: %s", res)
	}
	// Instance ids are salted by product like hardware.
	other, _ := Collect(Options{Product: "com.example.viewer", InstanceID: "desk-0042"})
	if other.Components[0].Hash == a.Components[0].Hash {
		t.Error("instance hash not salted by product")
	}
}
