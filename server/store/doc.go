// Package store keeps the vendor server's state in SQLite or PostgreSQL
// behind one API.
//
// [Open] takes a data source name: a file path or "sqlite:PATH" for the
// embedded default (pure Go SQLite in WAL mode, foreign keys on, a busy
// timeout), or a "postgres://" URL. The schema is embedded in the binary as
// numbered SQL migrations and brought up to date by Open; a database whose
// schema is newer than the binary is refused.
//
// Every method lives on [Queries]. A [Store] embeds the Queries that run each
// call on its own; [Store.InTx] hands a callback Queries bound to one
// transaction, so that an administrative change and its audit entry commit
// together.
//
// Seat accounting is exact under concurrency: [Queries.Activate] locks the
// order row (SELECT ... FOR UPDATE on PostgreSQL; BEGIN IMMEDIATE and a single
// writer connection on SQLite) before it counts held seats, so replicas that
// share a PostgreSQL database never over-allocate.
//
// The store never reads the clock: callers pass every time in, and the store
// keeps it in UTC at microsecond precision. The one exception is the
// applied_at column of schema_migrations, written by Open.
//
// Nothing here hashes, encrypts or checks passwords: secrets arrive already
// hashed or sealed (see package auth), and this package stores bytes.
package store
