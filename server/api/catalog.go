package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"licet.dev/licet/server/store"
)

// product is a product as the API shows it.
type product struct {
	ID          int64     `json:"id"`
	ShortID     uint16    `json:"short_id" doc:"the number device codes carry (1 to 65535); fixed at creation"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func productOf(p store.Product) product {
	return product{ID: p.ID, ShortID: p.ShortID, Name: p.Name, Description: p.Description,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type productCreate struct {
	ShortID     uint16 `json:"short_id,omitempty" doc:"1 to 65535; omitted: the next free number"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type productPatch struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

func (a *API) listProducts(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := a.store.ListProducts(r.Context(), store.ProductFilter{ListOptions: lo, Query: r.URL.Query().Get("q")})
	if err != nil {
		return storeErr(err, "product")
	}
	return writeJSON(w, http.StatusOK, pageOf(p, productOf))
}

func (a *API) createProduct(w http.ResponseWriter, r *http.Request) error {
	var in productCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v invalid
	if in.Name == "" {
		v.add("name", "is required")
	}
	if err := v.err(); err != nil {
		return err
	}
	var out store.Product
	err := a.inTx(r, func(q *store.Queries, au *auditor) error {
		short := in.ShortID
		if short == 0 {
			n, err := q.NextShortID(r.Context())
			if err != nil {
				return err
			}
			short = n
		}
		var err error
		out, err = q.CreateProduct(r.Context(), store.Product{ShortID: short, Name: in.Name,
			Description: in.Description, CreatedAt: a.now()})
		if err != nil {
			return err
		}
		return au.log(q, "product.create", fmt.Sprintf("product:%d", out.ID), map[string]any{"name": out.Name, "short_id": out.ShortID})
	})
	if err != nil {
		return storeErr(err, "product")
	}
	return writeJSON(w, http.StatusCreated, productOf(out))
}

func (a *API) getProduct(w http.ResponseWriter, r *http.Request) error {
	return getRecord(w, r, "product", a.store.Product, productOf)
}

func (a *API) patchProduct(w http.ResponseWriter, r *http.Request) error {
	var in productPatch
	out, err := patchRecord(a, w, r, "product", &in, (*store.Queries).Product, (*store.Queries).UpdateProduct,
		func(p *store.Product) (f fields) {
			set(&f, "name", &p.Name, in.Name)
			set(&f, "description", &p.Description, in.Description)
			p.UpdatedAt = a.now()
			return f
		})
	if err != nil {
		return err
	}
	a.orders.forget()
	return writeJSON(w, http.StatusOK, productOf(out))
}

// customer is a customer as the API shows it.
type customer struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func customerOf(c store.Customer) customer {
	return customer{ID: c.ID, Name: c.Name, Email: c.Email, Notes: c.Notes, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

type customerCreate struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Notes string `json:"notes,omitempty"`
}

type customerPatch struct {
	Name  *string `json:"name,omitempty"`
	Email *string `json:"email,omitempty"`
	Notes *string `json:"notes,omitempty"`
}

func (a *API) listCustomers(w http.ResponseWriter, r *http.Request) error {
	lo, err := listOptions(r)
	if err != nil {
		return err
	}
	p, err := a.store.ListCustomers(r.Context(), store.CustomerFilter{ListOptions: lo, Query: r.URL.Query().Get("q")})
	if err != nil {
		return storeErr(err, "customer")
	}
	return writeJSON(w, http.StatusOK, pageOf(p, customerOf))
}

func (a *API) createCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customerCreate
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var v invalid
	if in.Name == "" {
		v.add("name", "is required")
	}
	if err := v.err(); err != nil {
		return err
	}
	var out store.Customer
	err := a.inTx(r, func(q *store.Queries, au *auditor) error {
		var err error
		out, err = q.CreateCustomer(r.Context(), store.Customer{Name: in.Name, Email: in.Email, Notes: in.Notes, CreatedAt: a.now()})
		if err != nil {
			return err
		}
		return au.log(q, "customer.create", fmt.Sprintf("customer:%d", out.ID), map[string]any{"name": out.Name})
	})
	if err != nil {
		return storeErr(err, "customer")
	}
	return writeJSON(w, http.StatusCreated, customerOf(out))
}

func (a *API) getCustomer(w http.ResponseWriter, r *http.Request) error {
	return getRecord(w, r, "customer", a.store.Customer, customerOf)
}

func (a *API) patchCustomer(w http.ResponseWriter, r *http.Request) error {
	var in customerPatch
	out, err := patchRecord(a, w, r, "customer", &in, (*store.Queries).Customer, (*store.Queries).UpdateCustomer,
		func(c *store.Customer) (f fields) {
			set(&f, "name", &c.Name, in.Name)
			set(&f, "email", &c.Email, in.Email)
			set(&f, "notes", &c.Notes, in.Notes)
			c.UpdatedAt = a.now()
			return f
		})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, customerOf(out))
}

// getRecord writes the record the path's id names, as view shows it.
func getRecord[R, V any](w http.ResponseWriter, r *http.Request, what string,
	load func(context.Context, int64) (R, error), view func(R) V) error {
	id, err := pathID(r, what)
	if err != nil {
		return err
	}
	rec, err := load(r.Context(), id)
	if err != nil {
		return storeErr(err, what)
	}
	return writeJSON(w, http.StatusOK, view(rec))
}

// fields names the fields a patch set, in order, for the audit entry.
type fields []string

// set copies *v to *dst and names the field in f when the patch carries it.
func set[T any](f *fields, name string, dst, v *T) {
	if v != nil {
		*dst = *v
		*f = append(*f, name)
	}
}

// patchRecord decodes the body into in and, in one transaction, loads the
// record the path's id names, lets apply change it (and stamp its UpdatedAt),
// stores it with save and audits what+".update" naming the fields set.
func patchRecord[R any](a *API, w http.ResponseWriter, r *http.Request, what string, in any,
	load func(*store.Queries, context.Context, int64) (R, error),
	save func(*store.Queries, context.Context, R) (R, error),
	apply func(*R) fields) (R, error) {
	var out R
	id, err := pathID(r, what)
	if err != nil {
		return out, err
	}
	if err := decodeJSON(w, r, in); err != nil {
		return out, err
	}
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		rec, err := load(q, r.Context(), id)
		if err != nil {
			return err
		}
		f := apply(&rec)
		if out, err = save(q, r.Context(), rec); err != nil {
			return err
		}
		return au.log(q, what+".update", fmt.Sprintf("%s:%d", what, id), map[string]any{"changed": []string(f)})
	})
	return out, storeErr(err, what)
}
