"""Every colour, size, font and text of the kiosk UI, in one place.

The kv layouts read these through `app.theme` (colours, texts) and `app.px(n)`
(a design size in pixels at 800x480, scaled to the real window). Change the
look or the wording of the product here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RGBA = tuple[float, float, float, float]


def hex_rgba(value: str, alpha: float = 1.0) -> RGBA:
    """'#RRGGBB' -> an (r, g, b, a) tuple of floats, as Kivy wants colours."""
    value = value.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255.0 for i in (0, 2, 4))
    return (r, g, b, alpha)


@dataclass(frozen=True)
class Palette:
    """Colours. Dark surfaces with white text: high contrast in a bright room."""

    background: RGBA = hex_rgba("#0B1424")
    background_top: RGBA = hex_rgba("#13223A")
    surface: RGBA = hex_rgba("#1B2B45")
    surface_pressed: RGBA = hex_rgba("#2C4266")
    surface_border: RGBA = hex_rgba("#2E4163")
    primary: RGBA = hex_rgba("#2F6BFF")
    primary_pressed: RGBA = hex_rgba("#1E4FD0")
    danger: RGBA = hex_rgba("#D92D20")
    danger_pressed: RGBA = hex_rgba("#A8241A")
    danger_text: RGBA = hex_rgba("#FF8A80")
    success: RGBA = hex_rgba("#2FBF71")
    warning: RGBA = hex_rgba("#F5B82E")
    text: RGBA = hex_rgba("#FFFFFF")
    text_muted: RGBA = hex_rgba("#B4C1D6")
    text_on_warning: RGBA = hex_rgba("#1A1300")
    disabled: RGBA = hex_rgba("#1A2436")
    text_disabled: RGBA = hex_rgba("#5C6B82")
    video_background: RGBA = hex_rgba("#000000")
    overlay: RGBA = hex_rgba("#000000", 0.55)
    bar: RGBA = hex_rgba("#0B1424", 0.82)
    panel: RGBA = hex_rgba("#0B1424", 0.94)
    idle_background: RGBA = hex_rgba("#000000")
    idle_text: RGBA = hex_rgba("#8793A8")


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
    long_press_seconds: float = 5.0
    control_bar_hide_seconds: float = 5.0
    error_home_seconds: float = 30.0
    node_check_seconds: float = 30.0


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


@dataclass(frozen=True)
class Texts:
    """Every sentence and label the room sees."""

    join_prefix: str = "Join "
    enter_meeting_id: str = "Enter meeting ID"
    node_reachable: str = "Service connected"
    node_unreachable: str = "Service not reachable"
    node_checking: str = "Checking service…"
    camera_found: str = "Camera ready"
    camera_test: str = "Test camera"
    camera_missing: str = "No camera found"
    camera_disabled: str = "Camera turned off"
    no_meetings: str = "No meetings are set up for this room. Enter a meeting ID."
    demo_pins_title: str = "Demo PINs"
    pin_required_title: str = "This meeting needs a PIN"
    pin_optional_title: str = "Enter the host PIN, or join as a guest"
    pin_hint: str = "Type the PIN and press Join"
    pin_placeholder: str = "PIN"
    pin_wrong: str = "Incorrect PIN — try again"
    pin_cooldown: str = "Too many wrong PINs. Try again in {seconds} s"
    join: str = "Join"
    keypad_clear: str = "Clear"
    join_as_guest: str = "Join as guest"
    cancel: str = "Cancel"
    meeting_id_title: str = "Enter the meeting ID"
    extension_title: str = "Enter the meeting number"
    meeting_id_placeholder: str = "Meeting ID"
    extension_placeholder: str = "Meeting number"
    connecting_title: str = "Joining {name}…"
    connecting_hint: str = "Connecting to the meeting"
    leaving_title: str = "Leaving the meeting…"
    waiting_title: str = "Waiting for the host to join…"
    waiting_hint: str = "You will join automatically as soon as the host arrives."
    leave: str = "Leave"
    participants_one: str = "1 participant"
    participants_many: str = "{count} participants"
    mic_on: str = "Mute"
    mic_off: str = "Unmute"
    camera_on: str = "Stop video"
    camera_off: str = "Start video"
    keypad: str = "Keypad"
    hide_self_view: str = "Tap to hide"
    show_self_view: str = "Show self-view"
    you_are_muted: str = "Microphone muted"
    notice_camera_unavailable: str = "Camera unavailable — others cannot see the room"
    notice_reconnecting: str = "Connection lost — reconnecting…"
    dtmf_title: str = "Keypad"
    dtmf_hint: str = "Tones are sent to the meeting as you press"
    close: str = "Close"
    error_title: str = "Could not join"
    error_generic: str = "Something went wrong. Please try again."
    back: str = "Back"
    try_again: str = "Try again"
    error_auto_home: str = "Returning to the start screen in {seconds} s"
    idle_hint: str = "Touch the screen to start"
    admin_pin_title: str = "Administrator PIN"
    admin_title: str = "Diagnostics"
    admin_wrong_pin: str = "Incorrect PIN — try again"
    admin_unlock: str = "Unlock"
    admin_restart: str = "Restart app"
    admin_quit: str = "Quit to system"
    admin_close: str = "Done"
    diag_version: str = "Version"
    diag_node: str = "Node"
    diag_node_reachable: str = "Node reachable"
    diag_camera: str = "Camera"
    diag_microphone: str = "Microphone"
    diag_speaker: str = "Speaker"
    diag_ip: str = "IP address"
    diag_last_error: str = "Last error"
    app_title: str = "Pexip room kiosk"
    device_in_use: str = "{device}: in use"
    device_unavailable: str = "{device}: unavailable ({reason})"
    device_no_reason: str = "no reason given"
    device_turned_off: str = "{device}: turned off"
    device_not_found: str = "{device}: not found"
    device_test: str = "test"
    devices_found: str = "{device} ({count} found)"
    devices_none_found: str = "{device} (none found)"
    camera_test_pattern: str = "test pattern"
    yes: str = "Yes"
    no: str = "No"
    unknown: str = "Unknown"
    none: str = "None"
    date_format: str = "%A %-d %B"
    time_format: str = "%H:%M"


@dataclass(frozen=True)
class Theme:
    """The whole look of the kiosk."""

    palette: Palette = field(default_factory=Palette)
    sizes: Sizes = field(default_factory=Sizes)
    fonts: Fonts = field(default_factory=Fonts)
    icons: Icons = field(default_factory=Icons)
    texts: Texts = field(default_factory=Texts)

    def scale_for(self, width: float, height: float) -> float:
        """The factor from design pixels (800x480) to a window of `width`x`height`."""
        by_height = height / self.sizes.design_height
        by_width = width / (self.sizes.design_height * 5 / 3)
        factor = min(by_height, by_width)
        return max(self.sizes.min_scale, min(self.sizes.max_scale, factor))


THEME = Theme()
"""The kiosk's theme (immutable); kv files import it as `T`."""
