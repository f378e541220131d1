-- Merges one date's daily_sales_summary ($1) from the temp table etl_in_daily_sales_summary (one
-- JSON object per row): rows are inserted, rewritten only when a figure changes (loaded_at with
-- them), and the date's rows the data no longer holds are deleted.
WITH incoming AS (
  SELECT r.sales_date, r.region, r.order_count, r.customer_count, r.item_quantity, r.total_amount, r.avg_order_amount
  FROM etl_in_daily_sales_summary, json_populate_record(NULL::daily_sales_summary, doc) r
),
written AS (
  INSERT INTO daily_sales_summary AS t
    (sales_date, region, order_count, customer_count, item_quantity, total_amount, avg_order_amount, loaded_at)
  SELECT sales_date, region, order_count, customer_count, item_quantity, total_amount, avg_order_amount, now()
  FROM incoming
  ORDER BY sales_date, region
  ON CONFLICT (sales_date, region) DO UPDATE
    SET order_count = EXCLUDED.order_count,
        customer_count = EXCLUDED.customer_count,
        item_quantity = EXCLUDED.item_quantity,
        total_amount = EXCLUDED.total_amount,
        avg_order_amount = EXCLUDED.avg_order_amount,
        loaded_at = EXCLUDED.loaded_at
    WHERE (t.order_count, t.customer_count, t.item_quantity, t.total_amount, t.avg_order_amount)
          IS DISTINCT FROM
          (EXCLUDED.order_count, EXCLUDED.customer_count, EXCLUDED.item_quantity, EXCLUDED.total_amount, EXCLUDED.avg_order_amount)
  RETURNING 1
),
removed AS (
  DELETE FROM daily_sales_summary t
  WHERE t.sales_date = $1::date
    AND NOT EXISTS (SELECT 1 FROM incoming i WHERE i.region = t.region)
  RETURNING 1
)
SELECT (SELECT count(*) FROM written)::integer AS written, (SELECT count(*) FROM removed)::integer AS removed
