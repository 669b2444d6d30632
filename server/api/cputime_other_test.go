//go:build !unix

package api

import "time"

// cpuTime is not measured here; the benchmark reports rates only.
func cpuTime() time.Duration { return 0 }
