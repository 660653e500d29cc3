"""Zip safety for uploads that are zips inside (QDPX, DOCX, XLSX): decided from the zip's
directory before anything is unpacked. Declared sizes hold when a member is later read:
zipfile stops inflating a member at its declared size and checks its CRC, and openpyxl and
python-docx read through zipfile."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePosixPath

MAX_MEMBERS = 2_000
MAX_UNPACKED = 150 * 1024 * 1024
MAX_RATIO = 100  # text and XML compress 3-10 times; a bomb a thousand times
RATIO_FLOOR = 1024 * 1024  # small members may compress well without harm


class UnsafeZip(ValueError):
    """The zip is damaged, not a zip, or unsafe to unpack; the message says which."""


class NotAZip(UnsafeZip):
    """Not a zip at all, or a damaged one: often a file with the wrong extension."""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def open_zip(
    data: bytes,
    *,
    what: str = "The file",
    kind: str = "a zip archive",
    max_members: int = MAX_MEMBERS,
    max_unpacked: int = MAX_UNPACKED,
) -> zipfile.ZipFile:
    """Open a zip after checking, from its directory alone, that it is safe to unpack.
    `kind` names what the file should be ("a .qdpx file") for the not-a-zip message."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        if data.startswith(b"PK"):
            raise NotAZip(f"{what} is a damaged zip archive.") from None
        raise NotAZip(f"{what} is not a zip archive ({kind} is one).") from None
    check_archive(archive, what=what, max_members=max_members, max_unpacked=max_unpacked)
    return archive


def check_archive(
    archive: zipfile.ZipFile,
    *,
    what: str = "The file",
    max_members: int = MAX_MEMBERS,
    max_unpacked: int = MAX_UNPACKED,
) -> None:
    """Refuse, from the directory alone, too many members, paths outside the folder, a
    member that inflates far more than text does, or too much in all."""
    members = archive.infolist()
    if len(members) > max_members:
        raise UnsafeZip(f"{what} holds {len(members):,} files; at most {max_members:,}.")
    total = 0
    bomb = ""
    for member in members:
        name = member.filename
        path = PurePosixPath(name.replace("\\", "/"))
        drive = bool(path.parts) and ":" in path.parts[0]
        if path.is_absolute() or ".." in path.parts or drive:
            raise UnsafeZip(f"{what} holds a file outside its folder (“{name}”): refused.")
        total += member.file_size
        ratio = member.file_size > MAX_RATIO * max(member.compress_size, 1)
        if not bomb and member.file_size > RATIO_FLOOR and ratio:
            bomb = (
                f"“{name}” unpacks to {_size(member.file_size)} from {_size(member.compress_size)}"
            )
    if total > max_unpacked:
        hint = f": it looks like a zip bomb ({bomb})" if bomb else ""
        raise UnsafeZip(
            f"{what} unpacks to {_size(total)}, more than the {_size(max_unpacked)} allowed{hint}."
        )
    if bomb:
        raise UnsafeZip(f"{what} looks like a zip bomb: {bomb}.")
