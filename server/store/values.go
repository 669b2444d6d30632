package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Times are kept as TIMESTAMPTZ on PostgreSQL and as integer microseconds
// since the Unix epoch on SQLite, so that both compare and sort in SQL. Both
// round to the microsecond; a zero time.Time is NULL.

// t is the database value of a time.
func (q *Queries) t(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	v = v.UTC().Truncate(time.Microsecond)
	if q.s.dialect == SQLite {
		return v.UnixMicro()
	}
	return v
}

// norm is v as the store hands it back: UTC, microseconds, zero kept.
func norm(v time.Time) time.Time {
	if v.IsZero() {
		return time.Time{}
	}
	return v.UTC().Truncate(time.Microsecond)
}

// timeCol scans either representation into a time.Time; NULL is zero.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = time.Time{}
	case int64:
		*c.p = time.UnixMicro(v).UTC()
	case time.Time:
		*c.p = v.UTC()
	default:
		return fmt.Errorf("store: time column holds %T", src)
	}
	return nil
}

func tcol(p *time.Time) timeCol { return timeCol{p} }

// bytesOrNil keeps empty byte slices out of nullable BLOB columns.
func bytesOrNil(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nullStr is a nullable TEXT column scanned into a string ("" for NULL).
type nullStr struct{ p *string }

func (c nullStr) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.p = ""
	case string:
		*c.p = v
	case []byte:
		*c.p = string(v)
	default:
		return fmt.Errorf("store: text column holds %T", src)
	}
	return nil
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// seconds stores a duration as whole seconds.
func seconds(d time.Duration) int64 { return int64(d / time.Second) }

// jsonText checks a JSON document and returns its text; empty means def.
func jsonText(field string, v json.RawMessage, def string) (string, error) {
	if len(v) == 0 {
		return def, nil
	}
	if !json.Valid(v) {
		return "", fmt.Errorf("%s is not valid JSON: %w", field, ErrInvalid)
	}
	return string(v), nil
}

// Page is one page of a list, newest first. Next, when not empty, is the
// cursor that fetches the following page; an empty Next means this page is
// the last.
type Page[T any] struct {
	Items []T
	Next  string
}

// Pagination limits. A zero limit means DefaultLimit.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ListOptions are the paging fields shared by every list.
type ListOptions struct {
	// Limit is the page size, 1 to MaxLimit; 0 means DefaultLimit.
	Limit int
	// Cursor is a Page.Next from the previous call, or empty for the first
	// page.
	Cursor string
}

// page checks the options and returns the limit and the id to continue
// below (0 for the first page).
func (o ListOptions) page() (limit int, after int64, err error) {
	switch {
	case o.Limit == 0:
		limit = DefaultLimit
	case o.Limit < 0 || o.Limit > MaxLimit:
		return 0, 0, fmt.Errorf("limit %d: want 1 to %d: %w", o.Limit, MaxLimit, ErrInvalid)
	default:
		limit = o.Limit
	}
	after, err = ParseCursor(o.Cursor)
	return limit, after, err
}

// cursorPrefix marks a cursor so that a number passed by mistake is refused.
const cursorPrefix = "c"

// ParseCursor decodes a Page.Next; "" is the first page (0). A cursor is
// "c" followed by a positive decimal row key without leading zeros.
func ParseCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	d, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok || d == "" || d[0] == '0' || len(d) > 19 {
		return 0, fmt.Errorf("cursor %.40q: %w", s, ErrInvalid)
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, fmt.Errorf("cursor %.40q: %w", s, ErrInvalid)
		}
	}
	n, err := strconv.ParseInt(d, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("cursor %.40q: %w", s, ErrInvalid)
	}
	return n, nil
}

// FormatCursor encodes a row key as a cursor; 0 gives "".
func FormatCursor(key int64) string {
	if key <= 0 {
		return ""
	}
	return cursorPrefix + strconv.FormatInt(key, 10)
}

// finishPage trims a result fetched with limit+1 rows and sets Next.
func finishPage[T any](items []T, limit int, key func(T) int64) Page[T] {
	p := Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = FormatCursor(key(items[limit-1]))
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}

// likePattern is a LIKE pattern matching text that contains s, compared in
// lower case, with LIKE's wildcards escaped (use ESCAPE '\').
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// maxQuery bounds the text of a search.
const maxQuery = 200

// where builds a WHERE clause from conditions with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; each "?" in cond becomes the next $N.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(cond); i++ {
		if cond[i] == '?' {
			b.WriteString("$" + strconv.Itoa(len(w.args)+n+1))
			n++
			continue
		}
		b.WriteByte(cond[i])
	}
	w.conds = append(w.conds, b.String())
	w.args = append(w.args, args...)
}

// arg appends a value and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func checkQuery(s string) error {
	if len(s) > maxQuery {
		return fmt.Errorf("search text longer than %d bytes: %w", maxQuery, ErrInvalid)
	}
	return nil
}
