package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/server/store"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

var t0 = time.Date(2031, 3, 14, 15, 9, 26, 0, time.UTC)

func TestLimiter(t *testing.T) {
	c := &clock{t: t0}
	l, err := NewLimiter(6*time.Second, 3, c.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]int{{0, 1}, {1, 0}, {-1, 5}} {
		if _, err := NewLimiter(time.Duration(bad[0])*time.Second, bad[1], c.now); err == nil {
			t.Errorf("NewLimiter(%v) accepted", bad)
		}
	}
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused within the burst", i)
		}
	}
	ok, wait := l.Allow("a")
	if ok || wait != 6*time.Second {
		t.Fatalf("4th request: %v, wait %v", ok, wait)
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	c.advance(3 * time.Second)
	if ok, wait := l.Allow("a"); ok || wait != 3*time.Second {
		t.Fatalf("half refilled: %v, %v", ok, wait)
	}
	c.advance(3 * time.Second)
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("refilled token refused")
	}
	c.advance(time.Hour)
	for i := range 3 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("the bucket refills past its burst? request %d refused", i)
		}
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("the bucket grew past its burst")
	}
	if ok, wait := l.Check("a"); ok || wait != 6*time.Second {
		t.Fatalf("Check of an empty bucket: %v, %v", ok, wait)
	}
	l.Reset("a")
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("Reset did not refill")
	}
	// Check spends nothing.
	if ok, _ := l.Check("unseen"); !ok {
		t.Fatal("Check refused a key never seen")
	}
	for range 10 {
		l.Check("c")
	}
	for i := range 3 {
		if ok, _ := l.Allow("c"); !ok {
			t.Fatalf("request %d after Checks refused: Check spent a request", i)
		}
	}

	// Memory stays bounded under a flood of keys.
	l.maxKeys = 100
	for i := range 1000 {
		l.Allow(fmt.Sprint("flood ", i))
	}
	if n := len(l.buckets); n > 100 {
		t.Fatalf("%d buckets kept, want at most 100", n)
	}
}

func TestRoles(t *testing.T) {
	all := []Permission{PermRead, PermCatalog, PermOrders, PermIssue, PermActivate, PermAudit, PermTokens, PermAccounts, PermKeys}
	want := map[store.Role]string{
		store.RoleAdmin:    "111111111",
		store.RoleOperator: "111110100",
		store.RoleAuditor:  "100001100",
		"root":             "000000000",
	}
	for role, bits := range want {
		var got strings.Builder
		for _, p := range all {
			if Can(role, p) {
				got.WriteByte('1')
			} else {
				got.WriteByte('0')
			}
		}
		if got.String() != bits {
			t.Errorf("%s: %s, want %s", role, got.String(), bits)
		}
	}
	if len(Permissions(store.RoleAdmin)) != len(all) {
		t.Error("admin lacks a permission")
	}
	for _, tc := range []struct {
		from, to store.Role
		ok       bool
	}{
		{store.RoleAdmin, store.RoleAuditor, true},
		{store.RoleAdmin, store.RoleAdmin, true},
		{store.RoleOperator, store.RoleOperator, true},
		{store.RoleOperator, store.RoleAdmin, false},
		{store.RoleAuditor, store.RoleOperator, false},
		{store.RoleAdmin, "root", false},
	} {
		if canDelegate(tc.from, tc.to) != tc.ok {
			t.Errorf("canDelegate(%s, %s) != %v", tc.from, tc.to, tc.ok)
		}
	}
}

func TestSecretRedacted(t *testing.T) {
	s := Secret("licet_supersecretvalue")
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("token", "t", s)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("token", "t", s)
	j, _ := json.Marshal(struct{ T Secret }{s})
	buf.Write(j)
	fmt.Fprintf(&buf, "%v %s %q %#v %x %d %+v", s, s, s, s, s, s, struct{ S Secret }{s})
	if strings.Contains(buf.String(), "supersecret") {
		t.Fatalf("secret leaked: %s", buf.String())
	}
	if s.Reveal() != "licet_supersecretvalue" {
		t.Fatal("Reveal")
	}
}

func TestTokenFormat(t *testing.T) {
	tok, hash, err := newToken(strings.NewReader(strings.Repeat("\x00", 32)), APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Reveal() != "licet_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" || !bytes.Equal(hash, HashToken(tok.Reveal())) {
		t.Fatalf("token %s", tok.Reveal())
	}
	if tokenPrefixShown(tok) != "licet_AAAA" {
		t.Fatalf("shown prefix %s", tokenPrefixShown(tok))
	}
	for s, ok := range map[string]bool{
		tok.Reveal(): true,
		"licet_" + strings.Repeat("-_aZ09", 7) + "x": true,
		"licet_" + strings.Repeat("A", 42):           false,
		"licet_" + strings.Repeat("A", 44):           false,
		"licet_" + strings.Repeat("A", 42) + "=":     false,
		"licet_" + strings.Repeat("A", 42) + "+":     false,
		"LICET_" + strings.Repeat("A", 43):           false,
		strings.Repeat("A", 43):                      false,
	} {
		if wellFormed(s, APITokenPrefix) != ok {
			t.Errorf("wellFormed(%q) != %v", s, ok)
		}
	}
	if _, _, err := newToken(failReader{}, ""); err == nil {
		t.Fatal("a failing random source went unnoticed")
	}
}
