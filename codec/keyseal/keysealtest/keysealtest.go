// Package keysealtest holds cheap Argon2id parameters for tests only, so
// that tests which seal and open keys do not spend 64 MiB and a second of
// CPU each time. Never use them for real keys.
package keysealtest

import "licet.dev/licet/codec/keyseal"

// Params are the cheapest parameters keyseal accepts: one pass over 8 KiB.
var Params = keyseal.Params{Time: 1, MemoryKiB: 8, Threads: 1}
