"""Reports: one SQL file per report in `sql/`, each with one typed function that runs it."""
