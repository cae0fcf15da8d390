"""The HTML alternative of an e-mail: the same text, right-to-left for Persian, links clickable.

The text is never trusted as markup: Jinja2 autoescapes every piece, and only `http(s)` addresses
found in it become links (so no `javascript:` or attribute can be smuggled in through a template
or a value filled into one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jinja2 import Environment

LINK = re.compile(r"https?://[^\s<>\"'«»()]+[^\s<>\"'«»().,،؛:!?]")
PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")

TEMPLATE = """<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ dir }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body dir="{{ dir }}" style="margin:0;padding:24px;background:#f6f7f9;">
<div dir="{{ dir }}" style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;\
font-family:Vazirmatn,Tahoma,'Segoe UI',sans-serif;font-size:16px;line-height:1.8;color:#1f2328;\
text-align:{{ align }};">
{%- for paragraph in paragraphs %}
<p style="margin:0 0 12px;">
{%- for line in paragraph %}{% if not loop.first %}<br>{% endif %}
{%- for piece in line %}{% if piece.href %}<a href="{{ piece.href }}" dir="ltr">{{ piece.text }}</a>
{%- else %}{{ piece.text }}{% endif %}{% endfor %}{% endfor %}</p>
{%- endfor %}
</div>
</body>
</html>
"""

_environment = Environment(autoescape=True, keep_trailing_newline=True)
_template = _environment.from_string(TEMPLATE)


@dataclass(frozen=True)
class Piece:
    text: str
    href: str | None = None


def pieces(line: str) -> list[Piece]:
    found: list[Piece] = []
    at = 0
    for match in LINK.finditer(line):
        if match.start() > at:
            found.append(Piece(line[at : match.start()]))
        found.append(Piece(match.group(), match.group()))
        at = match.end()
    if at < len(line):
        found.append(Piece(line[at:]))
    return found


def render(text: str, subject: str) -> str:
    """`text` as an HTML page: blank lines part paragraphs, single newlines become `<br>`."""
    blocks = [block for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    paragraphs = [[pieces(line) for line in block.split("\n")] for block in blocks]
    persian = PERSIAN_LETTER.search(text + subject) is not None
    return _template.render(
        subject=subject,
        paragraphs=paragraphs,
        lang="fa" if persian else "en",
        dir="rtl" if persian else "ltr",
        align="right" if persian else "left",
    )
