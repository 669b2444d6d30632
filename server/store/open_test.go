package store_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func TestOpenSQLiteDSN(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		dsn  string
		want string // substring of the error; "" = opens
	}{
		{dsn: filepath.Join(dir, "a.db")},
		{dsn: "sqlite:" + filepath.Join(dir, "b.db")},
		{dsn: filepath.Join(dir, "c.db") + "?synchronous=full"},
		{dsn: "", want: "empty database path"},
		{dsn: "sqlite:", want: "empty database path"},
		{dsn: ":memory:", want: "file path"},
		{dsn: "file:x.db", want: "file path"},
		{dsn: filepath.Join(dir, "d.db") + "?synchronous=sometimes", want: "synchronous"},
		{dsn: filepath.Join(dir, "e.db") + "?cache=shared", want: `unknown SQLite option "cache"`},
		{dsn: filepath.Join(dir, "missing", "f.db"), want: "opening database file"},
		{dsn: "postgres://licet@[::1", want: "invalid PostgreSQL URL"},
	} {
		s, err := store.Open(ctx, tc.dsn)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Open(%q): %v", tc.dsn, err)
				continue
			}
			if s.Dialect() != store.SQLite {
				t.Errorf("Open(%q): dialect %s", tc.dsn, s.Dialect())
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
			s.Close()
			continue
		}
		if err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want error containing %q", tc.dsn, tc.want)
		} else if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Open(%q) = %v, want error containing %q", tc.dsn, err, tc.want)
		}
	}
}

func TestSQLiteFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "licet.db")
	s := must(store.Open(ctx, path))
	defer s.Close()
	fi := must(os.Stat(path))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
	var mode string
	raw := must(sql.Open("sqlite", path))
	defer raw.Close()
	if err := raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestReopenKeepsData(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, dsn := storetest.Open(t, d)
			must(s.CreateProduct(ctx, store.Product{ShortID: 1, Name: "P", CreatedAt: t0}))
			s.Close()
			s2 := must(store.Open(ctx, dsn))
			defer s2.Close()
			p := must(s2.ProductByShortID(ctx, 1))
			if p.Name != "P" {
				t.Fatalf("product after reopen: %+v", p)
			}
			var n int
			raw := rawDB(t, d, dsn)
			if err := raw.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != store.SchemaVersion() {
				t.Fatalf("schema_migrations has %d rows, want %d", n, store.SchemaVersion())
			}
		})
	}
}

// rawDB opens the database behind a store without the store.
func rawDB(t testing.TB, d store.Dialect, dsn string) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if d == store.Postgres {
		driver = "pgx"
	}
	db := must(sql.Open(driver, dsn))
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSchemaTooNewOrChanged(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			s, dsn := storetest.Open(t, d)
			s.Close()
			raw := rawDB(t, d, dsn)
			applied := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			ts := any(applied.UnixMicro())
			if d == store.Postgres {
				ts = applied
			}
			if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, 'future', 'x', $1)`, ts); err != nil {
				t.Fatal(err)
			}
			_, err := store.Open(ctx, dsn)
			wantErr(t, err, store.ErrSchemaTooNew)

			if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = 9999`); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(`UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`); err != nil {
				t.Fatal(err)
			}
			_, err = store.Open(ctx, dsn)
			if err == nil || !strings.Contains(err.Error(), "differs from the one applied") {
				t.Fatalf("Open with an edited migration = %v", err)
			}
		})
	}
}

func TestInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		boom := errors.New("boom")
		err := s.InTx(ctx, func(q *store.Queries) error {
			if _, err := q.CreateProduct(ctx, store.Product{ShortID: 1, Name: "Rolled back", CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := q.AppendAudit(ctx, store.AuditEntry{At: t0, Actor: "alice", Action: "product.create"}); err != nil {
				return err
			}
			return boom
		})
		if err != boom {
			t.Fatalf("InTx returned %v, want the callback's error unchanged", err)
		}
		_, err = s.ProductByShortID(ctx, 1)
		wantErr(t, err, store.ErrNotFound)
		if p := must(s.ListAudit(ctx, store.AuditFilter{})); len(p.Items) != 0 {
			t.Fatalf("audit entry survived a rollback: %+v", p.Items)
		}

		err = s.InTx(ctx, func(q *store.Queries) error {
			p, err := q.CreateProduct(ctx, store.Product{ShortID: 2, Name: "Kept", CreatedAt: t0})
			if err != nil {
				return err
			}
			// Reads inside the transaction see its own writes.
			if _, err := q.Product(ctx, p.ID); err != nil {
				return err
			}
			_, err = q.AppendAudit(ctx, store.AuditEntry{At: t0, Actor: "alice", Action: "product.create"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		must(s.ProductByShortID(ctx, 2))
		if p := must(s.ListAudit(ctx, store.AuditFilter{})); len(p.Items) != 1 {
			t.Fatalf("audit entries after commit: %d, want 1", len(p.Items))
		}

		// A failing step inside a multi-step method rolls the whole method
		// back, also when it runs inside an outer transaction.
		err = s.InTx(ctx, func(q *store.Queries) error {
			_, err := q.CreateProduct(ctx, store.Product{ShortID: 2, Name: "Duplicate short id", CreatedAt: t0})
			return err
		})
		wantErr(t, err, store.ErrConflict)
	})
}

func TestTimesRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		local := time.FixedZone("UTC+8", 8*3600)
		at := time.Date(2031, 1, 2, 3, 4, 5, 123456789, local)
		p := must(s.CreateProduct(ctx, store.Product{ShortID: 3, Name: "T", CreatedAt: at}))
		want := at.UTC().Truncate(time.Microsecond)
		if !p.CreatedAt.Equal(want) || p.CreatedAt.Location() != time.UTC || p.CreatedAt != want {
			t.Fatalf("CreatedAt = %v, want %v in UTC", p.CreatedAt, want)
		}
		got := must(s.Product(ctx, p.ID))
		if got.CreatedAt != want {
			t.Fatalf("read back %v, want %v", got.CreatedAt, want)
		}
	})
}
