package fingerprint_test

import (
	"fmt"
	"os"
	"path/filepath"

	"licet.dev/licet/fingerprint"
	"licet.dev/licet/fingerprint/fingerprinttest"
)

// A terminal is activated, then one of its NICs is replaced; a clone of
// it (the same machine-id on other hardware) is refused.
func Example() {
	tmp, _ := os.MkdirTemp("", "fingerprint-example")
	defer os.RemoveAll(tmp)
	collect := func(name string, m fingerprinttest.Machine) *fingerprint.Snapshot {
		root := filepath.Join(tmp, name)
		if err := m.WriteTo(root); err != nil {
			panic(err)
		}
		s, err := fingerprint.Collect(fingerprint.Options{Sysroot: root, Product: "com.example.cad"})
		if err != nil {
			panic(err)
		}
		return s
	}

	m := fingerprinttest.Workstation(1)
	first := collect("birth", m)
	birth, _ := first.Record()
	fmt.Printf("birth record: %d components, weak=%v\n", len(birth.Components), first.Weak)

	m.NICs[1].MAC = fingerprinttest.MAC(1, "replacement")
	fmt.Println(collect("nic-replaced", m).Match(birth, fingerprint.Fuzzy).Summary)

	clone := fingerprinttest.Workstation(2)
	clone.MachineID = m.MachineID
	fmt.Println(collect("clone", clone).Match(birth, fingerprint.Fuzzy).OK)

	ci := collect("ci", fingerprinttest.CIRunner(1))
	fmt.Println("CI runner weak:", ci.Weak)
	// Output:
	// birth record: 9 components, weak=false
	// match (fuzzy): anchors 4/4, nic+disk 3/4 (need 2)
	// false
	// CI runner weak: true
}
