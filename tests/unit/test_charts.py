"""The chart renderer: small data in, a PNG out; empty data still draws; labels it cannot draw fall back."""

from __future__ import annotations

import datetime as dt
import struct
import warnings
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.kit import charts
from bot.kit.charts import Bar, Week
from bot.kit.i18n import CATALOGUE
from bot.kit.messages.charts import MESSAGES

TREND = [Week(dt.date(2026, 10, 5) + dt.timedelta(weeks=i), v)
         for i, v in enumerate([0, 120_000, 50_000, 0, 800_000, 1_350_000, 90_000, 1_550_000])]  # fmt: skip
REPS = [Bar("Sam", 800_000), Bar("Ana", 400_000), Bar("Li", 400_000), Bar("Kim", 50_000)]
STAGES = [
    Bar("Lead", 2_000_000, 1),
    Bar("Qualified", 0, 0),
    Bar("Proposal", 650_000, 2),
    Bar("Negotiation", 0, 0),
]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, after checking the PNG signature."""
    assert png[:8] == charts.PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def render_quietly(draw, *args) -> bytes:
    """Render with every warning an error: a missing glyph (tofu) would warn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return draw(*args)


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
def test_the_leaderboard_chart_is_a_png_of_a_reasonable_size(locale):
    png = render_quietly(charts.leaderboard_chart, "USD", REPS, TREND, locale)
    assert png_size(png) == (1200, 480)
    assert 10_000 < len(png) < 300_000


def test_the_digest_chart_is_a_png_of_a_reasonable_size():
    png = render_quietly(charts.digest_chart, "EUR", STAGES, TREND, "en-US")
    assert png_size(png) == (1200, 480)
    assert 10_000 < len(png) < 300_000


@pytest.mark.parametrize("draw", [charts.leaderboard_chart, charts.digest_chart])
def test_empty_data_still_renders(draw):
    nothing = render_quietly(draw, "JPY", [], [], "en-US")
    zeros = render_quietly(draw, "USD", [Bar("Lead", 0, 0)], [Week(dt.date(2026, 11, 23), 0)], "en-US")
    for png in (nothing, zeros):
        assert png_size(png) == (1200, 480)
        assert len(png) > 5_000
    assert nothing != render_quietly(draw, "USD", REPS, TREND, "en-US")


def test_names_with_dollars_and_underscores_are_drawn_as_text_not_math():
    odd = [Bar("$x$ a_b ^c", 100), Bar("$$", 200), Bar("{weird}", 300)]
    assert png_size(render_quietly(charts.leaderboard_chart, "USD", odd, TREND, "en")) == (1200, 480)


def test_many_reps_and_huge_amounts_still_fit():
    reps = [Bar(f"Representative number {i}", 10**14 // (i + 1)) for i in range(10)]
    assert png_size(render_quietly(charts.leaderboard_chart, "USD", reps, TREND, "en")) == (1200, 480)


@settings(max_examples=8, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=30), st.integers(0, 10**15)), max_size=10),
    st.lists(st.integers(0, 10**15), max_size=8),
)
def test_any_small_data_renders(bars, weeks):
    png = render_quietly(
        charts.leaderboard_chart,
        "USD",
        [Bar(charts.person_label(label, "u"), value) for label, value in bars],
        [Week(dt.date(2026, 1, 5) + dt.timedelta(weeks=i), v) for i, v in enumerate(weeks)],
        "en",
    )
    assert png[:8] == charts.PNG_SIGNATURE


def test_without_a_cjk_font_chinese_readers_get_english_labels_and_drawable_names(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts._style("zh-CN").locale == "en"
    assert charts.stage_label("proposal", "zh-CN") == "Proposal"
    assert charts.person_label("李四", "li", "U0003") == "li"  # the real name cannot be drawn
    assert charts.person_label("李四", "", "U0003") == "U0003"
    assert charts.person_label("", "", "U0003") == "U0003"
    assert charts.person_label("José Müller", "jose", "U1") == "José Müller"
    assert charts.person_label("नमस्ते", "\x00\x99", "U9") == "U9"  # no Devanagari in DejaVu Sans
    assert charts.person_label("Maximilian Alexander von Humboldt", "x") == "Maximilian Alex…"


def test_with_a_cjk_font_chinese_readers_get_chinese_labels(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: "Noto Sans CJK SC")
    real_glyphs = charts._glyphs  # this font need not be installed here: it draws the CJK ideographs
    ideographs = frozenset(range(0x4E00, 0xA000))
    monkeypatch.setattr(
        charts, "_glyphs", lambda f: ideographs if f == "Noto Sans CJK SC" else real_glyphs(f)
    )
    style = charts._style("zh-CN")
    assert (style.locale, style.numbers) == ("zh", "zh_Hans_CN")
    assert style.fonts == ("DejaVu Sans", "Noto Sans CJK SC")  # Latin first, CJK glyphs by fallback
    assert charts.stage_label("proposal", "zh-CN") == CATALOGUE["zh"]["stage.proposal"]
    assert charts.person_label("李四", "li", "U0003") == "李四"
    assert charts._style("en-US").locale == "en"


def test_the_catalogue_has_both_languages_with_the_same_keys():
    assert MESSAGES["en"].keys() == MESSAGES["zh"].keys()
    assert all(key.startswith("charts_") for key in MESSAGES["en"])


# A stand-in for the CJK font, installed wherever matplotlib is: like a real CJK font it draws many
# code points beyond the Latin font's but far from all of them.
STAND_IN_CJK = "STIXGeneral"


def missing_glyphs(label: str) -> list[str]:
    """Draw `label` with the chart fonts; the missing-glyph warnings matplotlib gives (tofu drawn)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 1), dpi=20)
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.5, label, **charts._style("zh-CN").text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Co")), min_size=1, max_size=4))
@example("\U0001df02")  # Latin Extended-G: far above the CJK radicals, and in neither font
@example("李Ω")
def test_a_label_is_drawn_with_the_fonts_it_has_or_falls_back(name):
    with mock.patch.object(charts, "cjk_font", lambda: STAND_IN_CJK):
        label = charts.person_label(name, "u1")
        assert missing_glyphs(label) == [], (name, label)
