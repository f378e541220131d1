-- customer_analytics as of one JST date ($1): every customer with any order that day (whatever its
-- status), recomputed lifetime-to-date over their completed orders dated up to the end of $1.
-- A customer left with no completed order up to $1 still gets a row, with total_orders = 0 and no
-- dates: it tells etl-load to remove that customer's row (unless a newer date wrote it).
WITH touched AS (
  SELECT DISTINCT customer_id
  FROM orders
  WHERE ordered_at >= ($1::date)::timestamp AT TIME ZONE 'Asia/Tokyo'
    AND ordered_at < ($1::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'
),
completed AS (
  SELECT o.customer_id,
         (o.ordered_at AT TIME ZONE 'Asia/Tokyo')::date AS order_date,
         coalesce(sum(i.quantity), 0) AS quantity,
         coalesce(sum(i.quantity * i.unit_price), 0) AS amount
  FROM touched t
  JOIN orders o ON o.customer_id = t.customer_id
  LEFT JOIN order_items i ON i.order_id = o.order_id
  WHERE o.status = 'completed'
    AND o.ordered_at < ($1::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'
  GROUP BY o.order_id, o.customer_id, o.ordered_at
)
SELECT c.customer_id,
       c.name AS customer_name,
       c.region,
       min(x.order_date) AS first_order_date,
       max(x.order_date) AS last_order_date,
       count(x.customer_id)::integer AS total_orders,
       coalesce(sum(x.quantity), 0)::integer AS total_quantity,
       coalesce(sum(x.amount), 0)::numeric(14,2) AS total_amount,
       round(sum(x.amount) / nullif(count(x.customer_id), 0), 2)::numeric(14,2) AS avg_order_amount,
       $1::date AS as_of_date
FROM touched t
JOIN customers c ON c.customer_id = t.customer_id
LEFT JOIN completed x ON x.customer_id = t.customer_id
GROUP BY c.customer_id, c.name, c.region
ORDER BY c.customer_id
