//go:build race

package devcode

// The race detector slows the exhaustive tests about fifty-fold and finds
// nothing in them (they run on one goroutine); with it, they cover fewer
// cases.
const raceEnabled = true
