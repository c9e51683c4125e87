"""Named arrays in one blob that reads back without copies: the index's postings and note table.

An .npz file is a zip: reading one copies every array and computes a CRC32 over it, on top of
the sha256 the store checks anyway, and stores strings at the width of the longest. Here a
blob is a JSON header and the raw bytes of each array, read with `np.frombuffer` (no copy);
lists of strings are stored as their UTF-8 text and their lengths. Only numeric dtypes are
accepted on reading: the bytes come from the index, but nothing in them can make an object.

Examples
--------
>>> blob = pack({"ids": np.arange(3, dtype=np.int32), "words": ["过拟合", "", "a\\x00b"]})
>>> out = unpack(blob)
>>> out["ids"].tolist(), out["words"]
([0, 1, 2], ['过拟合', '', 'a\\x00b'])
"""

from __future__ import annotations

import json
import math

import numpy as np

MAGIC = b"KGA1"
_ALIGN = 8
_NUMERIC_KINDS = frozenset("biuf")


def pack(arrays: dict[str, np.ndarray | list[str]]) -> bytes:
    """`arrays` (numeric numpy arrays, or lists of strings) as one blob."""
    header: dict[str, list] = {}
    chunks: list[bytes] = []
    size = 0

    def add(raw: bytes) -> int:
        nonlocal size
        start = size
        chunks.append(raw)
        pad = -len(raw) % _ALIGN
        chunks.append(b"\0" * pad)
        size += len(raw) + pad
        return start

    for name, value in arrays.items():
        if isinstance(value, np.ndarray) and value.dtype.kind in _NUMERIC_KINDS:
            array = np.ascontiguousarray(value)
            header[name] = ["array", array.dtype.str, list(array.shape), add(array.tobytes())]
        else:
            strings = value.tolist() if isinstance(value, np.ndarray) else list(value)
            lengths = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings))
            text = "".join(strings).encode("utf-8", "surrogatepass")
            header[name] = ["text", add(lengths.tobytes()), len(strings), add(text), len(text)]
    head = json.dumps(header).encode("ascii")
    head += b" " * (-(len(MAGIC) + 8 + len(head)) % _ALIGN)
    return b"".join([MAGIC, len(head).to_bytes(8, "little"), head, *chunks])


def unpack(data: bytes) -> dict[str, np.ndarray | list[str]]:
    """The arrays of a blob (read-only views of `data`); `ValueError` for anything malformed."""
    if data[:len(MAGIC)] != MAGIC:
        raise ValueError("not an array blob")
    head_len = int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "little")
    base = len(MAGIC) + 8 + head_len
    header = json.loads(data[len(MAGIC) + 8:base])
    out: dict[str, np.ndarray | list[str]] = {}
    for name, entry in header.items():
        if entry[0] == "array":
            _, dtype, shape, start = entry
            dtype = np.dtype(dtype)
            if dtype.kind not in _NUMERIC_KINDS:
                raise ValueError(f"array {name!r} has a dtype that is not numeric: {dtype}")
            out[name] = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=base + start).reshape(shape)
        else:
            _, lengths_at, count, text_at, text_len = entry
            lengths = np.frombuffer(data, dtype=np.int64, count=count, offset=base + lengths_at)
            if base + text_at + text_len > len(data):
                raise ValueError(f"text {name!r} runs past the end of the blob")
            text = data[base + text_at:base + text_at + text_len].decode("utf-8", "surrogatepass")
            ends = np.cumsum(lengths).tolist()
            if ends and (ends[-1] != len(text) or (lengths < 0).any()):
                raise ValueError(f"text {name!r} does not match its lengths")
            out[name] = [text[a:b] for a, b in zip([0, *ends[:-1]], ends)]
    return out
