"""Article extraction over a parsel Selector, testable without the Scrapy engine.

``ArticlePage`` reads one article page field by field from layered sources;
``page_kind`` tells what a page is; ``arabpress.extract.links`` finds the links to follow.
"""

from __future__ import annotations

from arabpress.extract.dom import with_native_classes
from arabpress.extract.images import Image
from arabpress.extract.kind import PageKind, page_kind
from arabpress.extract.page import ArticlePage, DateField

__all__ = ["ArticlePage", "DateField", "Image", "PageKind", "page_kind", "with_native_classes"]
