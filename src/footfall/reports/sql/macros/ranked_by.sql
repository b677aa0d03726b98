-- ranked_by(rows, measure): the CTE `ranked`: the rows of the CTE `rows` with their RANK() by
-- `measure`, largest first; ties share a rank, so "rank <= :n" keeps every row tied at the n-th place.
ranked AS (
    SELECT *, RANK() OVER (ORDER BY {measure} DESC) AS rank
    FROM {rows}
)
