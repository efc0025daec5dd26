"""The version of the rules that turn a fetched page into a stored article.

Every article document carries it as ``extractor_version``. Raise EXTRACTOR_VERSION by one in
the same commit as any change to extraction (``arabpress/extract``), to the item pipelines,
or to the stored form of an article, that changes what is stored for some page; a refactoring
that stores the same fields does not raise it (docs/schema.md, "extractor_version").
``arabpress reextract --older-than-version N`` then finds the articles made by older rules.
"""

from __future__ import annotations

EXTRACTOR_VERSION = 1
