-- Confirmation codes, release codes and phone pairing.

-- An activation by confirmation code keeps its code: its release code is
-- checked against it. released_at is set when a release code (or an
-- operator) freed the license's seat.
ALTER TABLE licenses ADD COLUMN code TEXT NOT NULL DEFAULT '';
ALTER TABLE licenses ADD COLUMN released_at {{TIME}};

-- Confirmation keys, sealed like root keys. Orders name one by its public
-- key in their terms.
CREATE TABLE confirm_keys (
    public_key         {{BYTES}} PRIMARY KEY,
    sealed_private_key {{BYTES}} NOT NULL,
    created_at         {{TIME}} NOT NULL
);

-- Seats held are counted from the index alone.
DROP INDEX activations_order;
CREATE INDEX activations_order ON activations (order_id, released_at, expires_at);

-- A desktop page paired with a phone: the phone holds the token (only its
-- hash is kept) and posts terminals' requests, which any server sharing the
-- database records as events for the desktop's websocket.
CREATE TABLE pairings (
    id         {{ID}},
    token_hash {{BYTES}} NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at {{TIME}} NOT NULL,
    expires_at {{TIME}} NOT NULL,
    paired_at  {{TIME}}
);
CREATE INDEX pairings_expires ON pairings (expires_at);

CREATE TABLE pairing_events (
    id         {{ID}},
    pairing_id BIGINT NOT NULL REFERENCES pairings (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    payload    TEXT NOT NULL DEFAULT '',
    at         {{TIME}} NOT NULL
);
CREATE INDEX pairing_events_pairing ON pairing_events (pairing_id, id);
