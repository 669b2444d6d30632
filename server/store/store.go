package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialect names the database behind a Store.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Store is an open database. Its methods (promoted from [Queries]) each run
// in their own transaction; use [Store.InTx] to group several. A Store is
// safe for concurrent use.
type Store struct {
	*Queries
	dialect Dialect
	rdb     *sql.DB // reads outside transactions
	wdb     *sql.DB // writes and transactions (one connection on SQLite)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Queries holds every operation of the store. The Queries of a [Store] runs
// each call on its own; the Queries passed to an [Store.InTx] callback runs
// all calls in that one transaction and must not be used after it returns.
type Queries struct {
	s   *Store
	r   querier // reads
	w   querier // writes
	txn bool
}

// Open connects to the database named by dsn and applies pending migrations.
//
// dsn is "postgres://..." (or "postgresql://...") for PostgreSQL, with the
// parameters pgx understands (search_path selects a schema); otherwise a file
// path, optionally written "sqlite:PATH", for SQLite. A SQLite path may end
// in "?synchronous=full" to fsync every commit; the default, NORMAL, is
// durable across a crash of the process and may lose the last commits on
// power loss. The SQLite file is created with mode 0600 when missing; its
// directory must exist.
func Open(ctx context.Context, dsn string) (*Store, error) {
	var s *Store
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(ctx, dsn)
	default:
		s, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the URL; keep only our own words.
		return nil, errors.New("store: invalid PostgreSQL URL")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connecting to PostgreSQL at %s: %w", cfg.Host, err)
	}
	s := &Store{dialect: Postgres, rdb: db, wdb: db}
	s.Queries = &Queries{s: s, r: db, w: db}
	return s, nil
}

func openSQLite(ctx context.Context, dsn string) (*Store, error) {
	path := strings.TrimPrefix(dsn, "sqlite:")
	sync := "NORMAL"
	if i := strings.IndexByte(path, '?'); i >= 0 {
		q, err := url.ParseQuery(path[i+1:])
		if err != nil {
			return nil, fmt.Errorf("store: SQLite options %q: %w", path[i+1:], err)
		}
		path = path[:i]
		for k, v := range q {
			switch {
			case k == "synchronous" && len(v) == 1 && (strings.EqualFold(v[0], "full") || strings.EqualFold(v[0], "normal")):
				sync = strings.ToUpper(v[0])
			case k == "synchronous":
				return nil, fmt.Errorf("store: SQLite option synchronous=%q: want full or normal", strings.Join(v, ","))
			default:
				return nil, fmt.Errorf("store: unknown SQLite option %q (known: synchronous)", k)
			}
		}
	}
	switch {
	case path == "":
		return nil, errors.New("store: empty database path")
	case path == ":memory:" || strings.HasPrefix(path, "file:"):
		return nil, fmt.Errorf("store: %q: give the SQLite database as a file path", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: opening database file: %w", err)
	}
	f.Close()

	common := "_busy_timeout=10000&_foreign_keys=1"
	// One writer connection: transactions queue in Go instead of spinning in
	// SQLite's busy handler, and BEGIN IMMEDIATE takes the write lock at the
	// start so that a transaction never has to upgrade a read lock.
	wdb, err := sql.Open("sqlite", path+"?"+common+"&_journal_mode=WAL&_synchronous="+sync+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: opening SQLite: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxIdleTime(0)
	wdb.SetConnMaxLifetime(0)
	if err := wdb.PingContext(ctx); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: opening SQLite database %s: %w", path, err)
	}
	rdb, err := sql.Open("sqlite", path+"?"+common+"&_query_only=1")
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("store: opening SQLite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	if err := rdb.PingContext(ctx); err != nil {
		wdb.Close()
		rdb.Close()
		return nil, fmt.Errorf("store: opening SQLite database %s: %w", path, err)
	}
	s := &Store{dialect: SQLite, rdb: rdb, wdb: wdb}
	s.Queries = &Queries{s: s, r: rdb, w: wdb}
	return s, nil
}

// Dialect says which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// Ping checks that the database answers; it backs a readiness probe.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.wdb.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error {
	err := s.wdb.Close()
	if s.rdb != s.wdb {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// InTx runs fn in one transaction: it commits when fn returns nil and rolls
// back otherwise, returning fn's error unchanged. fn must do all its database
// work through q; on SQLite a call on the Store from inside fn waits for the
// transaction and so never returns.
func (s *Store) InTx(ctx context.Context, fn func(q *Queries) error) error {
	return s.Queries.tx(ctx, fn)
}

// tx runs fn in a transaction, or in the current one when q already is one.
func (q *Queries) tx(ctx context.Context, fn func(q *Queries) error) (err error) {
	if q.txn {
		return fn(q)
	}
	t, err := q.s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			t.Rollback()
			panic(p)
		}
		if err != nil {
			t.Rollback()
			return
		}
		if cerr := t.Commit(); cerr != nil {
			err = fmt.Errorf("store: commit: %w", q.s.classify(cerr, ErrConflict))
		}
	}()
	return fn(&Queries{s: q.s, r: t, w: t, txn: true})
}

// forUpdate is the row-lock clause of a SELECT that precedes an update in the
// same transaction. SQLite has none: its transactions hold the database's
// write lock from BEGIN IMMEDIATE on.
func (q *Queries) forUpdate() string {
	if q.s.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}
