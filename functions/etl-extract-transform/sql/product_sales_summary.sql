-- product_sales_summary for one JST date ($1): one row per product sold in a completed order that
-- day; order_count counts distinct orders; amounts at order time (order_items.unit_price).
SELECT $1::date AS sales_date,
       p.product_id,
       p.name AS product_name,
       p.category,
       sum(i.quantity)::integer AS quantity,
       count(DISTINCT i.order_id)::integer AS order_count,
       sum(i.quantity * i.unit_price)::numeric(14,2) AS total_amount
FROM orders o
JOIN order_items i ON i.order_id = o.order_id
JOIN products p ON p.product_id = i.product_id
WHERE o.status = 'completed'
  AND o.ordered_at >= ($1::date)::timestamp AT TIME ZONE 'Asia/Tokyo'
  AND o.ordered_at < ($1::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'
GROUP BY p.product_id, p.name, p.category
ORDER BY p.product_id
