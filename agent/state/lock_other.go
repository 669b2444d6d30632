//go:build !unix

package state

// lockFile does nothing where flock is unavailable; the in-process mutex
// still serialises one process's writers.
func lockFile(path string) (func(), error) { return func() {}, nil }
