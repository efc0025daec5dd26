"""The image record and the merge of images found by several layers."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from collections.abc import Iterable


class Image(TypedDict):
    """One image of an article: absolute URL and caption."""

    url: str
    caption: str | None


def merge_images(*layers: Iterable[Image]) -> list[Image]:
    """Merge images by URL: first occurrence wins, a later layer fills a missing caption."""
    merged: dict[str, Image] = {}
    for layer in layers:
        for image in layer:
            kept = merged.setdefault(image["url"], Image(url=image["url"], caption=image["caption"]))
            if kept["caption"] is None:
                kept["caption"] = image["caption"]
    return list(merged.values())
