package release_test

import (
	"fmt"
	"time"

	"licet.dev/licet/codec"
	"licet.dev/licet/codec/release"
)

// The terminal makes a release code from the activation it destroys; the
// portal finds the license by the code's prefix and checks the code with
// the activation it derives from its own record (release.FromFile on the
// license file it issued, in real use).
func Example() {
	a := release.Activation{License: codec.ID{0xab, 0xcd, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}}
	a.Secret[0] = 42 // FromFile or FromConfirmation in real use

	day, _ := release.DayOf(time.Date(2026, 3, 1, 15, 4, 5, 0, time.UTC))
	shown := a.Code(day).String()
	fmt.Println(shown)

	p, err := release.Parse(shown)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("license", p.Code.LicensePrefix(), "released on", p.Code.Date().Format(time.DateOnly))
	fmt.Println(a.Check(p.Code))
	// Output:
	// 22NWV-VR108-1G81A-G4RN7-77SWH-ZY6NC-1EVNF-BM8YD
	// license abcdef0102030405 released on 2026-03-01
	// <nil>
}
