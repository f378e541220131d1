-- etl target (the analytics database; ../shared/DESIGN.md §3 "etl"). The analytics team's queries
-- use these names: keep them exactly. loaded_at changes only when a row's figures change.
CREATE TABLE IF NOT EXISTS daily_sales_summary (
  sales_date       date          NOT NULL,
  region           text          NOT NULL,
  order_count      integer       NOT NULL,
  customer_count   integer       NOT NULL,
  item_quantity    integer       NOT NULL,
  total_amount     numeric(14,2) NOT NULL,
  avg_order_amount numeric(14,2) NOT NULL,
  loaded_at        timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (sales_date, region)
);

CREATE TABLE IF NOT EXISTS product_sales_summary (
  sales_date   date          NOT NULL,
  product_id   bigint        NOT NULL,
  product_name text          NOT NULL,
  category     text          NOT NULL,
  quantity     integer       NOT NULL,
  order_count  integer       NOT NULL,
  total_amount numeric(14,2) NOT NULL,
  loaded_at    timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (sales_date, product_id)
);

CREATE TABLE IF NOT EXISTS customer_analytics (
  customer_id      bigint PRIMARY KEY,
  customer_name    text,
  region           text,
  first_order_date date,
  last_order_date  date,
  total_orders     integer,
  total_quantity   integer,
  total_amount     numeric(14,2),
  avg_order_amount numeric(14,2),
  as_of_date       date,
  loaded_at        timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS customer_analytics_as_of_date_idx ON customer_analytics (as_of_date);
CREATE INDEX IF NOT EXISTS product_sales_summary_category_idx ON product_sales_summary (category);

-- customer_analytics ranked by lifetime amount.
CREATE OR REPLACE VIEW top_customers AS
SELECT rank() OVER (ORDER BY total_amount DESC) AS rank,
       customer_id, customer_name, region, total_orders, total_amount, last_order_date
FROM customer_analytics;

-- Per category over every loaded date; share_pct is the category's share of all sales, 1 decimal.
CREATE OR REPLACE VIEW category_performance AS
SELECT category,
       sum(quantity)::bigint AS quantity,
       sum(order_count)::bigint AS order_count,
       sum(total_amount) AS total_amount,
       round(100 * sum(total_amount) / nullif(sum(sum(total_amount)) OVER (), 0), 1) AS share_pct
FROM product_sales_summary
GROUP BY category;

-- Per region and date; amount_7d_avg is the mean daily total over the 7 days ending that date,
-- a day without sales in the region counting as 0.
CREATE OR REPLACE VIEW regional_sales_trend AS
SELECT d.region, d.sales_date, d.order_count, d.total_amount,
       round((SELECT sum(w.total_amount)
              FROM daily_sales_summary w
              WHERE w.region = d.region
                AND w.sales_date BETWEEN d.sales_date - 6 AND d.sales_date) / 7, 2) AS amount_7d_avg
FROM daily_sales_summary d;

-- Per week starting Monday (sales_date is already a JST date).
CREATE OR REPLACE VIEW weekly_sales_summary AS
SELECT date_trunc('week', sales_date)::date AS week_start,
       sum(order_count)::bigint AS order_count,
       sum(total_amount) AS total_amount,
       round(sum(total_amount) / nullif(sum(order_count), 0), 2) AS avg_order_amount
FROM daily_sales_summary
GROUP BY 1;
