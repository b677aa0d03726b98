-- Members by total spending: the sum of total_price over their orders, cancelled orders excluded.
-- Ties are explicit: members are ranked with RANK(), and every member whose rank is at most :n
-- is returned, so a tie at the n-th place returns more than n rows. Equal ranks sort by id.
WITH spending AS (
    SELECT m.membership_id,
           m.first_name,
           m.last_name,
           count(*)                                  AS orders,
           CAST(sum(o.total_price) AS NUMERIC(14, 2)) AS total_spent
    FROM members AS m
    JOIN orders AS o ON o.membership_id = m.membership_id
    WHERE o.status <> 'cancelled'
    GROUP BY m.membership_id, m.first_name, m.last_name
),
{{ ranked_by(spending, total_spent) }}
SELECT CAST(rank AS BIGINT) AS rank, membership_id, first_name, last_name, CAST(orders AS BIGINT) AS orders, total_spent
FROM ranked
WHERE rank <= :n
ORDER BY rank, membership_id
