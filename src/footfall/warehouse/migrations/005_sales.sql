-- The sales database: members (from the membership pipeline), items, orders and their lines.
-- Money is NUMERIC(12, 2); weights are kilograms, NUMERIC(10, 3). Order totals are stored (the
-- checkout's figures) and checked against nothing else here; `orders_consistency` in
-- docs/sales-schema.md shows how to audit them against the lines.

CREATE TABLE members (
    membership_id  TEXT PRIMARY KEY,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL CHECK (last_name <> ''),
    email          TEXT NOT NULL,
    date_of_birth  DATE NOT NULL,
    mobile_no      TEXT NOT NULL CHECK (length(mobile_no) = 8),
    source_file    TEXT NOT NULL,
    batch_id       TEXT NOT NULL
);

CREATE TABLE items (
    item_id       BIGINT PRIMARY KEY,
    name          TEXT NOT NULL,
    manufacturer  TEXT NOT NULL,
    cost          NUMERIC(12, 2) NOT NULL CHECK (cost >= 0),
    weight_kg     NUMERIC(10, 3) NOT NULL CHECK (weight_kg > 0)
);

CREATE TABLE orders (
    order_id         BIGINT PRIMARY KEY,
    membership_id    TEXT NOT NULL REFERENCES members (membership_id),
    created_at       TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('placed', 'paid', 'shipped', 'delivered', 'cancelled')),
    total_price      NUMERIC(12, 2) NOT NULL CHECK (total_price >= 0),
    total_weight_kg  NUMERIC(10, 3) NOT NULL CHECK (total_weight_kg >= 0)
);

CREATE TABLE order_items (
    order_id    BIGINT NOT NULL REFERENCES orders (order_id),
    item_id     BIGINT NOT NULL REFERENCES items (item_id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  NUMERIC(12, 2) NOT NULL CHECK (unit_price >= 0),
    weight_kg   NUMERIC(10, 3) NOT NULL CHECK (weight_kg > 0),
    PRIMARY KEY (order_id, item_id)
);

CREATE INDEX orders_member_idx ON orders (membership_id);
CREATE INDEX order_items_item_idx ON order_items (item_id);
