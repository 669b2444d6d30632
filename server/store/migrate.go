package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migrations live in migrations/ as NNNN_name.sql, applied in order of NNNN.
// A plain .sql file serves both databases after the macros below expand; a
// version that must differ comes as NNNN_name.sqlite.sql and
// NNNN_name.postgres.sql, one for each. Applied versions are recorded in
// schema_migrations with a checksum of the text that ran; a recorded version
// whose file has changed, or one this build does not know, stops Open.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// macros are the column types that differ between the dialects.
var macros = map[Dialect]*strings.Replacer{
	SQLite: strings.NewReplacer(
		"{{ID}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
		"{{BYTES}}", "BLOB",
		"{{TIME}}", "BIGINT",
	),
	Postgres: strings.NewReplacer(
		"{{ID}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
		"{{BYTES}}", "BYTEA",
		"{{TIME}}", "TIMESTAMPTZ",
	),
}

// migration is one schema step for one dialect.
type migration struct {
	version int
	name    string
	sql     string
}

func (m migration) checksum() string {
	h := sha256.Sum256([]byte(m.sql))
	return hex.EncodeToString(h[:])
}

// migrations returns the steps for d in order.
func migrations(d Dialect) ([]migration, error) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	byVersion := map[int]migration{}
	for _, f := range files {
		base := strings.TrimSuffix(strings.TrimPrefix(f, "migrations/"), ".sql")
		only := Dialect("")
		for _, dd := range []Dialect{SQLite, Postgres} {
			if b, ok := strings.CutSuffix(base, "."+string(dd)); ok {
				base, only = b, dd
			}
		}
		if only != "" && only != d {
			continue
		}
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || len(num) != 4 {
			return nil, fmt.Errorf("store: migration file %s: want NNNN_name.sql", f)
		}
		if prev, dup := byVersion[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", prev.name, name, v)
		}
		text, err := migrationFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		byVersion[v] = migration{version: v, name: name, sql: macros[d].Replace(string(text))}
	}
	out := make([]migration, 0, len(byVersion))
	for _, m := range byVersion {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration version %d is missing", i+1)
		}
	}
	return out, nil
}

// SchemaVersion is the newest migration this build knows.
func SchemaVersion() int {
	ms, err := migrations(SQLite)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate brings the schema up to date in one transaction. On PostgreSQL an
// advisory lock keyed by the schema makes replicas that start together take
// turns; on SQLite the transaction's write lock does the same.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(q *Queries) error {
		if s.dialect == Postgres {
			if _, err := q.db(true).ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('licet schema ' || current_schema()))`); err != nil {
				return fmt.Errorf("store: migrate: lock: %w", err)
			}
		}
		if _, err := q.db(true).ExecContext(ctx, macros[s.dialect].Replace(`CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT NOT NULL,
			checksum   TEXT NOT NULL,
			applied_at {{TIME}} NOT NULL
		)`)); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		applied := map[int]string{}
		rows, err := q.db(false).QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
		if err != nil {
			return fmt.Errorf("store: migrate: reading schema_migrations: %w", err)
		}
		for rows.Next() {
			var v int
			var sum string
			if err := rows.Scan(&v, &sum); err != nil {
				rows.Close()
				return fmt.Errorf("store: migrate: reading schema_migrations: %w", err)
			}
			applied[v] = sum
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: migrate: reading schema_migrations: %w", err)
		}
		known := map[int]bool{}
		for _, m := range ms {
			known[m.version] = true
		}
		for v := range applied {
			if !known[v] {
				return fmt.Errorf("store: migrate: database has version %d, this build knows up to %d: %w", v, len(ms), ErrSchemaTooNew)
			}
		}
		for _, m := range ms {
			if sum, ok := applied[m.version]; ok {
				if sum != m.checksum() {
					return fmt.Errorf("store: migrate: version %d (%s) differs from the one applied to this database", m.version, m.name)
				}
				continue
			}
			if _, err := q.db(true).ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("store: migrate: version %d (%s): %w", m.version, m.name, err)
			}
			// The one clock read of the package: when the schema changed.
			if _, err := q.db(true).ExecContext(ctx,
				`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)`,
				m.version, m.name, m.checksum(), q.t(time.Now())); err != nil {
				return fmt.Errorf("store: migrate: recording version %d: %w", m.version, err)
			}
		}
		return nil
	})
}
