"""Reading dataset files safely: the error type, MD5 checks and reads bounded by the size a format allows.

Every format read here has a known size (the IDX header, the CIFAR batch sizes), so no read ever takes more than
that size plus a small margin: a decompression bomb or an oversized file is refused with a :class:`DatasetError`
naming it, before it is inflated into memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class DatasetError(RuntimeError):
    """A dataset is missing, incomplete, corrupt, not the expected one, or fails its checksum."""


def check_choice(argument: str, value: object, choices: Sequence[str]) -> None:
    """Raise a ``ValueError`` naming ``argument`` unless ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        expected = " or ".join(repr(choice) for choice in choices)
        raise ValueError(f"{argument} must be {expected}, got {value!r}")


def md5(data: bytes) -> str:
    """Hex MD5 of ``data``."""
    # usedforsecurity=False: MD5 is only an integrity check here, and FIPS-mode Pythons refuse it otherwise.
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def md5_file(path: Path, chunk: int = 1 << 20) -> str:
    """MD5 of a file read in chunks (archives are ~170 MB; never hold them in memory just to hash them)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def checksum_mismatch(where: str, expected: str, actual: str, source: str) -> DatasetError:
    """The error for a file whose MD5 is not the official one (``source``: where to get it again)."""
    return DatasetError(
        f"MD5 checksum mismatch for {where}: expected {expected}, got {actual}. The file is "
        f"corrupt, truncated or not the official release: get it again from {source}; if it is a deliberately "
        "re-packed copy, pass verify=False (CLI --no-verify) to skip the checksum."
    )


def too_large(where: str, size: int | str, limit: int, what: str) -> DatasetError:
    """The error for a file (or stream) larger than its format allows."""
    return DatasetError(
        f"{where} is {size} bytes, more than the {limit} bytes {what} can take: refusing to read it (a damaged file "
        "or a decompression bomb). Get the dataset again from its official source."
    )


def read_file(path: Path, *, limit: int, what: str) -> bytes:
    """The bytes of ``path``, refused unread when the file is larger than ``limit`` bytes."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise too_large(str(path), size, limit, what)
        return path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}") from exc


def read_at_most(stream: _Readable, count: int) -> bytes:
    """Up to ``count`` bytes of ``stream``: fewer only at its end (buffered and decompressing streams read short)."""
    parts: list[bytes] = []
    left = count
    while left > 0:
        block = stream.read(left)
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)
