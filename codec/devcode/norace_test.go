//go:build !race

package devcode

const raceEnabled = false
