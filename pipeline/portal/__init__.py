"""The read-only download portal and its year-over-year comparison of annual reports."""
