package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Outcomes callers branch on. Errors from the store wrap one of them (test
// with errors.Is) and name the operation and the value at fault.
var (
	// ErrNotFound: the row asked for, or one that a new row refers to, does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the change would break a uniqueness rule (a taken name,
	// short id or username), remove a row that others still refer to, or
	// repeat a change that can happen once (revoking twice, releasing twice).
	ErrConflict = errors.New("conflict")
	// ErrInvalid: a value the store refuses before writing it (an unknown
	// role or mode, a negative count, malformed JSON, a bad cursor).
	ErrInvalid = errors.New("invalid value")
	// ErrSeatsExhausted: the order has no free seat for another terminal.
	ErrSeatsExhausted = errors.New("no free seats")
	// ErrOrderRevoked: the order was revoked and grants nothing more.
	ErrOrderRevoked = errors.New("order revoked")
	// ErrOutsideWindow: the time given lies outside the order's validity
	// window.
	ErrOutsideWindow = errors.New("outside the order's validity window")
	// ErrExpired: a one-time token has expired or was used already.
	ErrExpired = errors.New("expired or already used")
	// ErrSchemaTooNew: the database was migrated by a newer build.
	ErrSchemaTooNew = errors.New("database schema is newer than this build")
)

// classify maps a database error to the sentinel it stands for, keeping the
// database's message (which names the constraint, never a value). fk is what
// a foreign-key violation means to the caller: ErrNotFound when inserting a
// row that refers to a missing one, ErrConflict when deleting a row that is
// still referred to.
func (s *Store) classify(err error, fk error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %s", ErrConflict, constraintText(pe.ConstraintName, pe.Message))
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: %s", fk, constraintText(pe.ConstraintName, pe.Message))
		case "23514", "23502", "22P02", "22003": // check, not null, bad text, out of range
			return fmt.Errorf("%w: %s", ErrInvalid, constraintText(pe.ConstraintName, pe.Message))
		case "40001", "40P01": // serialization failure, deadlock
			return fmt.Errorf("%w: %s", ErrConflict, pe.Message)
		}
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %s", ErrConflict, sqliteMessage(se))
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %s", fk, sqliteMessage(se))
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return fmt.Errorf("%w: %s", ErrInvalid, sqliteMessage(se))
		}
	}
	return err
}

func constraintText(name, msg string) string {
	if name != "" {
		return "constraint " + name
	}
	return msg
}

// sqliteMessage is the text of a SQLite error without the driver's decoration.
func sqliteMessage(e *sqlite.Error) string {
	m := e.Error()
	if i := strings.LastIndex(m, ": "); i >= 0 && strings.Contains(m[i:], "constraint failed") {
		return m[i+2:]
	}
	return m
}
