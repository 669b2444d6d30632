// Command licetd is the terminal daemon and its command line: activation
// requests, license import, status, release, and the daemon that answers
// applications on the terminal. See docs/cli.md, section licetd.
package main

import (
	"os"

	"licet.dev/licet/cmd/licetd/licetdcli"
)

func main() {
	os.Exit(licetdcli.Main(os.Args[1:], licetdcli.OSEnv()))
}
