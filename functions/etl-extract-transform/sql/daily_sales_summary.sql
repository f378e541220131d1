-- daily_sales_summary for one JST date ($1): one row per region with a completed order that day.
-- The day is bounded in Asia/Tokyo whatever the server's TimeZone; amounts are the lines' price at
-- order time (order_items.unit_price), never products.price.
WITH completed AS (
  SELECT o.order_id, o.customer_id, c.region,
         coalesce(sum(i.quantity), 0) AS quantity,
         coalesce(sum(i.quantity * i.unit_price), 0) AS amount
  FROM orders o
  JOIN customers c ON c.customer_id = o.customer_id
  LEFT JOIN order_items i ON i.order_id = o.order_id
  WHERE o.status = 'completed'
    AND o.ordered_at >= ($1::date)::timestamp AT TIME ZONE 'Asia/Tokyo'
    AND o.ordered_at < ($1::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'
  GROUP BY o.order_id, o.customer_id, c.region
)
SELECT $1::date AS sales_date,
       region,
       count(*)::integer AS order_count,
       count(DISTINCT customer_id)::integer AS customer_count,
       sum(quantity)::integer AS item_quantity,
       sum(amount)::numeric(14,2) AS total_amount,
       round(sum(amount) / count(*), 2)::numeric(14,2) AS avg_order_amount
FROM completed
GROUP BY region
ORDER BY region
