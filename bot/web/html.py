"""Server-rendered HTML: everything a page shows passes markupsafe's escape once, here or in the caller."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from markupsafe import Markup, escape

from bot.kit.i18n import language, t


def attrs(**values: object) -> Markup:
    """HTML attributes (None values left out, trailing underscores dropped: class_ → class)."""
    return Markup("").join(
        Markup(' {}="{}"').format(name.rstrip("_").replace("_", "-"), value)
        for name, value in values.items()
        if value is not None
    )


VOID = {"input", "meta", "link", "br"}


def tag(element: str, /, *children: object, **attributes: object) -> Markup:
    if element in VOID:
        return Markup("<{}{}>").format(Markup(element), attrs(**attributes))
    inner = Markup("").join(escape(child) for child in children)
    return Markup("<{}{}>{}</{}>").format(Markup(element), attrs(**attributes), inner, Markup(element))


def link(href: str, text: str, **attributes: object) -> Markup:
    return tag("a", text, href=href, **attributes)


def query(path: str, **params: object) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    csv: str | None = None,
    chart: bool = False,
    locale: str | None = None,
    sortable: bool = False,
) -> Markup:
    """A table; `csv` links its CSV download; `chart` lets charts.js draw the last numeric column."""
    head = tag("tr", *(tag("th", c) for c in columns))
    body = Markup("").join(tag("tr", *(tag("td", cell) for cell in row)) for row in rows)
    classes = " ".join(c for c in ("chart" if chart else "", "sortable" if sortable else "") if c) or None
    out = tag("table", Markup(tag("thead", head)), Markup(tag("tbody", body)), class_=classes)
    if csv:
        out += tag("p", link(csv, t(locale, "dashboard.csv"), class_="csv", download=""))
    return out


def page(
    title: str, body: Markup, *, locale: str | None, nav: Markup | None = None, scripts: Sequence[str] = ()
) -> str:
    script_tags = Markup("").join(tag("script", "", src=src, defer="") for src in scripts)
    return str(
        Markup(
            '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<title>{}</title><link rel="stylesheet" href="/app/static/dashboard.css">{}</head>'
            "<body><header>{}</header><main><h1>{}</h1>{}</main></body></html>"
        ).format("zh-Hans" if language(locale) == "zh" else "en", title, script_tags, nav or "", title, body)
    )
