"""Render Vega-Lite specifications to SVG or PNG, offline, for reports and the CLI.

The web pages render the same specification in the browser with vendored vega-embed; this module
uses vl-convert (the Vega project's own converter, bundling the Vega runtime) so a report shows
exactly what the page shows.
"""

from __future__ import annotations

from typing import Any, Literal

import vl_convert

__all__ = ["render"]


def render(
    spec: dict[str, Any], fmt: Literal["svg", "png"] = "svg", *, scale: float = 2.0
) -> bytes:
    """Render a Vega-Lite specification; PNG ``scale`` multiplies the pixel size (2 = retina)."""
    if fmt == "svg":
        return str(vl_convert.vegalite_to_svg(spec)).encode("utf-8")
    if fmt == "png":
        return bytes(vl_convert.vegalite_to_png(spec, scale=scale))
    raise ValueError(f"unknown chart format {fmt!r}: use 'svg' or 'png'")
