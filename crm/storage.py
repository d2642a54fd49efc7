"""Static files as served in production: whitenoise's compressed, hashed copies."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Each file's URL looked up once per process: a page asks for a dozen ({% static %}, the
    icon sprite), each a manifest lookup, a name cleaning and a URL join, and the manifest
    does not change while the process runs (collectstatic happens before it starts)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known_urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        known = self.known_urls.get(name)
        if known is None:
            known = self.known_urls[name] = super().url(name)
        return known
