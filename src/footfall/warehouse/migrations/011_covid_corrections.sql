-- A day whose cumulative count went down (the source corrected earlier figures) has negative new
-- cases; they are kept, and flagged here so a chart can show them as corrections, not as cases.
ALTER TABLE covid_cases ADD COLUMN correction BOOLEAN NOT NULL DEFAULT FALSE;
