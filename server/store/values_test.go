package store_test

import (
	"testing"

	"licet.dev/licet/server/store"
)

func TestCursor(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true},
		{"c1", 1, true},
		{"c9223372036854775807", 9223372036854775807, true},
		{"c9223372036854775808", 0, false},
		{"c0", 0, false},
		{"c01", 0, false},
		{"c", 0, false},
		{"42", 0, false},
		{"c-1", 0, false},
		{"c+1", 0, false},
		{"c1 ", 0, false},
		{"C1", 0, false},
	} {
		got, err := store.ParseCursor(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseCursor(%q) = %d, %v", tc.in, got, err)
		}
		if tc.ok && store.FormatCursor(got) != tc.in {
			t.Errorf("FormatCursor(%d) = %q, want %q", got, store.FormatCursor(got), tc.in)
		}
	}
}

// FuzzParseCursor: no panic; an error leaves 0; a cursor that parses
// formats back to the same text.
func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "c1", "c42", "c9223372036854775807", "c0", "c01", "42", "c-1", "c\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := store.ParseCursor(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("ParseCursor(%q) = %d with error %v", s, n, err)
			}
			return
		}
		if got := store.FormatCursor(n); got != s {
			t.Fatalf("ParseCursor(%q) = %d, which formats as %q", s, n, got)
		}
	})
}
