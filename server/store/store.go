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
	"sync"
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
	// Prepared statements by text, on SQLite only, where preparing is a
	// good part of a statement's cost (pgx caches statements itself).
	rstmts, wstmts stmtCache
}

// Queries holds every operation of the store. The Queries of a [Store] runs
// each call on its own; the Queries passed to an [Store.InTx] callback runs
// all calls in that one transaction and must not be used after it returns.
type Queries struct {
	s  *Store
	tx *sql.Tx // nil outside a transaction
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// db is where a statement runs: the transaction, or the pool for reads or
// writes.
func (q *Queries) db(write bool) querier {
	switch {
	case q.tx != nil:
		return q.tx
	case write:
		return q.s.wdb
	default:
		return q.s.rdb
	}
}

// stmtCache holds prepared statements of one pool. It stops growing at
// maxCachedStmts; statements past that run unprepared.
//
// The writer pool of SQLite has a single connection, which a transaction
// holds until it ends: preparing on the pool from inside a transaction would
// wait for itself. So a statement first met inside a transaction runs
// unprepared and is noted; the notes are prepared once the transaction has
// given the connection back, and the transaction's statements after that
// reuse them through Tx.StmtContext.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

const maxCachedStmts = 256

// lookup returns a cached statement.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// note records a statement to prepare later.
func (c *stmtCache) note(query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(c.pending) >= maxCachedStmts {
		return
	}
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
}

// get returns the cached statement for query, preparing it on db when
// missing. The lock is not held while preparing, which may wait for a
// connection.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStmts
	c.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared path reports the error
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close()
		return prev
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	delete(c.pending, query)
	return st
}

// preparePending prepares the statements noted inside transactions.
func (c *stmtCache) preparePending(ctx context.Context, db *sql.DB) {
	c.mu.Lock()
	var qs []string
	for q := range c.pending {
		qs = append(qs, q)
	}
	c.pending = nil
	c.mu.Unlock()
	for _, q := range qs {
		c.get(ctx, db, q)
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.pending = nil, nil
}

// prepared returns the cached statement for query, bound to the current
// transaction if there is one; nil when the statement runs unprepared.
func (q *Queries) prepared(ctx context.Context, write bool, query string) *sql.Stmt {
	switch {
	case q.s.dialect != SQLite:
		return nil
	case q.tx != nil:
		st := q.s.wstmts.lookup(query)
		if st == nil {
			q.s.wstmts.note(query)
			return nil
		}
		return q.tx.StmtContext(ctx, st)
	case write:
		return q.s.wstmts.get(ctx, q.s.wdb, query)
	default:
		return q.s.rstmts.get(ctx, q.s.rdb, query)
	}
}

// row runs a query that returns at most one row.
func (q *Queries) row(ctx context.Context, write bool, query string, args ...any) *sql.Row {
	if st := q.prepared(ctx, write, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.db(write).QueryRowContext(ctx, query, args...)
}

// rows runs a read query.
func (q *Queries) rows(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := q.prepared(ctx, false, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.db(false).QueryContext(ctx, query, args...)
}

// exec runs a write.
func (q *Queries) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := q.prepared(ctx, true, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return q.db(true).ExecContext(ctx, query, args...)
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
	s.Queries = &Queries{s: s}
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
	s.Queries = &Queries{s: s}
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
	s.rstmts.close()
	s.wstmts.close()
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
	return s.Queries.inTx(ctx, fn)
}

// inTx runs fn in a transaction, or in the current one when q already is one.
func (q *Queries) inTx(ctx context.Context, fn func(q *Queries) error) (err error) {
	if q.tx != nil {
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
		} else if cerr := t.Commit(); cerr != nil {
			err = fmt.Errorf("store: commit: %w", q.s.classify(cerr, ErrConflict))
		}
		if q.s.dialect == SQLite {
			q.s.wstmts.preparePending(ctx, q.s.wdb)
		}
	}()
	return fn(&Queries{s: q.s, tx: t})
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
