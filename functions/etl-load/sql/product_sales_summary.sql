-- Merges one date's product_sales_summary ($1) from etl_in_product_sales_summary: insert, rewrite
-- only on a changed figure, delete the date's products no longer sold (an order cancelled since).
WITH incoming AS (
  SELECT r.sales_date, r.product_id, r.product_name, r.category, r.quantity, r.order_count, r.total_amount
  FROM etl_in_product_sales_summary, json_populate_record(NULL::product_sales_summary, doc) r
),
written AS (
  INSERT INTO product_sales_summary AS t
    (sales_date, product_id, product_name, category, quantity, order_count, total_amount, loaded_at)
  SELECT sales_date, product_id, product_name, category, quantity, order_count, total_amount, now()
  FROM incoming
  ORDER BY sales_date, product_id
  ON CONFLICT (sales_date, product_id) DO UPDATE
    SET product_name = EXCLUDED.product_name,
        category = EXCLUDED.category,
        quantity = EXCLUDED.quantity,
        order_count = EXCLUDED.order_count,
        total_amount = EXCLUDED.total_amount,
        loaded_at = EXCLUDED.loaded_at
    WHERE (t.product_name, t.category, t.quantity, t.order_count, t.total_amount)
          IS DISTINCT FROM
          (EXCLUDED.product_name, EXCLUDED.category, EXCLUDED.quantity, EXCLUDED.order_count, EXCLUDED.total_amount)
  RETURNING 1
),
removed AS (
  DELETE FROM product_sales_summary t
  WHERE t.sales_date = $1::date
    AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.product_id = t.product_id)
  RETURNING 1
)
SELECT (SELECT count(*) FROM written)::integer AS written, (SELECT count(*) FROM removed)::integer AS removed
