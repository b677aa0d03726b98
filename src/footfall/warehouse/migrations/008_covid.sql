-- COVID-19 cases over time, one row per location and date (loaded by `footfall covid load` from
-- an OWID or JHU CSSE time-series CSV). new_cases is the day's reported count; total_cases the
-- running total as published (may be null where the source has none).

CREATE TABLE covid_cases (
    location     TEXT NOT NULL,
    "date"       DATE NOT NULL,
    new_cases    DOUBLE PRECISION,
    total_cases  DOUBLE PRECISION,
    source_file  TEXT NOT NULL,
    PRIMARY KEY (location, "date")
);

CREATE TABLE covid_rejects (
    source_file  TEXT NOT NULL,
    line_number  BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    raw          TEXT NOT NULL
);
