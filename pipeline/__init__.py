"""Government document pipeline: messy Markdown -> clean Markdown, XHTML, PDF/A, archival bag."""

__version__ = "0.1.0"
