"""Every colour, size and font of the kiosk UI, and its texts (`kiosk.ui.texts`), in one place.

kv rules and screens read the running app's theme as `app.theme` (palette, sizes,
fonts, icons, texts, translator) and scale design sizes with `app.u` (design pixels
at 800x480 to window pixels). Change the look or the wording here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

from kiosk.i18n import ClockFormat, Translator
from kiosk.i18n.room_locale import FALLBACK_LOCALE
from kiosk.ui.texts import Texts, build_texts

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> RGBA:
    """'#RRGGBB' -> an (r, g, b, a) tuple of floats, as Kivy wants colours."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True)
class Palette:
    """Colours (the dark theme's by default; kiosk/ui/palettes.py has the others).

    `text_on_accent` is the text on `primary` and `danger` buttons; `text_on_warning`
    on the warning pill. Every text/background pair in use is in CONTRAST_PAIRS.
    """

    background: RGBA = hex_rgba("#0B1424")
    background_top: RGBA = hex_rgba("#13223A")
    surface: RGBA = hex_rgba("#1B2B45")
    surface_pressed: RGBA = hex_rgba("#2C4266")
    surface_border: RGBA = hex_rgba("#2E4163")
    primary: RGBA = hex_rgba("#2A62F0")
    primary_pressed: RGBA = hex_rgba("#1E4FD0")
    danger: RGBA = hex_rgba("#D92D20")
    danger_pressed: RGBA = hex_rgba("#A8241A")
    danger_text: RGBA = hex_rgba("#FF8A80")
    success: RGBA = hex_rgba("#2FBF71")
    warning: RGBA = hex_rgba("#F5B82E")
    text: RGBA = hex_rgba("#FFFFFF")
    text_muted: RGBA = hex_rgba("#B4C1D6")
    text_on_accent: RGBA = hex_rgba("#FFFFFF")
    text_on_warning: RGBA = hex_rgba("#1A1300")
    disabled: RGBA = hex_rgba("#1A2436")
    text_disabled: RGBA = hex_rgba("#6A7A93")
    video_background: RGBA = hex_rgba("#000000")
    overlay: RGBA = hex_rgba("#000000", 0.55)
    bar: RGBA = hex_rgba("#0B1424", 0.82)
    panel: RGBA = hex_rgba("#0B1424", 0.94)
    idle_background: RGBA = hex_rgba("#000000")
    idle_text: RGBA = hex_rgba("#8793A8")


@dataclass(frozen=True)
class ContrastPair:
    """A text (or icon) colour on a background, as the screens use them; `large` for text of
    24 px and more (or bold 19 px) and icons, which need 3:1 instead of 4.5:1 (WCAG AA)."""

    foreground: str
    background: str
    large: bool = False


# Every foreground/background pair of palette fields the kv rules and screens draw.
# A new pair in a kv file is added here; tests/test_ui_theme_contrast.py checks each
# palette, and fails on a kv colour that no pair lists.
CONTRAST_PAIRS: tuple[ContrastPair, ...] = (
    ContrastPair("text", "background"),
    ContrastPair("text_muted", "background"),
    ContrastPair("danger_text", "background"),
    ContrastPair("warning", "background"),
    ContrastPair("success", "background"),
    ContrastPair("danger", "background", large=True),  # status icons
    ContrastPair("primary", "background", large=True),  # the progress arc
    ContrastPair("text", "surface"),
    ContrastPair("text_muted", "surface"),
    ContrastPair("warning", "surface"),
    ContrastPair("text", "surface_pressed"),
    ContrastPair("text_on_accent", "primary"),
    ContrastPair("text_on_accent", "primary_pressed"),
    ContrastPair("text_on_accent", "danger"),
    ContrastPair("text_on_accent", "danger_pressed"),
    ContrastPair("text_on_warning", "warning"),
    ContrastPair("text_disabled", "disabled", large=True),  # inactive controls
    ContrastPair("text", "bar"),
    ContrastPair("text_muted", "bar"),
    ContrastPair("text", "panel"),
    ContrastPair("text_muted", "panel"),
    ContrastPair("text_muted", "video_background"),
    ContrastPair("text", "video_background", large=True),  # the self-view's frame
    ContrastPair("idle_text", "idle_background"),
)

TEXT_SCALE_RANGE = (1.0, 1.6)


@dataclass(frozen=True)
class Sizes:
    """Design sizes in pixels on the smallest screen (800x480); the app scales them."""

    design_height: float = 480.0
    min_scale: float = 1.0
    max_scale: float = 2.4
    margin: float = 24.0
    gap: float = 12.0
    radius: float = 14.0
    key: float = 64.0  # keypad keys: at least 64 px (about 15 mm on a 7" panel)
    key_gap: float = 8.0
    button_height: float = 64.0
    join_button_height: float = 72.0
    control_button: float = 64.0
    entry_height: float = 64.0
    self_view_width: float = 176.0
    spinner: float = 72.0
    font_clock: float = 64.0
    font_idle_clock: float = 96.0
    font_title: float = 30.0
    font_heading: float = 24.0
    font_body: float = 19.0
    font_small: float = 15.0
    font_key: float = 30.0
    font_entry: float = 32.0
    font_icon: float = 30.0
    font_icon_large: float = 56.0
    font_captions: float = 26.0  # live captions: read from across the room
    presenter_banner_seconds: float = 5.0
    long_press_seconds: float = 5.0
    control_bar_hide_seconds: float = 5.0
    error_home_seconds: float = 30.0
    node_check_seconds: float = 30.0
    text_scale: float = 1.0  # KIOSK_TEXT_SCALE: every font_* above is multiplied by it

    def with_text_scale(self, scale: float) -> Sizes:
        """These sizes with every text font `scale` times larger (icons stay as they are)."""
        low, high = TEXT_SCALE_RANGE
        scale = max(low, min(high, scale)) / self.text_scale
        fonts = {name: getattr(self, name) * scale for name in TEXT_FONTS}
        return replace(self, text_scale=self.text_scale * scale, **fonts)


TEXT_FONTS = ("font_clock", "font_idle_clock", "font_title", "font_heading", "font_body",
              "font_small", "font_key", "font_entry")


@dataclass(frozen=True)
class Fonts:
    """Font family names registered with Kivy by `kiosk.ui.device.fonts.register_fonts`."""

    text: str = "KioskText"
    light: str = "KioskLight"
    medium: str = "KioskMedium"
    icons: str = "KioskIcons"


@dataclass(frozen=True)
class Icons:
    """Material Design Icons 1.6.50 code points (assets/icons)."""

    microphone: str = "\uf36c"
    microphone_off: str = "\uf36d"
    video: str = "\uf567"
    video_off: str = "\uf568"
    hangup: str = "\uf3f5"
    dialpad: str = "\uf61c"
    backspace: str = "\uf06e"
    close: str = "\uf156"
    phone: str = "\uf3f2"
    people: str = "\uf00e"
    lan: str = "\uf317"
    lan_off: str = "\uf319"
    camera: str = "\uf100"
    camera_off: str = "\uf5df"
    lock: str = "\uf33e"
    alert: str = "\uf028"
    check: str = "\uf5e0"
    settings: str = "\uf493"
    back: str = "\uf04d"
    retry: str = "\uf450"
    power: str = "\uf425"
    exit: str = "\uf206"
    info: str = "\uf2fd"
    eye: str = "\uf208"
    eye_off: str = "\uf209"
    clock: str = "\uf150"
    hourglass: str = "\uf51f"
    sync: str = "\uf4e6"
    key: str = "\uf00b"
    account: str = "\uf004"
    video_account: str = "\uf3a0"
    dot: str = "\uf12f"
    chevron_right: str = "\uf142"
    lock_outline: str = "\uf341"
    timer: str = "\uf51b"
    closed_caption: str = "\uf15e"
    layout: str = "\uf574"
    presentation: str = "\uf428"
    swap: str = "\uf4e1"
    speaking: str = "\uf370"
    hand_up: str = "\uf64c"
    hand_down: str = "\uf64b"
    volume_high: str = "\uf57e"
    volume_low: str = "\uf57f"
    volume_off: str = "\uf581"
    plus: str = "\uf415"
    minus: str = "\uf374"
    lock_open: str = "\uf33f"
    host: str = "\uf1a5"
    presenting: str = "\uf428"
    help: str = "\uf2d7"
    remove_person: str = "\uf015"
    admit: str = "\uf008"
    admit_all: str = "\uf12d"
    message: str = "\uf369"
    pause: str = "\uf3e5"
    breakout: str = "\uf0fb"


@dataclass(frozen=True)
class Theme:
    """The whole look of the kiosk: colours, sizes, fonts, icons, language and clock."""

    name: str = "dark"
    palette: Palette = field(default_factory=Palette)
    sizes: Sizes = field(default_factory=Sizes)
    fonts: Fonts = field(default_factory=Fonts)
    icons: Icons = field(default_factory=Icons)
    translator: Translator = field(default_factory=Translator)
    clock: ClockFormat = field(default_factory=lambda: ClockFormat(FALLBACK_LOCALE))

    @cached_property
    def texts(self) -> Texts:
        """Every fixed text of the UI, in the translator's language."""
        return build_texts(self.translator, self.clock)

    def scale_for(self, width: float, height: float) -> float:
        """The factor from design pixels (800x480) to a window of `width`x`height`."""
        by_height = height / self.sizes.design_height
        by_width = width / (self.sizes.design_height * 5 / 3)
        factor = min(by_height, by_width)
        return max(self.sizes.min_scale, min(self.sizes.max_scale, factor))


THEME = Theme()
"""The default theme (dark, English). The running app's own is `app.theme`: kv rules and
screens read that one, so the room's language and look are chosen at start-up
(`kiosk.ui.room_theme.theme_for(settings)`)."""
