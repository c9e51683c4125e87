"""What an index knows of each note it was built from: its hash and its stat when it was read.

Every read command compares the notes folder with this table to tell a stale index, so
it is stored as arrays (`kg.arrays`), not as JSON: at 100k notes a JSON table took
longer to parse than the rest of a search, and comparing stats is one numpy expression.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

import numpy as np

from kg.arrays import pack, unpack

NO_STAT = -1
"""A signature row of a note whose stat was not taken (it vanished between the walk and the stat)."""


class NoteTable:
    """Indexed notes by name, with each one's sha256 and stat signature `[size, mtime_ns, inode, when]`.

    Examples
    --------
    >>> table = NoteTable.from_mappings({"a.md": "ab" * 32}, {"a.md": [3, 10, 7, 20]})
    >>> NoteTable.from_bytes(table.to_bytes()).stats
    {'a.md': [3, 10, 7, 20]}
    """

    def __init__(self, names: list[str], shas: np.ndarray, signatures: np.ndarray):
        """`shas` holds each note's 32 digest bytes (n × 32), `signatures` its stat (n × 4)."""
        self.names = names
        self.shas = shas
        self.signatures = signatures

    @classmethod
    def from_mappings(cls, files: Mapping[str, str], stats: Mapping[str, list[int]]) -> "NoteTable":
        """`files` (name → sha256 hex) and the stats taken of them (some may lack one)."""
        names = list(files)
        shas = np.frombuffer(b"".join(bytes.fromhex(files[n]) for n in names), dtype=np.uint8).reshape(len(names), 32)
        signatures = np.full((len(names), 4), NO_STAT, dtype=np.int64)
        for row, name in enumerate(names):
            signature = stats.get(name)
            if signature is not None and len(signature) == 4:
                signatures[row] = signature
        return cls(names, shas, signatures)

    def to_bytes(self) -> bytes:
        """The table as one blob (`kg.arrays`)."""
        return pack({"names": self.names, "shas": self.shas, "signatures": self.signatures})

    @classmethod
    def from_bytes(cls, data: bytes) -> "NoteTable":
        arrays = unpack(data)
        names = arrays["names"]
        signatures = arrays["signatures"].reshape(len(names), 4)
        return cls(names, arrays["shas"].reshape(len(names), 32), signatures)

    @functools.cached_property
    def row_of(self) -> dict[str, int]:
        return {name: row for row, name in enumerate(self.names)}

    @functools.cached_property
    def files(self) -> dict[str, str]:
        """Name → sha256 hex, as a build reports it."""
        raw = self.shas.tobytes()
        return {name: raw[32 * row:32 * row + 32].hex() for row, name in enumerate(self.names)}

    @functools.cached_property
    def stats(self) -> dict[str, list[int]]:
        """Name → stat signature, for the notes that have one."""
        return {name: signature for name, signature in zip(self.names, self.signatures.tolist())
                if signature[0] != NO_STAT}

    def sha(self, name: str) -> str:
        return self.shas[self.row_of[name]].tobytes().hex()
