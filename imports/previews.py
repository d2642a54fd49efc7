"""The admin import's previews: the file uploaded for a preview, kept until it is confirmed.

django-import-export hands the name of the stored file to the browser and takes it back on
"Confirm import". Ours is a random name in a private folder (MEDIA_ROOT/import-previews,
never served), and the session of the user who uploaded it lists it: a name that isn't in
the confirming user's session (another user's preview, `../../etc/passwd`, a file some other
program left somewhere) is refused before anything is opened. Previews are deleted on
confirm, on cancel, when the preview shows errors, and by `cleanup_imports` after
IMPORT_PREVIEW_KEEP_MINUTES.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest
from import_export.tmp_storages import BaseStorage

from imports import readers

SESSION_KEY = "import_previews"
NAME = re.compile(r"[0-9a-f]{32}\.[a-z]{3,4}")


def folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "import-previews"


class PreviewStorage(BaseStorage):
    """django-import-export's temporary storage, kept by us. `read()` gives the file's path
    (our formats read files, not bytes held in memory); a name of another form than ours
    names no preview."""

    def save(self, data: bytes) -> None:
        raise NotImplementedError("Previews are stored with receive(), which is given the file's type.")

    def receive(self, chunks: Iterable[bytes], *, extension: str) -> None:
        """Store an upload's chunks under a new random name ending in `extension`."""
        folder().mkdir(mode=0o700, parents=True, exist_ok=True)
        self.name = secrets.token_hex(16) + extension
        with (folder() / self.name).open("xb") as file:
            for chunk in chunks:
                file.write(chunk)

    def path(self) -> Path | None:
        if not NAME.fullmatch(self.name or "") or readers.extension(self.name) not in readers.READABLE_EXTENSIONS:
            return None
        return folder() / self.name

    def read(self) -> Path:
        path = self.path()
        if path is None or not path.is_file():
            raise FileNotFoundError(self.name)
        return path

    def remove(self) -> None:
        path = self.path()
        if path is not None:
            path.unlink(missing_ok=True)


def remember(request: HttpRequest, name: str) -> None:
    """Record in the uploader's session that preview `name` is theirs."""
    previews = request.session.get(SESSION_KEY, {})
    previews[name] = request.user.pk
    request.session[SESSION_KEY] = previews


def owned(request: HttpRequest, name: str) -> bool:
    """Whether `name` is a preview this session's user uploaded, and still there."""
    if request.session.get(SESSION_KEY, {}).get(name) != request.user.pk:
        return False
    path = PreviewStorage(name=name).path()
    return path is not None and path.is_file()


def forget(request: HttpRequest, name: str) -> None:
    """Delete a preview of this session's user, and its mention in the session; another
    name is left alone."""
    previews = request.session.get(SESSION_KEY, {})
    if previews.get(name) != request.user.pk:
        return
    del previews[name]
    request.session[SESSION_KEY] = previews
    PreviewStorage(name=name).remove()


def previews_delete(*, modified_before: datetime.datetime) -> int:
    """Delete the previews stored before a time (never confirmed nor cancelled); how many."""
    if not folder().is_dir():
        return 0
    count = 0
    for path in folder().iterdir():
        modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
        if path.is_file() and modified < modified_before:
            path.unlink(missing_ok=True)
            count += 1
    return count
