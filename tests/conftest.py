"""Shared fixtures: real documents, real renders, one real Prefect server per session."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Keep Prefect's state out of the developer's home, before anything imports prefect.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="prefect-home-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed.md"
CORPUS = sorted((FIXTURES / "corpus").glob("[0-9][0-9]-*"))
SEED_ID = "000_e51c1e5ccb519e51"


@pytest.fixture(scope="session")
def seed_doc():
    """The seed report taken through every stage up to the PDF check (no files written)."""
    from pipeline.conformance.check import check_document
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.pdf.render import render_pdf
    from pipeline.xhtml.build import to_xhtml

    return check_document(render_pdf(to_xhtml(normalize(read_document(SEED, SEED_ID)))))


@pytest.fixture(scope="session")
def seed_bag(tmp_path_factory, seed_doc) -> Path:
    from pipeline.archive.package import write_package

    return write_package(seed_doc, tmp_path_factory.mktemp("outputs"))


@pytest.fixture(scope="session")
def corpus_outputs(tmp_path_factory) -> Path:
    """The seed and every corpus document converted into one output folder (shared, read-only:
    tests that alter a package copy it first)."""
    from pipeline.orchestrate.convert import convert_file

    out = tmp_path_factory.mktemp("corpus-outputs")
    for path in [SEED, *CORPUS]:
        outcome = convert_file(path, SEED_ID if path == SEED else path.stem, out)
        assert outcome.ok, outcome.error
    return out


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


def corpus_file(prefix: str) -> Path:
    return next(p for p in CORPUS if p.name.startswith(prefix))
