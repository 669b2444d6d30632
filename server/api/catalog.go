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
	id, err := pathID(r, "product")
	if err != nil {
		return err
	}
	p, err := a.store.Product(r.Context(), id)
	if err != nil {
		return storeErr(err, "product")
	}
	return writeJSON(w, http.StatusOK, productOf(p))
}

func (a *API) patchProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "product")
	if err != nil {
		return err
	}
	var in productPatch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var out store.Product
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		p, err := q.Product(r.Context(), id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			p.Name = *in.Name
		}
		if in.Description != nil {
			p.Description = *in.Description
		}
		p.UpdatedAt = a.now()
		if out, err = q.UpdateProduct(r.Context(), p); err != nil {
			return err
		}
		return au.log(q, "product.update", fmt.Sprintf("product:%d", id), changed(map[string]bool{
			"name": in.Name != nil, "description": in.Description != nil}))
	})
	if err != nil {
		return storeErr(err, "product")
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
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	c, err := a.store.Customer(r.Context(), id)
	if err != nil {
		return storeErr(err, "customer")
	}
	return writeJSON(w, http.StatusOK, customerOf(c))
}

func (a *API) patchCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	var in customerPatch
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	var out store.Customer
	err = a.inTx(r, func(q *store.Queries, au *auditor) error {
		c, err := q.Customer(r.Context(), id)
		if err != nil {
			return err
		}
		if in.Name != nil {
			c.Name = *in.Name
		}
		if in.Email != nil {
			c.Email = *in.Email
		}
		if in.Notes != nil {
			c.Notes = *in.Notes
		}
		c.UpdatedAt = a.now()
		if out, err = q.UpdateCustomer(r.Context(), c); err != nil {
			return err
		}
		return au.log(q, "customer.update", fmt.Sprintf("customer:%d", id), changed(map[string]bool{
			"name": in.Name != nil, "email": in.Email != nil, "notes": in.Notes != nil}))
	})
	if err != nil {
		return storeErr(err, "customer")
	}
	return writeJSON(w, http.StatusOK, customerOf(out))
}

// changed lists the fields a patch set, for the audit detail.
func changed(m map[string]bool) map[string]any {
	var f []string
	for _, k := range []string{"name", "description", "email", "notes", "role", "password", "disabled"} {
		if m[k] {
			f = append(f, k)
		}
	}
	return map[string]any{"changed": f}
}

var _ = context.Background
