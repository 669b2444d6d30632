package airgap_test

import (
	"fmt"

	"licet.dev/licet/airgap"
)

func ExampleRequestURL() {
	u, err := airgap.RequestURL("https://portal.example", []byte("request"))
	fmt.Println(u, err)
	portal, req, err := airgap.ParseRequestURL("https://portal.example/R/E9JQ2XB5EDT0")
	fmt.Println(portal, string(req), err)
	c, _ := airgap.RequestQR(u)
	fmt.Println("QR version", c.Version)
	// Output:
	// HTTPS://PORTAL.EXAMPLE/R/E9JQ2XB5EDT0 <nil>
	// HTTPS://PORTAL.EXAMPLE request <nil>
	// QR version 2
}
