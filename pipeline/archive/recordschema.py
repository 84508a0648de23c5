"""The record's namespace and schema (pipeline/schemas/record-1.0.xsd), shared by the archive
writer, the verifier, the incremental check and the portal, none of which need the others."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

RECORD_NS = "urn:x-gov-doc-pipeline:record:1"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "record-1.0.xsd"


@functools.cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))
