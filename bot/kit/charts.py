"""Charts for the weekly posts: plain data in, PNG bytes out. Pure, no Slack, no I/O.

Drawn with matplotlib's object-oriented API (`Figure`, the Agg renderer, no pyplot): no global
figure state, so renders may run in worker threads (`asyncio.to_thread`). Amounts come in as
integer minor units of one currency and are drawn in major units.

Chinese labels need a CJK font; matplotlib's default (DejaVu Sans) has none. When no known CJK
font is installed the image is drawn with the English labels (the Slack message around it stays
localized), and a name with characters no font has falls back to the next candidate
(`person_label`: real name, handle, Slack id), so no label is drawn as empty boxes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from babel.dates import format_skeleton

from bot.kit.format import stage_name
from bot.kit.i18n import language, t
from storage.money import Money, currency_precision, format_money_short

# matplotlib is imported where a chart is drawn: half a second and ~30 MB that a process serving
# requests (which imports the jobs, and so this module) never needs until a weekly post.
if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Droid Sans Fallback",
)
BASE_FONT = "DejaVu Sans"
MAX_LABEL = 16
SIZE_INCHES, DPI = (12.0, 4.8), 100
COLOUR, TREND_COLOUR = "#2f6fba", "#e07b24"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Bar:
    label: str
    minor: int  # in the chart's currency
    count: int | None = None  # drawn above the bar when given (deals at a stage)


@dataclass(frozen=True)
class Week:
    start: dt.date  # the week's Monday
    minor: int


@cache
def cjk_font() -> str | None:
    """The name of an installed font with Chinese glyphs, else None (looked up once)."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


@cache
def _glyphs(family: str) -> frozenset[int]:
    """The code points an installed font has glyphs for (its character map; looked up once)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    return frozenset(FT2Font(path).get_charmap())


def drawable(text: str) -> bool:
    """Whether every character has a glyph in one of the chart's fonts.

    matplotlib draws each glyph with the first font of the list that has it (DejaVu Sans, then the
    CJK font), so a label mixing scripts is fine; a character neither font has would be a box.
    """
    fonts = [BASE_FONT, *filter(None, [cjk_font()])]
    return all(any(ord(c) in _glyphs(font) for font in fonts) for c in text)


def person_label(*candidates: str | None) -> str:
    """The first non-empty candidate the fonts can draw (real name, then handle, then Slack id)."""
    printable = ("".join(c for c in (text or "") if c.isprintable()).strip() for text in candidates)
    present = [c for c in printable if c]
    chosen = next((c for c in present if drawable(c)), present[-1] if present else "?")
    return chosen if len(chosen) <= MAX_LABEL else chosen[: MAX_LABEL - 1] + "…"


@dataclass(frozen=True)
class _Style:
    locale: str  # the catalogue locale of the labels drawn
    numbers: str  # the Babel locale of amounts and dates drawn
    fonts: tuple[str, ...]  # font family with fallbacks, for every text element

    def text(self) -> dict:
        # parse_math=False: a name or amount with two "$" must not be read as mathtext
        return {"fontfamily": list(self.fonts), "parse_math": False}


def _style(locale: str | None) -> _Style:
    font = cjk_font()
    fonts = (BASE_FONT, font) if font else (BASE_FONT,)
    if language(locale) == "zh" and font:
        return _Style("zh", "zh_Hans_CN", fonts)
    return _Style("en", "en_US", fonts)


def _major(minor: int, currency: str) -> float:
    return float(Decimal(minor).scaleb(-currency_precision(currency)))


def _money(major: float, currency: str, style: _Style) -> str:
    minor = int((Decimal(str(major)).scaleb(currency_precision(currency))).to_integral_value())
    return format_money_short(Money(minor, currency), style.numbers)


def _amount_axis(ax: Axes, top: float, currency: str, style: _Style) -> None:
    """Y ticks from 0 with compact currency labels, set explicitly so they carry the fonts."""
    from matplotlib.ticker import MaxNLocator

    ticks = [float(v) for v in MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top or 1)]
    ticks = [v for v in ticks if v >= 0]
    ax.set_ylim(0, max(ticks[-1], top) * 1.08)
    ax.set_yticks(ticks, labels=[_money(v, currency, style) for v in ticks], fontsize=9, **style.text())
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _empty(ax: Axes, message: str, style: _Style) -> None:
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        transform=ax.transAxes,
        color="grey",
        fontsize=12,
        **style.text(),
    )
    ax.set_xticks([])
    ax.set_yticks([])


def _bars(ax: Axes, bars: Sequence[Bar], currency: str, title: str, empty: str, style: _Style) -> None:
    ax.set_title(title, fontsize=12, **style.text())
    if not bars or not any(b.minor or b.count for b in bars):
        _empty(ax, empty, style)
        return
    values = [_major(b.minor, currency) for b in bars]
    drawn = ax.bar(range(len(bars)), values, color=COLOUR, width=0.6)
    notes = [
        _money(v, currency, style)
        + (f"\n{t(style.locale, 'charts_deals_count', count=b.count)}" if b.count is not None else "")
        for b, v in zip(bars, values, strict=True)
    ]
    ax.bar_label(drawn, labels=notes, fontsize=8, padding=2, **style.text())
    rotation = 30 if len(bars) > 5 else 0
    ax.set_xticks(
        range(len(bars)),
        labels=[b.label for b in bars],
        rotation=rotation,
        ha="right" if rotation else "center",
        fontsize=9,
        **style.text(),
    )
    _amount_axis(ax, max(values) * 1.15, currency, style)


def _trend(ax: Axes, weeks: Sequence[Week], currency: str, style: _Style) -> None:
    ax.set_title(t(style.locale, "charts_trend", currency=currency), fontsize=12, **style.text())
    if not weeks:
        _empty(ax, t(style.locale, "charts_nothing_yet"), style)
        return
    values = [_major(w.minor, currency) for w in weeks]
    ax.plot(range(len(weeks)), values, color=TREND_COLOUR, marker="o", linewidth=2)
    ax.fill_between(range(len(weeks)), values, color=TREND_COLOUR, alpha=0.12)
    labels = [format_skeleton("MMMd", w.start, locale=style.numbers) for w in weeks]
    ax.set_xticks(range(len(weeks)), labels=labels, fontsize=9, **style.text())
    ax.set_xlabel(t(style.locale, "charts_week_of"), fontsize=9, **style.text())
    ax.set_xlim(-0.3, len(weeks) - 0.7)
    _amount_axis(ax, max(values), currency, style)


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _figure() -> tuple[Figure, Axes, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.15, 1])
    return fig, left, right


def leaderboard_chart(
    currency: str, by_rep: Sequence[Bar], trend: Sequence[Week], locale: str | None
) -> bytes:
    """Revenue won by rep this week (bars, best first) beside the last weeks' revenue (a line)."""
    return _bars_beside_trend(currency, by_rep, trend, locale, "charts_revenue_by_rep", "charts_nothing_yet")


def digest_chart(currency: str, by_stage: Sequence[Bar], trend: Sequence[Week], locale: str | None) -> bytes:
    """The open pipeline by stage (bars in funnel order, deal counts on top) beside the trend."""
    return _bars_beside_trend(
        currency, by_stage, trend, locale, "charts_pipeline_by_stage", "charts_no_pipeline"
    )


def _bars_beside_trend(
    currency: str, bars: Sequence[Bar], trend: Sequence[Week], locale: str | None, title: str, empty: str
) -> bytes:
    """Both charts' layout: `bars` titled by the catalogue's `title` (`empty` when there are none), then the trend."""
    style = _style(locale)
    fig, left, right = _figure()
    _bars(left, bars, currency, t(style.locale, title, currency=currency), t(style.locale, empty), style)
    _trend(right, trend, currency, style)
    return _png(fig)


def stage_label(stage: str, locale: str | None) -> str:
    """A stage's name in the language the chart is drawn in."""
    return stage_name(stage, _style(locale).locale)
