// Package storetest opens fresh, empty stores for tests: a SQLite file in a
// test's temporary directory always, and a private schema of the PostgreSQL
// server named by LICET_TEST_POSTGRES when that variable is set (as
// scripts/with-postgres does). Every store is closed and removed when its
// test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"licet.dev/licet/server/store"
)

// EnvPostgres names the variable holding the PostgreSQL server URL.
const EnvPostgres = "LICET_TEST_POSTGRES"

// Each runs fn as one subtest per database, named "sqlite" and "postgres",
// each with a fresh store. Without LICET_TEST_POSTGRES the postgres subtest
// is skipped with a message saying how to run it.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, _ := Open(t, d)
			fn(t, s)
		})
	}
}

// Open returns a fresh store of the given dialect and the DSN it was opened
// with (to reopen it, or to reach the database behind the store's back). A
// PostgreSQL store skips the test when LICET_TEST_POSTGRES is not set.
func Open(t testing.TB, d store.Dialect) (*store.Store, string) {
	t.Helper()
	var dsn string
	switch d {
	case store.SQLite:
		dsn = filepath.Join(t.TempDir(), "licet.db")
	case store.Postgres:
		dsn = PostgresDSN(t)
	default:
		t.Fatalf("storetest: unknown dialect %q", d)
	}
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dsn
}

// PostgresDSN creates an empty schema on the LICET_TEST_POSTGRES server,
// drops it when the test ends, and returns a DSN whose search_path selects
// it. It skips the test when the variable is not set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set: run under scripts/with-postgres to test against PostgreSQL", EnvPostgres)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL", EnvPostgres)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "licet_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("storetest: connecting to PostgreSQL: %v", err)
	}
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("storetest: creating schema: %v", err)
	}
	t.Cleanup(func() {
		admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
