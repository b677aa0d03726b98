-- Items by the number of times bought: the number of (non-cancelled) orders with the item on a
-- line; `quantity` is the units sold in those orders. Ties are explicit: RANK(), and every item
-- whose rank is at most :n is returned (a tie at the n-th place returns more than n rows).
WITH bought AS (
    SELECT i.item_id,
           i.name,
           i.manufacturer,
           count(*)            AS times_bought,
           sum(oi.quantity)    AS quantity
    FROM order_items AS oi
    JOIN orders AS o ON o.order_id = oi.order_id
    JOIN items AS i ON i.item_id = oi.item_id
    WHERE o.status <> 'cancelled'
    GROUP BY i.item_id, i.name, i.manufacturer
),
{{ ranked_by(bought, times_bought) }}
SELECT CAST(rank AS BIGINT) AS rank, item_id, name, manufacturer,
       CAST(times_bought AS BIGINT) AS times_bought, CAST(quantity AS BIGINT) AS quantity
FROM ranked
WHERE rank <= :n
ORDER BY rank, item_id
