"""Reading an upload into CSV texts: plain .csv files, or a .zip of them (as OneRoster
exports are often sent), within limits a hostile or broken archive cannot get round."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from elearn.roster.csvtext import decode
from elearn.roster.records import RowError

MAX_FILES = 20
# A .zip is read only if what it says it holds, and what it really holds, stay inside these:
# a small upload must not unpack into gigabytes (a "zip bomb") or thousands of entries.
MAX_ZIP_MEMBERS = 50
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
_CHUNK = 64 * 1024


class _ZipRefused(Exception):
    pass


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, counted as they are inflated, so the limit holds whatever the
    headers claim (the zipfile module also stops at the declared size; this does not rely
    on it)."""
    parts: list[bytes] = []
    total = 0
    with archive.open(member) as stream:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > member.file_size or total > budget:
                raise _ZipRefused(
                    f"{member.filename} unpacks to more than the .zip says it holds; "
                    "it was not read"
                )
            parts.append(chunk)
    return b"".join(parts)


def _read_zip(name: str, data: bytes, texts: dict[str, str], errors: list[RowError]) -> None:
    limit_mb = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise _ZipRefused(
                    f"the .zip holds {len(members)} entries; a roster export has at most "
                    f"{MAX_ZIP_MEMBERS}"
                )
            declared = sum(m.file_size for m in members)
            if declared > MAX_UNCOMPRESSED_BYTES:
                raise _ZipRefused(f"the .zip unpacks to more than {limit_mb} MB")
            budget = MAX_UNCOMPRESSED_BYTES
            found: dict[str, str] = {}
            for member in members:
                inner = member.filename.replace("\\", "/").rsplit("/", 1)[-1]
                if member.is_dir() or not inner.lower().endswith(".csv"):
                    continue
                if len(found) >= MAX_FILES:
                    raise _ZipRefused(f"the .zip holds more than {MAX_FILES} CSV files")
                raw = _read_member(archive, member, budget)
                budget -= len(raw)
                found[inner] = decode(raw)
    except _ZipRefused as refused:
        errors.append(RowError(name, 1, f"{refused}; nothing was imported"))
    except zipfile.BadZipFile as damaged:
        # Sizes that disagree with the data end here too: the reader stops at the size the
        # header gives, and the checksum of the shortened file then fails.
        errors.append(RowError(name, 1, f"this .zip is damaged ({damaged}); nothing was imported"))
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        errors.append(RowError(name, 1, "this is not a readable .zip file"))
    else:
        texts.update(found)


def read_files(files: Mapping[str, bytes]) -> tuple[dict[str, str], list[RowError]]:
    """Text of each CSV by its file name; a .zip (as OneRoster is often sent) is opened."""
    texts: dict[str, str] = {}
    errors: list[RowError] = []
    for name, data in files.items():
        base = name.replace("\\", "/").rsplit("/", 1)[-1]
        if base.lower().endswith(".zip"):
            _read_zip(base, data, texts, errors)
        elif base.lower().endswith(".csv"):
            texts[base] = decode(data)
        else:
            errors.append(RowError(base, 1, "only .csv files (or a .zip of them) can be imported"))
    return texts, errors
