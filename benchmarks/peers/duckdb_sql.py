"""Peer: sessions report in DuckDB SQL with window functions (LAG + running sum), same contract rules.

Usage: python -m benchmarks.peers.duckdb_sql LOG MAPPING OUT.parquet
"""

from __future__ import annotations

import sys

import duckdb

SQL = r"""
create temp table raw as
select line from read_csv(?, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '',
                          header = false, auto_detect = false);
create temp table events as
with numbered as (select rowid as seq, regexp_split_to_array(line, '[ \t]+') as f from raw),
fields as (select seq, f[1] as ts_text, f[2] as method, f[3] as path, f[4] as user_id from numbered
           where len(f) = 4 and f[1] <> '' and f[4] <> ''),
valid as (
    select seq, user_id, method, path,
           try_cast(regexp_replace(ts_text, '(\.\d{6})\d+', '\1') as timestamptz) as ts
    from fields
    where regexp_full_match(ts_text, '\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,9})?([Zz]|[+-]\d\d(:?\d\d)?)')
      and regexp_full_match(method, '[A-Z]+') and starts_with(path, '/')
      and not regexp_matches(path, '^/(campaigns|rewards)/([/?#]|$)')
)
select seq, user_id, ts,
       case when method = 'GET' then regexp_extract(path, '^/campaigns/([^/?#]+)/?([?#].*)?$', 1) end as c,
       case when method = 'POST' then regexp_extract(path, '^/rewards/([^/?#]+)/?([?#].*)?$', 1) end as r
from valid where ts is not null;
create temp table mapping as select distinct cast(campaign_id as varchar) as c, cast(reward_id as varchar) as r
from read_csv(?, header = true, all_varchar = true);
copy (
with e as (select seq, user_id, ts, nullif(c, '') as c, nullif(r, '') as r from events),
gaps as (select *, ts - lag(ts) over (partition by user_id order by ts, seq) as gap from e),
marked as (
    select *, sum(case when gap is null or gap >= interval 5 minutes then 1 else 0 end)
              over (partition by user_id order by ts, seq rows unbounded preceding) as sid
    from gaps
),
firsts_c as (select user_id, sid, c, min((ts, seq)) as k from marked where c is not null group by all),
firsts_r as (select user_id, sid, r, min((ts, seq)) as k from marked where r is not null group by all),
lists_c as (select user_id, sid, list(c order by k) as campaigns from firsts_c group by all),
lists_r as (select user_id, sid, list(r order by k) as rewards from firsts_r group by all),
views as (select user_id, sid, c, min(ts) as first_view from marked where c is not null group by all),
issues as (select user_id, sid, r, max(ts) as last_issue from marked where r is not null group by all),
driven as (
    select distinct i.user_id, i.sid from issues i join mapping m on m.r = i.r
    join views v on v.user_id = i.user_id and v.sid = i.sid and v.c = m.c where v.first_view <= i.last_issue
),
sessions as (
    select user_id, sid, min(ts) as session_start, max(ts) as session_end, count(*) as events,
           count(c) as campaign_views, count(r) as rewards_issued_count
    from marked group by all
)
select s.user_id, s.session_start, s.session_end, coalesce(lc.campaigns, []) as campaigns,
       coalesce(lr.rewards, []) as rewards_issued, d.sid is not null as reward_driven_by_campaign_view,
       s.events, s.campaign_views, s.rewards_issued_count
from sessions s
left join lists_c lc using (user_id, sid)
left join lists_r lr using (user_id, sid)
left join driven d using (user_id, sid)
order by s.user_id, s.session_start
) to '{out}' (format parquet);
"""


def main(log: str, mapping: str, out: str) -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    statements = [s for s in SQL.replace("{out}", out.replace("'", "''")).split(";\n") if s.strip()]
    con.execute(statements[0], [log])
    con.execute(statements[1])
    con.execute(statements[2], [mapping])
    con.execute(statements[3])


if __name__ == "__main__":
    main(*sys.argv[1:4])
