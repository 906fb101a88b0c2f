"""How static files are stored for serving: content-hashed names, gzip and Brotli copies.

WhiteNoise's storage, minus one rule: Django rewrites ``sourceMappingURL`` comments to hashed names
and refuses to collect a file whose source map is absent. The vendored bundles (Swagger UI, Vega)
name maps that are not shipped (``web/static/vendor/README.md``), so those comments are left as
they are; a browser asks for the map only while its developer tools are open. ``url()`` and
``@import`` references in CSS are still rewritten, and a missing one still stops collectstatic.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage

__all__ = ["StaticStorage"]


def _without_source_maps(
    patterns: tuple[tuple[str, tuple[str | tuple[str, str], ...]], ...],
) -> tuple[tuple[str, tuple[str | tuple[str, str], ...]], ...]:
    def is_map(pattern: str | tuple[str, str]) -> bool:
        return "sourceMappingURL" in (pattern if isinstance(pattern, str) else pattern[0])

    return tuple(
        (extension, tuple(p for p in rules if not is_map(p))) for extension, rules in patterns
    )


class StaticStorage(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # untyped
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)
