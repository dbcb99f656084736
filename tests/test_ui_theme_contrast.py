"""Every theme is readable: each text/background pair the screens draw meets WCAG AA, every
colour the kv rules use is one of the listed pairs, and the light theme is light."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.config import THEME_NAMES, Settings
from kiosk.ui.colour_contrast import AA_LARGE, AA_NORMAL, contrast_ratio, relative_luminance
from kiosk.ui.palettes import LIGHT, PALETTES
from kiosk.ui.room_theme import theme_for
from kiosk.ui.theme import CONTRAST_PAIRS, TEXT_FONTS, Palette, Sizes

UI = Path(__file__).resolve().parent.parent / "kiosk" / "ui"
FOREGROUND_PROPS = ("color", "disabled_color", "fg", "fg_color", "tint")
BACKGROUND_PROPS = ("bg_color", "bg_pressed", "bg", "background", "rgba")
_PALETTE_USE = re.compile(r"^\s*(\w+)\s*:\s*(.*app\.theme\.palette\..*)$")
_FIELD = re.compile(r"app\.theme\.palette\.(\w+)")


def _kv_palette_uses() -> tuple[set[str], set[str]]:
    foreground, background = set(), set()
    for path in UI.rglob("*.kv"):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = _PALETTE_USE.match(line)
            if match is None:
                continue
            prop, expression = match.groups()
            fields = set(_FIELD.findall(expression))
            if prop in FOREGROUND_PROPS:
                foreground |= fields
            elif prop in BACKGROUND_PROPS:
                background |= fields
    return foreground, background


def test_the_themes_are_the_settings_themes() -> None:
    assert tuple(PALETTES) == THEME_NAMES


@pytest.mark.parametrize("name", THEME_NAMES)
def test_every_pair_meets_wcag_aa(name: str) -> None:
    palette = PALETTES[name]
    failing = []
    for pair in CONTRAST_PAIRS:
        ratio = contrast_ratio(getattr(palette, pair.foreground), getattr(palette, pair.background))
        needed = AA_LARGE if pair.large else AA_NORMAL
        if ratio < needed:
            failing.append(f"{pair.foreground} on {pair.background}: {ratio:.2f} < {needed}")
    assert failing == []


def test_every_kv_colour_is_in_a_listed_pair() -> None:
    foreground, background = _kv_palette_uses()
    assert {"text", "text_muted", "text_on_accent"} <= foreground  # the scan sees the rules
    listed_fg = {p.foreground for p in CONTRAST_PAIRS}
    listed = listed_fg | {p.background for p in CONTRAST_PAIRS}
    assert foreground - listed_fg == set(), "a kv text colour without a contrast pair"
    # Backgrounds, outlines and graphics: part of some pair (or pure decoration below).
    decoration = {"surface_border"}  # outlines beside a text label that names the control
    assert background - listed - decoration == set()


def test_the_contrast_maths_matches_wcag() -> None:
    black, white = (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0, 1.0)
    assert contrast_ratio(white, black) == pytest.approx(21.0)
    assert contrast_ratio((0.46, 0.46, 0.46, 1.0), white) == pytest.approx(4.6, abs=0.1)
    # A see-through bar is judged over whatever video is under it: the worse case.
    assert contrast_ratio(white, (0, 0, 0, 0.5)) < contrast_ratio(white, black)


def test_the_light_theme_is_light_everywhere() -> None:
    for field in ("background", "background_top", "surface", "disabled", "bar", "panel",
                  "video_background", "idle_background"):
        assert relative_luminance(getattr(LIGHT, field)) > 0.5, field
    assert relative_luminance(LIGHT.text) < 0.05


def test_no_widget_or_screen_takes_the_default_theme() -> None:
    modules = [p for p in UI.rglob("*.py") if p.name not in ("theme.py", "app.py")]
    offenders = [p.name for p in modules if re.search(r"\bTHEME\b\.", p.read_text())]
    offenders += [p.name for p in UI.rglob("*.kv") if "kiosk.ui.theme" in p.read_text()]
    assert offenders == []


def test_theme_for_builds_the_rooms_theme() -> None:
    settings = Settings(language="de_CH", clock_24h=False, theme="light", text_scale=1.4)
    theme = theme_for(settings, environ={})
    assert theme.name == "light" and theme.palette == LIGHT
    assert theme.translator.language == "de" and theme.texts.join == "Beitreten"
    assert not theme.clock.uses_24h
    assert theme.sizes.font_body == pytest.approx(Sizes().font_body * 1.4)
    english = theme_for(Settings(), environ={"LANG": "C.UTF-8"})
    assert english.texts.join == "Join" and english.palette == Palette()


def test_text_scale_grows_text_only_and_stays_in_range() -> None:
    base = Sizes()
    big = base.with_text_scale(1.4)
    for name in TEXT_FONTS:
        assert getattr(big, name) == pytest.approx(getattr(base, name) * 1.4)
    assert big.font_icon == base.font_icon and big.button_height == base.button_height
    assert base.with_text_scale(3.0).text_scale == pytest.approx(1.6)
    assert big.with_text_scale(1.0).font_body == pytest.approx(base.font_body)
