package store_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"licet.dev/licet/server/store"
	"licet.dev/licet/server/store/storetest"
)

func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if n := must(s.NextShortID(ctx)); n != 1 {
			t.Fatalf("first short id %d", n)
		}
		p := must(s.CreateProduct(ctx, store.Product{ShortID: 1, Name: " Widget ", Description: "Makes widgets", CreatedAt: t0}))
		if p.Name != "Widget" || p.ShortID != 1 || p.UpdatedAt != p.CreatedAt {
			t.Fatalf("created %+v", p)
		}
		top := must(s.CreateProduct(ctx, store.Product{ShortID: 65535, Name: "Top", CreatedAt: t0}))
		if top.ShortID != 65535 {
			t.Fatalf("short id %d", top.ShortID)
		}
		_, err := s.NextShortID(ctx)
		wantErr(t, err, store.ErrConflict)
		must(s.CreateProduct(ctx, store.Product{ShortID: 0, Name: "Zero", CreatedAt: t0}))

		_, err = s.CreateProduct(ctx, store.Product{ShortID: 1, Name: "Other", CreatedAt: t0})
		wantErr(t, err, store.ErrConflict)
		_, err = s.CreateProduct(ctx, store.Product{ShortID: 2, Name: "Widget", CreatedAt: t0})
		wantErr(t, err, store.ErrConflict)
		for _, bad := range []store.Product{
			{ShortID: 3, Name: "  ", CreatedAt: t0},
			{ShortID: 3, Name: strings.Repeat("n", store.MaxName+1), CreatedAt: t0},
			{ShortID: 3, Name: "ok", Description: strings.Repeat("d", store.MaxDescription+1), CreatedAt: t0},
			{ShortID: 3, Name: "\xff", CreatedAt: t0},
			{ShortID: 3, Name: "no time"},
		} {
			_, err := s.CreateProduct(ctx, bad)
			wantErr(t, err, store.ErrInvalid)
		}

		if got := must(s.ProductByShortID(ctx, 1)); got != p {
			t.Fatalf("by short id: %+v", got)
		}
		_, err = s.ProductByShortID(ctx, 2)
		wantErr(t, err, store.ErrNotFound)

		up := must(s.UpdateProduct(ctx, store.Product{ID: p.ID, ShortID: 99, Name: "Widget Pro", Description: "", UpdatedAt: t0.Add(time.Hour)}))
		if up.Name != "Widget Pro" || up.ShortID != 1 || up.Description != "" || up.UpdatedAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("updated %+v (short id must not change)", up)
		}
		_, err = s.UpdateProduct(ctx, store.Product{ID: 999, Name: "x", UpdatedAt: t0})
		wantErr(t, err, store.ErrNotFound)
		_, err = s.UpdateProduct(ctx, store.Product{ID: p.ID, Name: "Top", UpdatedAt: t0})
		wantErr(t, err, store.ErrConflict)

		p2 := must(s.ListProducts(ctx, store.ProductFilter{Query: "PRO"}))
		if len(p2.Items) != 1 || p2.Items[0].ID != p.ID {
			t.Fatalf("query PRO: %+v", p2.Items)
		}
		all := must(s.ListProducts(ctx, store.ProductFilter{ListOptions: store.ListOptions{Limit: 2}}))
		if len(all.Items) != 2 || all.Next == "" || all.Items[0].Name != "Zero" {
			t.Fatalf("page 1: %+v", all)
		}
		rest := must(s.ListProducts(ctx, store.ProductFilter{ListOptions: store.ListOptions{Limit: 2, Cursor: all.Next}}))
		if len(rest.Items) != 1 || rest.Next != "" || rest.Items[0].ID != p.ID {
			t.Fatalf("page 2: %+v", rest)
		}

		if err := s.DeleteProduct(ctx, top.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.DeleteProduct(ctx, top.ID), store.ErrNotFound)
		// A product with orders stays.
		c := must(s.CreateCustomer(ctx, store.Customer{Name: "C", CreatedAt: t0}))
		must(s.CreateOrder(ctx, store.Order{ProductID: p.ID, CustomerID: c.ID, Mode: store.ModePermanent, Seats: 1, NotBefore: t0, CreatedAt: t0}))
		wantErr(t, s.DeleteProduct(ctx, p.ID), store.ErrConflict)
		wantErr(t, s.DeleteCustomer(ctx, c.ID), store.ErrConflict)
	})
}

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := must(s.CreateCustomer(ctx, store.Customer{Name: "ACME Corp", Email: " it@acme.example ", Notes: "Key account", CreatedAt: t0}))
		if a.Email != "it@acme.example" || a.ID == 0 {
			t.Fatalf("created %+v", a)
		}
		// Names need not be unique.
		b := must(s.CreateCustomer(ctx, store.Customer{Name: "ACME Corp", CreatedAt: t0}))
		must(s.CreateCustomer(ctx, store.Customer{Name: "北京某研究所", Notes: "涉密", CreatedAt: t0}))
		_, err := s.CreateCustomer(ctx, store.Customer{Name: "", CreatedAt: t0})
		wantErr(t, err, store.ErrInvalid)

		if got := must(s.Customer(ctx, a.ID)); got != a {
			t.Fatalf("get: %+v", got)
		}
		up := must(s.UpdateCustomer(ctx, store.Customer{ID: b.ID, Name: "ACME Labs", Email: "labs@acme.example", UpdatedAt: t0.Add(time.Minute)}))
		if up.Name != "ACME Labs" || up.CreatedAt != b.CreatedAt {
			t.Fatalf("updated %+v", up)
		}
		_, err = s.UpdateCustomer(ctx, store.Customer{ID: 999, Name: "x", UpdatedAt: t0})
		wantErr(t, err, store.ErrNotFound)

		for q, want := range map[string]int{"acme": 2, "labs@": 1, "key acc": 1, "研究": 1, "涉密": 1, "%": 0, "": 3} {
			if got := must(s.ListCustomers(ctx, store.CustomerFilter{Query: q})); len(got.Items) != want {
				t.Errorf("query %q: %d customers, want %d", q, len(got.Items), want)
			}
		}
		if err := s.DeleteCustomer(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Customer(ctx, a.ID)
		wantErr(t, err, store.ErrNotFound)
	})
}

func TestOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newFixture(t, s)
		o := f.order(t, s, store.ModePeriodic, 10)
		if o.ProductName != "Widget" || o.CustomerName != "ACME" || o.Status != store.OrderActive ||
			o.LeasePeriod != 7*24*time.Hour || o.Grace != 3*24*time.Hour || string(o.Features) != `{"pro":true}` ||
			string(o.Constraints) != `{}` || o.SiteKey != nil || o.CreatedBy != "alice" || !o.Counted() {
			t.Fatalf("created %+v", o)
		}
		if got := must(s.Order(ctx, o.ID)); !equalJSON(t, got, o) {
			t.Fatalf("read back %+v, want %+v", got, o)
		}

		base := store.Order{ProductID: f.product.ID, CustomerID: f.customer.ID, Mode: store.ModePermanent, Seats: 1,
			NotBefore: t0, CreatedAt: t0}
		mod := func(fn func(*store.Order)) store.Order { o := base; fn(&o); return o }
		for name, tc := range map[string]struct {
			o    store.Order
			want error
		}{
			"mode":          {mod(func(o *store.Order) { o.Mode = "forever" }), store.ErrInvalid},
			"seats":         {mod(func(o *store.Order) { o.Seats = -1 }), store.ErrInvalid},
			"grace":         {mod(func(o *store.Order) { o.Grace = -time.Second }), store.ErrInvalid},
			"window":        {mod(func(o *store.Order) { o.NotAfter = t0 }), store.ErrInvalid},
			"no start":      {mod(func(o *store.Order) { o.NotBefore = time.Time{} }), store.ErrInvalid},
			"features json": {mod(func(o *store.Order) { o.Features = []byte(`{"a":`) }), store.ErrInvalid},
			"constraints":   {mod(func(o *store.Order) { o.Constraints = bytes.Repeat([]byte(" "), store.MaxJSON+1) }), store.ErrInvalid},
			"product":       {mod(func(o *store.Order) { o.ProductID = 999 }), store.ErrNotFound},
			"customer":      {mod(func(o *store.Order) { o.CustomerID = 999 }), store.ErrNotFound},
		} {
			_, err := s.CreateOrder(ctx, tc.o)
			if err == nil || !errorsIs(err, tc.want) {
				t.Errorf("%s: error %v, want %v", name, err, tc.want)
			}
		}

		site := must(s.CreateOrder(ctx, mod(func(o *store.Order) {
			o.Mode, o.Seats, o.SiteKey = store.ModeConcurrent, 5, []byte{1, 2, 3}
			o.Constraints = []byte(`{"arch":["amd64"]}`)
			o.Notes = "site order for the lab"
		})))
		if !bytes.Equal(site.SiteKey, []byte{1, 2, 3}) || site.NotAfter != (time.Time{}) {
			t.Fatalf("site order %+v", site)
		}
		unl := must(s.CreateOrder(ctx, mod(func(o *store.Order) { o.Mode, o.Seats = store.ModeUnlimited, 3 })))
		if unl.Counted() {
			t.Fatal("unlimited order counted")
		}

		other := must(s.CreateCustomer(ctx, store.Customer{Name: "Globex", CreatedAt: t0}))
		g := must(s.CreateOrder(ctx, mod(func(o *store.Order) { o.CustomerID = other.ID })))

		ids := func(p store.Page[store.Order]) []int64 {
			var out []int64
			for _, o := range p.Items {
				out = append(out, o.ID)
			}
			return out
		}
		for name, tc := range map[string]struct {
			f    store.OrderFilter
			want []int64
		}{
			"all":      {store.OrderFilter{}, []int64{g.ID, unl.ID, site.ID, o.ID}},
			"customer": {store.OrderFilter{CustomerID: other.ID}, []int64{g.ID}},
			"query":    {store.OrderFilter{Query: "globex"}, []int64{g.ID}},
			"notes":    {store.OrderFilter{Query: "LAB"}, []int64{site.ID}},
			"product":  {store.OrderFilter{Query: "widget", Mode: store.ModeConcurrent}, []int64{site.ID}},
			"by id":    {store.OrderFilter{ProductID: f.product.ID, Status: store.OrderActive, ListOptions: store.ListOptions{Limit: 2}}, []int64{g.ID, unl.ID}},
		} {
			if got := ids(must(s.ListOrders(ctx, tc.f))); !equalJSON(t, got, tc.want) {
				t.Errorf("%s: %v, want %v", name, got, tc.want)
			}
		}

		lic := must(s.RecordLicense(ctx, f.license(o, store.KindOrder, nil)))
		rev := must(s.RevokeOrder(ctx, o.ID, t0.Add(time.Hour)))
		if rev.Status != store.OrderRevoked || rev.RevokedAt != t0.Add(time.Hour).Truncate(time.Microsecond) {
			t.Fatalf("revoked %+v", rev)
		}
		if l := must(s.License(ctx, lic.ID)); l.RevokedAt != rev.RevokedAt {
			t.Fatalf("license of a revoked order: revoked at %v", l.RevokedAt)
		}
		_, err := s.RevokeOrder(ctx, o.ID, t0)
		wantErr(t, err, store.ErrConflict)
		_, err = s.RevokeOrder(ctx, 999, t0)
		wantErr(t, err, store.ErrNotFound)
		if got := ids(must(s.ListOrders(ctx, store.OrderFilter{Status: store.OrderRevoked}))); !equalJSON(t, got, []int64{o.ID}) {
			t.Fatalf("revoked orders: %v", got)
		}
	})
}

func equalJSON(t testing.TB, a, b any) bool {
	t.Helper()
	x := must(json.Marshal(a))
	y := must(json.Marshal(b))
	return bytes.Equal(x, y)
}
