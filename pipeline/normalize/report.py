"""The change log of one normalization, as stored in the bag and printed by `pipeline normalize --json`."""

from __future__ import annotations

import json
from collections import Counter

from pipeline.core.model import Document


def change_log(doc: Document) -> dict:
    counts = Counter(c.rule for c in doc.changes)
    return {
        "document": doc.doc_id,
        "source": doc.source_path.name,
        "encoding": doc.encoding,
        "rules": dict(sorted(counts.items())),
        "changes": [
            {"rule": c.rule, "line": c.line, "before": c.before, "after": c.after, "removed": c.removed,
             "added": c.added}
            for c in doc.changes
        ],
        # Text dropped as debris (page numbers, site chrome, crawler headers), verbatim.
        "removed_debris": [c.before for c in doc.changes if c.removed],
        # Text restored from a known template (a statutory table's labels), character by character.
        "restored": [{"rule": c.rule, "line": c.line, "added": c.added} for c in doc.changes if c.added],
        "warnings": [
            {"rule": w.rule, "line": w.line, "message": w.message, "excerpt": w.excerpt} for w in doc.warnings
        ],
        "source_info": dict(sorted(doc.meta.source_info.items())),
        "metadata": metadata(doc),
    }


def metadata(doc: Document) -> dict:
    """What was found about the document: its title and where the title came from, and the 公文
    elements (organ and date of the signature, 文号, 主送, 签发人, 抄送, 印发, attachments)."""
    meta = doc.meta
    return {
        "title": meta.title,
        "title_source": meta.title_source,
        "organ": meta.organ,
        "date": meta.date.isoformat() if meta.date else None,
        "date_text": meta.date_text,
        "signature": meta.signature,
        "doc_number": meta.doc_number,
        "recipients": meta.recipients,
        "signer": meta.signer,
        "cc": meta.cc,
        "printed_by": meta.printed_by,
        "attachments": list(meta.attachments),
    }


def change_log_json(doc: Document) -> bytes:
    return (json.dumps(change_log(doc), ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")
