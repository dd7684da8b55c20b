"""Limits on what an upload may unpack to: entries, bytes (whatever the headers claim) and
the length of each field. Over a limit, the whole import is refused with a clear message."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from elearn.auth.models import Academy, User
from elearn.roster import files as roster_files
from elearn.roster.services import plan_files

DATA = Path(__file__).parent / "data" / "uk_mis"
NOW = datetime(2025, 9, 10, 9, 0, tzinfo=UTC)


def export() -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(DATA.iterdir())}


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def errors(db, upload: dict[str, bytes]) -> list[str]:
    plan = plan_files(db, upload, as_of=NOW.date())
    assert not plan.ok
    assert db.scalar(select(func.count()).select_from(User)) == 0
    assert db.scalar(select(func.count()).where(Academy.roster_id.is_not(None))) == 0
    return [str(e) for e in plan.errors]


def test_the_export_as_a_zip_is_read(db):
    plan = plan_files(db, {"export.zip": zipped(export())}, as_of=NOW.date())
    assert plan.ok and plan.summary()["created"] == 11


def test_a_zip_with_too_many_entries_is_refused(db):
    members = {**export(), **{f"junk/{n}.txt": b"" for n in range(roster_files.MAX_ZIP_MEMBERS)}}
    (message,) = errors(db, {"export.zip": zipped(members)})
    assert "the .zip holds 56 entries; a roster export has at most 50" in message


def test_a_zip_that_says_it_unpacks_too_large_is_refused_before_reading(db, monkeypatch):
    monkeypatch.setattr(roster_files, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    members = {**export(), "notes.txt": b"\0" * (100 * 1024)}
    (message,) = errors(db, {"export.zip": zipped(members)})
    assert "export.zip line 1: the .zip unpacks to more than" in message


def _lie_about_sizes(archive: bytes, name: bytes, claimed: int) -> bytes:
    """Rewrite the local and central headers of ``name`` to claim ``claimed`` bytes."""
    data = bytearray(archive)
    at = 0
    while (at := data.find(b"PK\x03\x04", at)) != -1:
        name_length = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30 : at + 30 + name_length] == name:
            struct.pack_into("<I", data, at + 22, claimed)
        at += 4
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", data, at + 24, claimed)
        at += 4
    return bytes(data)


def test_a_zip_whose_headers_understate_a_member_is_refused(db, monkeypatch):
    monkeypatch.setattr(roster_files, "MAX_UNCOMPRESSED_BYTES", 64 * 1024)
    bomb = b"sourcedId,name,type\n" + b"x" * (1024 * 1024)
    members = {**export(), "orgs.csv": bomb}
    archive = _lie_about_sizes(zipped(members), b"orgs.csv", 100)
    (message,) = errors(db, {"export.zip": archive})
    assert message.startswith("export.zip line 1: this .zip is damaged")
    assert "orgs.csv" in message and "nothing was imported" in message


def test_a_field_longer_than_the_limit_names_file_and_line(db):
    upload = export()
    long_name = "A" * 2001
    upload["users.csv"] += f"stu-99,,,true,sch-1,student,x.y,,{long_name},Y,,S99,,,,,,,5\n".encode()
    (message,) = errors(db, upload)
    assert message == (
        "users.csv line 13: a value is longer than 2000 characters; nothing was read"
    )


def test_a_field_of_megabytes_is_refused_by_the_reader_itself(db):
    upload = export()
    upload["users.csv"] += b'stu-99,,,true,sch-1,student,x.y,,"' + b"A" * 2_000_000 + b'",Y\n'
    (message,) = errors(db, upload)
    assert message.startswith("users.csv line 13: a value is longer than 2000 characters")


def test_a_simple_file_field_over_the_limit_is_refused(db, make):
    make.academy("Oakwood", code="oakwood")
    text = "academy,role,name,username,year\noakwood,pupil,Ann Lee,ann.lee,5\n"
    text += "oakwood,pupil," + "B" * 3000 + ",bob.lee,5\n"
    (message,) = errors(db, {"people.csv": text.encode()})
    assert message.startswith("people.csv line 3: a value is longer than 2000 characters")


def test_values_longer_than_their_columns_are_bad_rows_not_a_failed_confirm(db):
    upload = export()
    long_id = "s" * 101
    upload["users.csv"] += (
        f"{long_id},,,true,sch-1,student,x.y,,X,Y,,S99,,,,,,,5\n"
        f"stu-98,,,true,sch-1,student,w.z,,{'W' * 150},{'Z' * 60},,S98,,,,,,,5\n"
    ).encode()
    upload["orgs.csv"] += f"{'o' * 101},,,Elm Academy,school,,trust-1\n".encode()
    found = errors(db, upload)
    assert "users.csv line 13: sourcedId is longer than 100 characters" in found
    assert "users.csv line 14: the name is longer than 200 characters" in found
    assert "orgs.csv line 4: sourcedId is longer than 100 characters" in found
