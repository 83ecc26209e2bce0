"""Which reading code a run read its sources with: a fingerprint of ratecard's code and data.

A source's responses repeated byte for byte are confirmed without being read again
(catalog/unchanged.py), which is right only while the code that reads them is the code that read
them last: a parser, a normalizer, a validation rule or an alias table that changed since may
read the same bytes otherwise. The fingerprint covers every module of spiders/, catalog/,
schemas/ and flows/, and data/'s alias, source, plausibility and policy files; a run records it
(with its catalog mark) and a later run with another fingerprint reads every source again once.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("spiders", "catalog", "schemas", "flows")
DATA = "data"


def _files() -> list[Path]:
    """The files the fingerprint covers, in a fixed order: the code packages' modules and
    data/'s JSON files (the catalog's own database and its lock files are no reading code)."""
    found = [path for package in CODE for path in (ROOT / package).rglob("*.py")]
    found += (ROOT / DATA).rglob("*.json")
    return sorted(found, key=lambda path: path.relative_to(ROOT).as_posix())


@cache
def fingerprint() -> str:
    """sha256 (hex) of each covered file's path (relative to the repository) and bytes, read
    once per process."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
