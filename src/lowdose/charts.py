"""Render Vega-Lite specifications to SVG or PNG, offline, for reports and the CLI.

The web pages render the same specification in the browser with vendored vega-embed; this module
uses vl-convert (the Vega project's own converter, bundling the Vega runtime) so a report shows
exactly what the page shows.

vl-convert (about 84 MB) comes with the ``charts`` extra (``pip install 'lowdose[charts]'``; the
``web`` extra includes it); without it :func:`render` raises
:class:`~lowdose.errors.MissingExtraError` saying so, and everything else in the core works.
"""

from __future__ import annotations

from typing import Any, Literal

from lowdose.errors import MissingExtraError

__all__ = ["CHARTS_MISSING", "render"]

#: The message when vl-convert is not installed.
CHARTS_MISSING = "PNG/SVG export needs the charts extra: pip install 'lowdose[charts]'"


def _vl_convert() -> Any:
    try:
        import vl_convert
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "vl_convert":
            raise
        raise MissingExtraError(CHARTS_MISSING) from None
    return vl_convert


def render(
    spec: dict[str, Any], fmt: Literal["svg", "png"] = "svg", *, scale: float = 2.0
) -> bytes:
    """Render a Vega-Lite specification; PNG ``scale`` multiplies the pixel size (2 = retina).

    Raises :class:`~lowdose.errors.MissingExtraError` when vl-convert (the ``charts`` extra) is
    not installed.
    """
    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown chart format {fmt!r}: use 'svg' or 'png'")
    vl_convert = _vl_convert()
    if fmt == "svg":
        return str(vl_convert.vegalite_to_svg(spec)).encode("utf-8")
    return bytes(vl_convert.vegalite_to_png(spec, scale=scale))
