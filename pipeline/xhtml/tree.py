"""The XHTML namespace and the three helpers every part of the XHTML stage builds trees with; light,
so that readers of the published XHTML (the archive, the checker, the audit) need nothing else."""

from __future__ import annotations

from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"


def element(tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.Element(
        f"{{{XHTML_NS}}}{tag}", {k.rstrip("_").replace("_", "-"): v for k, v in attrib.items()}, nsmap={None: XHTML_NS}
    )
    el.text = text
    return el


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = element(tag, text, **attrib)
    parent.append(el)
    return el


def local(el: etree._Element) -> str:
    return etree.QName(el).localname
