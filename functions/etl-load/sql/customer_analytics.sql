-- Merges customer_analytics as of one date ($1) from etl_in_customer_analytics (every customer with
-- an order that day, lifetime-to-date). A row whose as_of_date is newer than $1 is never touched.
-- A customer with no completed order up to $1 (total_orders = 0 in the data) loses the row, and
-- a re-run removes the rows $1 wrote for customers the data no longer holds.
WITH incoming AS (
  SELECT r.customer_id, r.customer_name, r.region, r.first_order_date, r.last_order_date, r.total_orders,
         r.total_quantity, r.total_amount, r.avg_order_amount, r.as_of_date
  FROM etl_in_customer_analytics, json_populate_record(NULL::customer_analytics, doc) r
),
written AS (
  INSERT INTO customer_analytics AS t
    (customer_id, customer_name, region, first_order_date, last_order_date, total_orders, total_quantity,
     total_amount, avg_order_amount, as_of_date, loaded_at)
  SELECT customer_id, customer_name, region, first_order_date, last_order_date, total_orders, total_quantity,
         total_amount, avg_order_amount, as_of_date, now()
  FROM incoming
  WHERE total_orders > 0
  ORDER BY customer_id
  ON CONFLICT (customer_id) DO UPDATE
    SET customer_name = EXCLUDED.customer_name,
        region = EXCLUDED.region,
        first_order_date = EXCLUDED.first_order_date,
        last_order_date = EXCLUDED.last_order_date,
        total_orders = EXCLUDED.total_orders,
        total_quantity = EXCLUDED.total_quantity,
        total_amount = EXCLUDED.total_amount,
        avg_order_amount = EXCLUDED.avg_order_amount,
        as_of_date = EXCLUDED.as_of_date,
        loaded_at = EXCLUDED.loaded_at
    WHERE (t.as_of_date IS NULL OR t.as_of_date <= EXCLUDED.as_of_date)
      AND (t.customer_name, t.region, t.first_order_date, t.last_order_date, t.total_orders, t.total_quantity,
           t.total_amount, t.avg_order_amount, t.as_of_date)
          IS DISTINCT FROM
          (EXCLUDED.customer_name, EXCLUDED.region, EXCLUDED.first_order_date, EXCLUDED.last_order_date,
           EXCLUDED.total_orders, EXCLUDED.total_quantity, EXCLUDED.total_amount, EXCLUDED.avg_order_amount,
           EXCLUDED.as_of_date)
  RETURNING 1
),
removed AS (
  DELETE FROM customer_analytics t
  WHERE t.as_of_date <= $1::date
    AND (EXISTS (SELECT 1 FROM incoming i WHERE i.customer_id = t.customer_id AND i.total_orders = 0)
         OR (t.as_of_date = $1::date AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.customer_id = t.customer_id)))
  RETURNING 1
)
SELECT (SELECT count(*) FROM written)::integer AS written, (SELECT count(*) FROM removed)::integer AS removed
