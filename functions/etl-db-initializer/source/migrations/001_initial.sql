-- etl source (the operational database; ../shared/DESIGN.md §3 "etl"). Column names are a contract.
CREATE TABLE IF NOT EXISTS customers (
  customer_id bigint PRIMARY KEY,
  name        text        NOT NULL,
  email       text,
  region      text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS products (
  product_id bigint PRIMARY KEY,
  name       text          NOT NULL,
  category   text          NOT NULL,
  price      numeric(12,2) NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
  order_id    bigint PRIMARY KEY,
  customer_id bigint      NOT NULL REFERENCES customers,
  ordered_at  timestamptz NOT NULL,
  status      text        NOT NULL DEFAULT 'completed'
              CHECK (status IN ('pending', 'completed', 'cancelled'))
);

CREATE TABLE IF NOT EXISTS order_items (
  order_id   bigint REFERENCES orders,
  line_no    integer,
  product_id bigint        NOT NULL REFERENCES products,
  quantity   integer       NOT NULL CHECK (quantity > 0),
  unit_price numeric(12,2) NOT NULL CHECK (unit_price >= 0),
  PRIMARY KEY (order_id, line_no)
);

-- The extract selects one JST day by a range on ordered_at, and a customer's history by customer.
CREATE INDEX IF NOT EXISTS orders_ordered_at_idx ON orders (ordered_at);
CREATE INDEX IF NOT EXISTS orders_customer_id_ordered_at_idx ON orders (customer_id, ordered_at);
