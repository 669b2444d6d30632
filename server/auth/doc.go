// Package auth signs people and scripts in to the vendor portal and decides
// what they may do.
//
// It provides argon2id password hashing in the PHC string format
// (RFC 9106), a password policy, browser sessions kept as SHA-256 hashes of
// random tokens with idle and absolute expiry, CSRF protection (a
// synchronizer token bound to the session, plus an Origin and
// Sec-Fetch-Site check), login throttling (per-account lockout and a
// per-address token bucket), API tokens for scripts ("licet_" + random,
// shown once, stored hashed), the one-time setup link that creates the
// first administrator, roles and their permissions, and audit entries for
// every change. The net/http middleware of this package is what the HTTP
// layer composes: [Auth.Identify] finds the principal of a request,
// [Auth.RequireAuth], [Auth.RequireSession], [Auth.RequireRole] and
// [Auth.RequirePermission] guard routes, [Auth.CSRF] guards state-changing
// methods, and [Auth.RateLimit] throttles any route.
//
// Every time comes from the injected clock (Config.Now) and every random
// byte from Config.Rand. Secrets (passwords, tokens) never appear in errors
// or logs: plaintext tokens are [Secret] values, which print as
// "[redacted]".
package auth
