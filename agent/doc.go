// Package agent is the terminal side of Licet (DESIGN sections 4, 5 and 10):
// it makes activation requests, imports licenses, enforces what it holds,
// gives licenses up, and runs the daemon that answers applications on the
// terminal.
//
// A terminal is identified by its fingerprint (package fingerprint) and
// keeps its state in a sealed directory bound to the machine (package
// agent/state). Request makes a device code and a request URL and keeps the
// birth record and nonce they carry; Import verifies a license chain against
// the trusted vendor roots and checks that it is bound to this machine and
// answers one of its requests; Status judges what is held at an instant:
// signatures, binding (matched under the license's policy: exact, fuzzy or
// loose), validity window, the order's grace period, and the clock; Release
// gives the license up; Run is the daemon with its local API (package
// agent/localapi).
//
// The clock: the state keeps a high-water mark of trusted time, the latest
// of every clock reading and every issue time of the signed objects held.
// Expiry is always judged by the later of the system clock and that mark,
// so turning the clock back never extends a license. A clock behind the
// mark by more than Config.ClockTolerance is reported, and under the
// default ClockDeny policy the terminal is not licensed until the clock is
// right again.
//
// Time comes from Config.Now and randomness from Config.Rand, so that
// every rule is tested without touching the real clock. docs/cli.md
// (section licetd), docs/localapi.md and docs/install.md describe what
// people see.
package agent
