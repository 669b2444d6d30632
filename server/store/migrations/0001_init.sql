-- The vendor server's schema. Written once for both databases: {{ID}},
-- {{BYTES}} and {{TIME}} expand per dialect (see migrate.go); everything else
-- is SQL that SQLite and PostgreSQL read alike.

CREATE TABLE accounts (
    id                  {{ID}},
    username            TEXT NOT NULL UNIQUE,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
    password_hash       TEXT NOT NULL,
    failed_attempts     INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    locked_until        {{TIME}},
    disabled_at         {{TIME}},
    last_login_at       {{TIME}},
    password_changed_at {{TIME}},
    created_at          {{TIME}} NOT NULL
);

CREATE TABLE sessions (
    token_hash   {{BYTES}} PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf_secret  {{BYTES}} NOT NULL,
    created_at   {{TIME}} NOT NULL,
    last_seen_at {{TIME}} NOT NULL,
    expires_at   {{TIME}} NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           {{ID}},
    token_hash   {{BYTES}} NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    name         TEXT NOT NULL,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'auditor')),
    created_at   {{TIME}} NOT NULL,
    last_used_at {{TIME}},
    expires_at   {{TIME}},
    revoked_at   {{TIME}}
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE setup_tokens (
    token_hash {{BYTES}} PRIMARY KEY,
    created_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL,
    used_at    {{TIME}},
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL
);

CREATE TABLE audit_log (
    id         {{ID}},
    at         {{TIME}} NOT NULL,
    actor_id   BIGINT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '{}',
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE TABLE root_keys (
    kid                {{BYTES}} PRIMARY KEY,
    public_key         {{BYTES}} NOT NULL,
    sealed_private_key {{BYTES}} NOT NULL,
    created_at         {{TIME}} NOT NULL,
    retired_at         {{TIME}},
    active             BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX root_keys_one_active ON root_keys (active) WHERE active;

CREATE TABLE products (
    id          {{ID}},
    short_id    INTEGER NOT NULL UNIQUE CHECK (short_id BETWEEN 0 AND 65535),
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at  {{TIME}} NOT NULL,
    updated_at  {{TIME}} NOT NULL
);

CREATE TABLE customers (
    id         {{ID}},
    name       TEXT NOT NULL,
    email      TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT '',
    created_at {{TIME}} NOT NULL,
    updated_at {{TIME}} NOT NULL
);
CREATE INDEX customers_name ON customers (name);

CREATE TABLE orders (
    id               {{ID}},
    product_id       BIGINT NOT NULL REFERENCES products (id),
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    mode             TEXT NOT NULL CHECK (mode IN ('permanent', 'periodic', 'concurrent', 'unlimited', 'preactivation')),
    seats            INTEGER NOT NULL CHECK (seats >= 0),
    not_before       {{TIME}} NOT NULL,
    not_after        {{TIME}},
    lease_period_s   BIGINT NOT NULL DEFAULT 0 CHECK (lease_period_s >= 0),
    renew_interval_s BIGINT NOT NULL DEFAULT 0 CHECK (renew_interval_s >= 0),
    grace_s          BIGINT NOT NULL DEFAULT 0 CHECK (grace_s >= 0),
    features         TEXT NOT NULL DEFAULT '{}',
    constraints      TEXT NOT NULL DEFAULT '{}',
    site_key         {{BYTES}},
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    notes            TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       {{TIME}} NOT NULL,
    revoked_at       {{TIME}},
    CHECK (not_after IS NULL OR not_after > not_before)
);
CREATE INDEX orders_product ON orders (product_id);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_status ON orders (status);

CREATE TABLE licenses (
    seq         {{ID}},
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('order', 'device')),
    order_id    BIGINT NOT NULL REFERENCES orders (id),
    device_code TEXT NOT NULL DEFAULT '',
    binding     {{BYTES}},
    file        {{BYTES}} NOT NULL,
    kid         {{BYTES}} NOT NULL REFERENCES root_keys (kid),
    issued_by   TEXT NOT NULL DEFAULT '',
    issued_at   {{TIME}} NOT NULL,
    expires_at  {{TIME}},
    revoked_at  {{TIME}},
    replaces    TEXT REFERENCES licenses (id),
    replaced_by TEXT REFERENCES licenses (id)
);
CREATE INDEX licenses_order ON licenses (order_id);
CREATE INDEX licenses_device_code ON licenses (device_code);

CREATE TABLE activations (
    id           {{ID}},
    order_id     BIGINT NOT NULL REFERENCES orders (id),
    binding      {{BYTES}} NOT NULL,
    device_code  TEXT NOT NULL DEFAULT '',
    license_id   TEXT REFERENCES licenses (id),
    activated_at {{TIME}} NOT NULL,
    renewed_at   {{TIME}} NOT NULL,
    expires_at   {{TIME}},
    released_at  {{TIME}}
);
-- A terminal holds at most one seat of an order at a time.
CREATE UNIQUE INDEX activations_held ON activations (order_id, binding) WHERE released_at IS NULL;
CREATE INDEX activations_order ON activations (order_id, released_at);

CREATE TABLE releases (
    id            {{ID}},
    activation_id BIGINT NOT NULL REFERENCES activations (id),
    order_id      BIGINT NOT NULL REFERENCES orders (id),
    method        TEXT NOT NULL CHECK (method IN ('code', 'receipt', 'console', 'forced')),
    proof         {{BYTES}} UNIQUE,
    by_actor      TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    released_at   {{TIME}} NOT NULL
);
CREATE INDEX releases_order ON releases (order_id);
