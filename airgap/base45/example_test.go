package base45_test

import (
	"fmt"

	"licet.dev/licet/airgap/base45"
)

func Example() {
	s := base45.Encode([]byte("Hello!!"))
	fmt.Println(s)
	b, err := base45.Decode(s)
	fmt.Println(string(b), err)
	// Output:
	// %69 VD92EX0
	// Hello!! <nil>
}
