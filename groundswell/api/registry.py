"""The collections the API entry point links to. A new OSDI resource module registers its
collection here at import time (`aep_link_register(...)`), and the AEP lists it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class AepLink:
    rel: str  # e.g. "osdi:people"
    path: str  # relative to the API root, e.g. "people"
    title: str | Promise


AEP_LINKS: list[AepLink] = []


def aep_link_register(*, rel: str, path: str, title: str | Promise) -> None:
    if any(link.rel == rel for link in AEP_LINKS):
        return
    AEP_LINKS.append(AepLink(rel=rel, path=path, title=title))
