//go:build !race

package licetcli

const raceEnabled = false
