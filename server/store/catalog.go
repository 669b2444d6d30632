package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Product is something the vendor licenses. ShortID is the number device
// codes carry; it is fixed at creation because codes in the field name it.
type Product struct {
	ID          int64     `json:"id"`
	ShortID     uint16    `json:"short_id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Length limits of catalog text, in bytes.
const (
	MaxName        = 200
	MaxDescription = 4000
)

func checkText(field, v string, min, max int) error {
	if len(v) < min || len(v) > max || !utf8.ValidString(v) {
		if min > 0 {
			return fmt.Errorf("%s must be %d to %d bytes of UTF-8: %w", field, min, max, ErrInvalid)
		}
		return fmt.Errorf("%s must be at most %d bytes of UTF-8: %w", field, max, ErrInvalid)
	}
	return nil
}

const productCols = `id, short_id, name, description, created_at, updated_at`

func scanProduct(r scanner, p *Product) error {
	var short int64
	err := r.Scan(&p.ID, &short, &p.Name, &p.Description, tcol(&p.CreatedAt), tcol(&p.UpdatedAt))
	p.ShortID = uint16(short)
	return err
}

func checkProduct(p *Product) error {
	p.Name = strings.TrimSpace(p.Name)
	if err := checkText("name", p.Name, 1, MaxName); err != nil {
		return err
	}
	return checkText("description", p.Description, 0, MaxDescription)
}

// CreateProduct adds a product; ID and UpdatedAt are ignored. A taken name
// or short id is ErrConflict.
func (q *Queries) CreateProduct(ctx context.Context, p Product) (Product, error) {
	if err := checkProduct(&p); err != nil {
		return Product{}, fmt.Errorf("store: create product: %w", err)
	}
	if p.CreatedAt.IsZero() {
		return Product{}, fmt.Errorf("store: create product: creation time is required: %w", ErrInvalid)
	}
	var out Product
	err := scanProduct(q.row(ctx, true, `INSERT INTO products (short_id, name, description, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING `+productCols, int64(p.ShortID), p.Name, p.Description, q.t(p.CreatedAt)), &out)
	if err != nil {
		return Product{}, fmt.Errorf("store: create product %q (short id %d): %w", p.Name, p.ShortID, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// UpdateProduct changes a product's name and description (matched by ID);
// UpdatedAt is the time of the change.
func (q *Queries) UpdateProduct(ctx context.Context, p Product) (Product, error) {
	if err := checkProduct(&p); err != nil {
		return Product{}, fmt.Errorf("store: update product %d: %w", p.ID, err)
	}
	var out Product
	err := scanProduct(q.row(ctx, true, `UPDATE products SET name = $2, description = $3, updated_at = $4
		WHERE id = $1 RETURNING `+productCols, p.ID, p.Name, p.Description, q.t(p.UpdatedAt)), &out)
	if err != nil {
		return Product{}, fmt.Errorf("store: update product %d: %w", p.ID, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// Product returns the product with the given id.
func (q *Queries) Product(ctx context.Context, id int64) (Product, error) {
	var p Product
	if err := scanProduct(q.row(ctx, false, `SELECT `+productCols+` FROM products WHERE id = $1`, id), &p); err != nil {
		return Product{}, fmt.Errorf("store: product %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return p, nil
}

// ProductByShortID returns the product a device code names.
func (q *Queries) ProductByShortID(ctx context.Context, short uint16) (Product, error) {
	var p Product
	if err := scanProduct(q.row(ctx, false, `SELECT `+productCols+` FROM products WHERE short_id = $1`, int64(short)), &p); err != nil {
		return Product{}, fmt.Errorf("store: product with short id %d: %w", short, q.s.classify(err, ErrNotFound))
	}
	return p, nil
}

// NextShortID returns the lowest short id above every one in use (1 for
// the first product); ErrConflict when 65535 is taken. Two callers racing
// may get the same number: CreateProduct then refuses one of them.
func (q *Queries) NextShortID(ctx context.Context) (uint16, error) {
	var m *int64
	if err := q.row(ctx, false, `SELECT max(short_id) FROM products`).Scan(&m); err != nil {
		return 0, fmt.Errorf("store: next short id: %w", err)
	}
	if m == nil {
		return 1, nil
	}
	if *m >= 65535 {
		return 0, fmt.Errorf("store: next short id: 65535 is in use: %w", ErrConflict)
	}
	return uint16(*m + 1), nil
}

// DeleteProduct removes a product no order refers to; one in use is
// ErrConflict.
func (q *Queries) DeleteProduct(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM products WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete product %d: %w", id, q.s.classify(err, ErrConflict))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete product %d: %w", id, ErrNotFound)
	}
	return nil
}

// ProductFilter selects products for ListProducts.
type ProductFilter struct {
	ListOptions
	// Query matches names or descriptions containing it.
	Query string
}

// ListProducts returns products, newest first.
func (q *Queries) ListProducts(ctx context.Context, f ProductFilter) (Page[Product], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[Product]{}, fmt.Errorf("store: list products: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(lower(name) LIKE ? ESCAPE '\' OR lower(description) LIKE ? ESCAPE '\')`, p, p)
	}
	rows, err := q.rows(ctx, `SELECT `+productCols+` FROM products`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Product]{}, fmt.Errorf("store: list products: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		var p Product
		if err := scanProduct(rows, &p); err != nil {
			return Page[Product]{}, fmt.Errorf("store: list products: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return Page[Product]{}, fmt.Errorf("store: list products: %w", err)
	}
	return finishPage(out, limit, func(p Product) int64 { return p.ID }), nil
}

// Customer is a party that orders licenses. Names need not be unique.
type Customer struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const customerCols = `id, name, email, notes, created_at, updated_at`

func scanCustomer(r scanner, c *Customer) error {
	return r.Scan(&c.ID, &c.Name, &c.Email, &c.Notes, tcol(&c.CreatedAt), tcol(&c.UpdatedAt))
}

func checkCustomer(c *Customer) error {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = strings.TrimSpace(c.Email)
	if err := checkText("name", c.Name, 1, MaxName); err != nil {
		return err
	}
	if err := checkText("email", c.Email, 0, MaxName); err != nil {
		return err
	}
	return checkText("notes", c.Notes, 0, MaxDescription)
}

// CreateCustomer adds a customer; ID and UpdatedAt are ignored.
func (q *Queries) CreateCustomer(ctx context.Context, c Customer) (Customer, error) {
	if err := checkCustomer(&c); err != nil {
		return Customer{}, fmt.Errorf("store: create customer: %w", err)
	}
	if c.CreatedAt.IsZero() {
		return Customer{}, fmt.Errorf("store: create customer: creation time is required: %w", ErrInvalid)
	}
	var out Customer
	err := scanCustomer(q.row(ctx, true, `INSERT INTO customers (name, email, notes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING `+customerCols, c.Name, c.Email, c.Notes, q.t(c.CreatedAt)), &out)
	if err != nil {
		return Customer{}, fmt.Errorf("store: create customer %q: %w", c.Name, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// UpdateCustomer changes a customer's name, email and notes (matched by
// ID); UpdatedAt is the time of the change.
func (q *Queries) UpdateCustomer(ctx context.Context, c Customer) (Customer, error) {
	if err := checkCustomer(&c); err != nil {
		return Customer{}, fmt.Errorf("store: update customer %d: %w", c.ID, err)
	}
	var out Customer
	err := scanCustomer(q.row(ctx, true, `UPDATE customers SET name = $2, email = $3, notes = $4, updated_at = $5
		WHERE id = $1 RETURNING `+customerCols, c.ID, c.Name, c.Email, c.Notes, q.t(c.UpdatedAt)), &out)
	if err != nil {
		return Customer{}, fmt.Errorf("store: update customer %d: %w", c.ID, q.s.classify(err, ErrNotFound))
	}
	return out, nil
}

// Customer returns the customer with the given id.
func (q *Queries) Customer(ctx context.Context, id int64) (Customer, error) {
	var c Customer
	if err := scanCustomer(q.row(ctx, false, `SELECT `+customerCols+` FROM customers WHERE id = $1`, id), &c); err != nil {
		return Customer{}, fmt.Errorf("store: customer %d: %w", id, q.s.classify(err, ErrNotFound))
	}
	return c, nil
}

// DeleteCustomer removes a customer no order refers to; one in use is
// ErrConflict.
func (q *Queries) DeleteCustomer(ctx context.Context, id int64) error {
	res, err := q.exec(ctx, `DELETE FROM customers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: delete customer %d: %w", id, q.s.classify(err, ErrConflict))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("store: delete customer %d: %w", id, ErrNotFound)
	}
	return nil
}

// CustomerFilter selects customers for ListCustomers.
type CustomerFilter struct {
	ListOptions
	// Query matches names, emails or notes containing it.
	Query string
}

// ListCustomers returns customers, newest first.
func (q *Queries) ListCustomers(ctx context.Context, f CustomerFilter) (Page[Customer], error) {
	limit, after, err := f.page()
	if err == nil {
		err = checkQuery(f.Query)
	}
	if err != nil {
		return Page[Customer]{}, fmt.Errorf("store: list customers: %w", err)
	}
	var w where
	if after > 0 {
		w.add("id < ?", after)
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(lower(name) LIKE ? ESCAPE '\' OR lower(email) LIKE ? ESCAPE '\' OR lower(notes) LIKE ? ESCAPE '\')`, p, p, p)
	}
	rows, err := q.rows(ctx, `SELECT `+customerCols+` FROM customers`+w.sql()+
		` ORDER BY id DESC LIMIT `+w.arg(limit+1), w.args...)
	if err != nil {
		return Page[Customer]{}, fmt.Errorf("store: list customers: %w", err)
	}
	defer rows.Close()
	var out []Customer
	for rows.Next() {
		var c Customer
		if err := scanCustomer(rows, &c); err != nil {
			return Page[Customer]{}, fmt.Errorf("store: list customers: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return Page[Customer]{}, fmt.Errorf("store: list customers: %w", err)
	}
	return finishPage(out, limit, func(c Customer) int64 { return c.ID }), nil
}
