"""Reading uploaded XML (TMX, XLIFF) safely, and writing text that XML can hold.

Every XML file a client sends is parsed here, with defusedxml: a document that declares
an entity is refused before anything is expanded ("billion laughs"), and so is one that
refers to an external entity (XXE: a local file or a URL). A DOCTYPE that only names a
DTD (`<!DOCTYPE tmx SYSTEM "tmx14.dtd">`, as CAT tools write) is allowed; the DTD is
never fetched. Nothing else in the service reads XML from outside.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Characters XML 1.0 forbids; they cannot appear in an XML file even escaped.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return _XML_INVALID_RE.sub("", text)


class XmlFileError(ValueError):
    """An uploaded XML file that cannot be read; the message names the problem."""


def parse_upload(data: bytes, kind: str) -> Element:
    """The root element of an uploaded `kind` file (e.g. "TMX"); XmlFileError when the
    file is empty, malformed, or declares or refers to entities."""
    if not data.strip():
        raise XmlFileError(f"the {kind} file is empty")
    try:
        return defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except EntitiesForbidden:
        raise XmlFileError(
            f"the {kind} file declares XML entities, which are not accepted "
            "(they can expand without bound or read local files)"
        ) from None
    except ExternalReferenceForbidden:
        raise XmlFileError(
            f"the {kind} file refers to an external entity, which is not accepted"
        ) from None
    except DefusedXmlException as exc:
        raise XmlFileError(f"the {kind} file is refused: {exc}") from None
    except ParseError as exc:
        raise XmlFileError(f"malformed {kind}: {exc}") from None


def local_name(element: Element) -> str:
    """The element's name without its namespace."""
    tag = element.tag
    return tag.rsplit("}", 1)[1] if isinstance(tag, str) and "}" in tag else tag


def inline_text(element: Element, skipped: Iterable[str]) -> str:
    """The text of a segment: its own text and that of its inline elements, less the
    content of the `skipped` ones (native codes such as TMX's `bpt` or XLIFF's `ph`)."""
    skip = frozenset(skipped)
    parts = [element.text or ""]
    for child in element:
        if local_name(child) not in skip:
            parts.append(inline_text(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)
