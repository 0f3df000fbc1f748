-- Seed data for the demo connector 'shop' (docker/connectors.yml): schema shop with two tables. Run by the postgres
-- image on the first start (an empty data volume), in database shop.
-- Each table has updated_at, the connector's cursor_column: incremental syncs read the rows it moved past. A trigger
-- sets it with clock_timestamp() (the time of the write, not of the transaction's start; see
-- docs/sources/postgresql.md, "Late commits").

CREATE SCHEMA shop;

CREATE FUNCTION shop.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END
$$;

CREATE TABLE shop.customers (
  id         bigint PRIMARY KEY,
  name       text NOT NULL,
  email      text NOT NULL UNIQUE,
  city       text,
  since      date NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE shop.orders (
  id          bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES shop.customers (id),
  status      text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
  total       numeric(10, 2) NOT NULL,
  lines       jsonb NOT NULL,
  ordered_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TRIGGER customers_touch BEFORE UPDATE ON shop.customers
  FOR EACH ROW EXECUTE FUNCTION shop.touch_updated_at();
CREATE TRIGGER orders_touch BEFORE UPDATE ON shop.orders
  FOR EACH ROW EXECUTE FUNCTION shop.touch_updated_at();

INSERT INTO shop.customers (id, name, email, city, since) VALUES
  (1, 'Ada Lovelace',     'ada@example.com',     'London', '2021-03-14'),
  (2, 'Alan Turing',      'alan@example.com',    'Wilmslow', '2022-06-23'),
  (3, 'Grace Hopper',     'grace@example.com',   'Arlington', '2023-12-09'),
  (4, 'Edsger Dijkstra',  'edsger@example.com',  'Nuenen', '2024-05-11'),
  (5, 'Barbara Liskov',   'barbara@example.com', 'Boston', '2025-11-07');

INSERT INTO shop.orders (id, customer_id, status, total, lines, ordered_at) VALUES
  (1001, 1, 'shipped',   239.80, '[{"sku": "sku-1001", "qty": 1}, {"sku": "sku-1002", "qty": 1}]', '2025-01-10 09:15:00+00'),
  (1002, 2, 'paid',      189.50, '[{"sku": "sku-2001", "qty": 1}]',                                '2025-02-02 17:40:00+00'),
  (1003, 3, 'new',        91.98, '[{"sku": "sku-3001", "qty": 2}]',                                '2025-02-20 08:05:00+00'),
  (1004, 1, 'cancelled',  95.00, '[{"sku": "sku-2002", "qty": 1}]',                                '2025-03-01 12:00:00+00'),
  (1005, 4, 'shipped',   158.00, '[{"sku": "sku-3002", "qty": 2}]',                                '2025-03-18 19:30:00+00'),
  (1006, 5, 'paid',      129.90, '[{"sku": "sku-1001", "qty": 1}]',                                '2025-04-04 10:45:00+00');
