// Command licet is the vendor portal, the site lease server and the
// administrator's command line. See docs/cli.md.
package main

import (
	"os"

	"licet.dev/licet/cmd/licet/licetcli"
)

func main() {
	os.Exit(licetcli.Main(os.Args[1:], licetcli.OSEnv()))
}
