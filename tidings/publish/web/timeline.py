"""The coverage timeline of a story: one dot per article on a time axis, as inline SVG.

A pure function from (time, outlet) points to an SVG string; every outside string in it
is XML-escaped, and the picture carries a text alternative naming who reported first.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

WIDTH = 640
HEIGHT = 96
PAD_X = 24
AXIS_Y = 60


def _label(moment: datetime) -> str:
    return moment.strftime("%d %b %H:%M")


def timeline_svg(points: list[tuple[datetime, str]], *, width: int = WIDTH) -> str:
    """An accessible inline SVG of when each outlet published, or "" with no dated articles."""
    if not points:
        return ""
    points = sorted(points)
    start, end = points[0][0], points[-1][0]
    span = (end - start).total_seconds() or 1.0
    inner = width - 2 * PAD_X
    first_outlet = points[0][1]
    hours = (end - start).total_seconds() / 3600
    summary = (f"{len(points)} article{'s' if len(points) != 1 else ''} over {hours:.0f} hours; "
               f"first reported by {first_outlet} at {_label(start)} UTC")
    parts = [
        f'<svg class="timeline" role="img" aria-labelledby="tl-title" viewBox="0 0 {width} {HEIGHT}" '
        f'width="100%" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="tl-title">Coverage timeline: {escape(summary)}</title>',
        f'<line x1="{PAD_X}" y1="{AXIS_Y}" x2="{width - PAD_X}" y2="{AXIS_Y}" class="tl-axis"/>',
    ]
    stacked: dict[int, int] = {}
    for index, (moment, outlet) in enumerate(points):
        x = PAD_X + round(inner * (moment - start).total_seconds() / span) if end > start else width // 2
        level = stacked.get(x // 8, 0)
        stacked[x // 8] = level + 1
        y = AXIS_Y - 8 - 10 * min(level, 4)
        css = "tl-dot tl-first" if index == 0 else "tl-dot"
        parts.append(f'<circle cx="{x}" cy="{y}" r="5" class="{css}"><title>{escape(outlet)}, '
                     f'{escape(_label(moment))} UTC</title></circle>')
    parts.append(f'<text x="{PAD_X}" y="{AXIS_Y + 18}" class="tl-text">{escape(_label(start))}</text>')
    if end > start:
        parts.append(f'<text x="{width - PAD_X}" y="{AXIS_Y + 18}" text-anchor="end" class="tl-text">'
                     f'{escape(_label(end))}</text>')
    parts.append(f'<text x="{PAD_X}" y="{AXIS_Y + 34}" class="tl-text tl-strong">First: {escape(first_outlet)}</text>')
    parts.append("</svg>")
    return "".join(parts)
