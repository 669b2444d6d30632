package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"licet.dev/licet/server/auth"
	"licet.dev/licet/server/store"
)

// A route that operators may call: Identify finds the principal, CSRF
// guards the POST, RequirePermission checks the role.
func ExampleAuth_Identify() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "licet-example")
	defer os.RemoveAll(dir)
	st, err := store.Open(ctx, filepath.Join(dir, "licet.db"))
	if err != nil {
		panic(err)
	}
	defer st.Close()
	now := func() time.Time { return time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC) }
	a, err := auth.New(st, auth.Config{Now: now})
	if err != nil {
		panic(err)
	}

	// First start: the console shows the setup link; the page completes it.
	tok, _, _ := a.EnsureSetupToken(ctx)
	fmt.Println(len(auth.SetupLink("https://portal.example", tok)) > len("https://portal.example/setup#"))
	login, err := a.CompleteSetup(ctx, tok.Reveal(), "root", "correct horse battery", auth.Meta{IP: "192.0.2.1"})
	if err != nil {
		panic(err)
	}

	createOrder := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.PrincipalFrom(r.Context())
		fmt.Fprintf(w, "order created by %s", p.Actor())
	})
	h := a.Identify(a.CSRF(a.RequirePermission(auth.PermOrders)(createOrder)))

	send := func(withCSRF bool) {
		r := httptest.NewRequest("POST", "https://portal.example/api/v1/orders", nil)
		r.AddCookie(&http.Cookie{Name: a.CookieName(), Value: login.Token.Reveal()})
		if withCSRF {
			r.Header.Set(auth.CSRFHeader, login.Principal.CSRFToken())
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String()[:min(w.Body.Len(), 30)])
	}
	send(false)
	send(true)
	// Output:
	// true
	// 403 {"code":"csrf_failed","detail"
	// 200 order created by root
}
