-- on_local_dates(col): the report contract's date filter (docs/reports.md): the UTC instant `col`
-- falls on a local date from :date_from to :date_to (both included, either may be null) in the
-- zone :tz — local midnight to local midnight, whatever the offset that day.
(cast(:date_from as date) is null or {col} >= cast(:date_from as timestamp) at time zone :tz)
      and (cast(:date_to as date) is null
           or {col} < (cast(:date_to as timestamp) + interval '1 day') at time zone :tz)
