"""Settings from a `.env` file and the environment, validated once at start.

The environment wins over the `.env` file. A bad value raises `ConfigError`
whose text is one line naming the key and what is wrong, e.g.
``PEXIP_NODE: 'htp:/x' is not an https URL``. The input is checked strictly
(`kiosk.settings_checks`): a line python-dotenv cannot parse, a control
character or an over-long value, a settings file that is not a regular file, a
CA bundle without a PEM certificate are errors; an unknown PEXIP_*/KIOSK_* key
is a warning naming the closest known key. The known keys come from the
`Settings` fields themselves (`setting_key`), so a new field is known at once.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.settings_checks import env_file as strict_env_file
from kiosk.settings_checks.config_error import ConfigError
from kiosk.settings_checks.named_files import check_ca_bundle
from kiosk.settings_checks.setting_names import looks_like_a_setting, warn_about_unknown_keys
from kiosk.settings_checks.setting_values import check_value

__all__ = ("ConfigError", "Meeting", "Settings", "known_setting_keys", "load_settings",
           "setting_key")

from kiosk.calendar.meeting_rules import MeetingRule, MeetingRulesError, load_meeting_rules
from kiosk.i18n.room_locale import LANGUAGES, parse_room_locale

log = logging.getLogger(__name__)

DEFAULT_ENV_FILE = Path(".env")
DEFAULT_STATE_DIR = Path("/var/lib/pexip-kiosk")
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# Honoured by the Infinity client from the process environment (kiosk.infinity.proxy_environment).
PROXY_VARIABLES = frozenset({"HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"})
# The colour themes of kiosk/ui/palettes.py.
THEME_NAMES = ("dark", "light", "high-contrast")
DOMAIN_PATTERN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*"
                            r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class Meeting:
    """A meeting offered on the home screen: a label and the alias to dial."""

    label: str
    alias: str


@dataclass(frozen=True)
class CalendarSettings:
    """The room's calendar and how invitations become addresses to dial (`.env.example`)."""

    url: str = ""  # an https iCalendar feed (webcal:// already turned into https://)
    ca_bundle: Path | None = None
    verify_tls: bool = True
    refresh_seconds: float = 300.0
    caldav_url: str = ""
    caldav_username: str = ""
    caldav_password: str = field(default="", repr=False)
    meeting_domains: tuple[str, ...] = ()
    teams_gateway_alias: str = ""
    gateway_dialing: bool = False
    meeting_rules: tuple[MeetingRule, ...] = ()
    join_early_minutes: float = 5.0
    show_subjects: bool = True
    auto_join: bool = False

    @property
    def configured(self) -> bool:
        """True when a calendar (feed or CalDAV) is set up."""
        return bool(self.url or self.caldav_url)

    @property
    def tls_verify(self) -> bool | str:
        """The value for `requests`' `verify=` for the calendar server."""
        if not self.verify_tls:
            return False
        return str(self.ca_bundle) if self.ca_bundle else True


@dataclass(frozen=True)
class Settings:
    """Every setting of the kiosk, validated. See `.env.example` for each one's meaning."""

    node: str = ""
    conference: str = ""
    display_name: str = "Meeting room"
    ca_bundle: Path | None = None
    verify_tls: bool = True
    log_level: str = "INFO"
    # PIN handling
    pin_max_attempts: int = 3
    pin_cooldown_seconds: float = 30.0
    # Media
    camera: str = "auto"
    camera_format: str = ""
    camera_size: tuple[int, int] = (1280, 720)
    camera_fps: int = 30
    microphone: str = "default"
    speaker: str = "default"
    video_codecs: tuple[str, ...] = ("VP8", "H264")
    video_encoder: str = "auto"  # H.264: auto, software or v4l2m2m (kiosk/media/encoder_choice)
    ice_timeout_seconds: float = 15.0
    # Recovery: how long the room keeps trying by itself to get (back) into its meeting
    # when the meeting service stops answering, or says it is busy while joining.
    reconnect_give_up_seconds: float = 120.0
    presentation: str = "stream"  # stream | jpeg | main | off (KIOSK_PRESENTATION)
    # Touch UI
    meetings: tuple[Meeting, ...] = ()
    idle_seconds: float = 120.0
    admin_pin: str = field(default="", repr=False)
    backlight: str = "auto"
    rotation: int = 0
    fullscreen: bool = True
    show_demo_pins: bool = False
    # Language and readability
    language: str = ""  # "" = the system locale (English when it is not one of ours)
    clock_24h: bool | None = None  # None = as the language's locale writes the time
    theme: str = "dark"
    text_scale: float = 1.0
    # Fleet
    health_addr: str = "127.0.0.1:9110"
    # Calendar (kiosk.calendar) and where the kiosk keeps what must survive a restart
    # (the calendar's last good copy, the speaker volume)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    state_dir: Path = DEFAULT_STATE_DIR
    volume_default: int = 80  # percent, until someone changes it on the panel

    @property
    def node_is_loopback(self) -> bool:
        """True when the node URL points at this machine (the embedded simulator)."""
        return is_loopback_host(urlsplit(self.node).hostname or "")

    @property
    def tls_verify(self) -> bool | str:
        """The value for `requests`' `verify=`: a CA bundle path, True, or False."""
        if not self.verify_tls:
            return False
        return str(self.ca_bundle) if self.ca_bundle else True

    def all_meetings(self) -> tuple[Meeting, ...]:
        """The configured meetings, with the room's default conference first if not listed."""
        listed = self.meetings
        if self.conference and all(m.alias != self.conference for m in listed):
            return (Meeting(label=self.conference, alias=self.conference), *listed)
        return listed


# Fields read from PEXIP_<NAME>; every other field of Settings is KIOSK_<NAME>.
PEXIP_FIELDS = frozenset({"node", "conference", "display_name", "ca_bundle", "verify_tls"})


def setting_key(field_name: str) -> str:
    """The variable a Settings field is read from: `camera_fps` -> `KIOSK_CAMERA_FPS`."""
    prefix = "PEXIP_" if field_name in PEXIP_FIELDS else "KIOSK_"
    return prefix + field_name.upper()


# The calendar's settings are grouped in CalendarSettings under names of their own.
CALENDAR_KEYS = frozenset({
    "KIOSK_CALENDAR_URL", "KIOSK_CALENDAR_CA_BUNDLE", "KIOSK_CALENDAR_VERIFY_TLS",
    "KIOSK_CALENDAR_REFRESH_SECONDS", "KIOSK_CALDAV_URL", "KIOSK_CALDAV_USERNAME",
    "KIOSK_CALDAV_PASSWORD", "KIOSK_CALDAV_PASSWORD_FILE", "KIOSK_MEETING_DOMAINS",
    "KIOSK_TEAMS_GATEWAY_ALIAS", "KIOSK_GATEWAY_DIALING", "KIOSK_MEETING_RULES",
    "KIOSK_JOIN_EARLY_MINUTES", "KIOSK_CALENDAR_SHOW_SUBJECTS", "KIOSK_AUTO_JOIN",
})


def known_setting_keys() -> frozenset[str]:
    """Every PEXIP_*/KIOSK_* variable the kiosk reads (one per Settings field, and the
    calendar's)."""
    plain = frozenset(setting_key(f.name) for f in fields(Settings) if f.name != "calendar")
    return plain | CALENDAR_KEYS


def is_loopback_host(host: str) -> bool:
    """True for localhost names and loopback IP addresses."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_node_url(value: str, key: str = "PEXIP_NODE") -> str:
    """Return the node URL without a trailing slash, or raise ConfigError.

    https is required; plain http is accepted only for a loopback host.
    """
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    # Not quoted: a pasted meeting link may carry a PIN, an address a password.
    if parts.query or parts.fragment:
        raise ConfigError(key, "must be the node's address only, like https://pexip.example.com"
                               " (no '?' or '#' part)")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(key, "must not contain a user name or password")
    if parts.scheme not in ("https", "http") or not parts.hostname or any(
        ch.isspace() for ch in value
    ):
        raise ConfigError(key, f"{value!r} is not an https URL")
    try:
        _ = parts.port  # the property checks that the port is a number from 0 to 65535
    except ValueError:
        raise ConfigError(key, f"{value!r} has an invalid port") from None
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(
            key, f"{value!r} uses plain http; only https is allowed for a remote node"
        )
    return value


def _bool(key: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(key, f"{raw!r} is not true or false")


def _number(key: str, raw: str, minimum: float, maximum: float, integer: bool = False) -> float:
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(key, f"{raw!r} is not {kind}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(key, f"{raw!r} is out of range ({minimum:g} to {maximum:g})")
    return value


def _size(key: str, raw: str) -> tuple[int, int]:
    try:
        width, height = (int(p) for p in raw.lower().split("x"))
    except ValueError:
        raise ConfigError(key, f"{raw!r} is not a size like 1280x720") from None
    if not (16 <= width <= 7680 and 16 <= height <= 4320):
        raise ConfigError(key, f"{raw!r} is not a sensible video size")
    return width, height


def _camera(key: str, raw: str) -> str:
    """A camera setting; `file:` must name a file (it is checked again when a call opens it)."""
    if raw.lower().startswith("file:") and not raw[len("file:"):].strip():
        raise ConfigError(key, "file: needs the path of a recorded clip, like file:/srv/clip.mkv")
    return raw


def _meetings(key: str, raw: str) -> tuple[Meeting, ...]:
    meetings = []
    for entry in filter(None, (e.strip() for e in raw.split(";"))):
        label, sep, alias = entry.partition("=")
        if not sep or not label.strip() or not alias.strip():
            raise ConfigError(key, f"{entry!r} is not 'Label=alias'")
        meetings.append(Meeting(label=label.strip(), alias=alias.strip()))
    return tuple(meetings)


def _codecs(key: str, raw: str) -> tuple[str, ...]:
    known = {"VP8", "H264"}
    codecs = tuple(c.strip().upper() for c in raw.split(",") if c.strip())
    unknown = [c for c in codecs if c not in known]
    if not codecs or unknown:
        raise ConfigError(key, f"{raw!r} must list VP8 and/or H264")
    return codecs


PRESENTATION_MODES = ("stream", "jpeg", "main", "off")


def _presentation(key: str, raw: str) -> str:
    mode = raw.strip().lower()
    if mode not in PRESENTATION_MODES:
        raise ConfigError(key, f"{raw!r} is not one of {', '.join(PRESENTATION_MODES)}")
    return mode

def _video_encoder(key: str, raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("auto", "software", "v4l2m2m"):
        raise ConfigError(key, f"{raw!r} is not one of auto, software, v4l2m2m")
    return value


def _log_level(key: str, raw: str) -> str:
    level = raw.strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(key, f"{raw!r} is not one of DEBUG, INFO, WARNING, ERROR")
    return level


def _health_addr(key: str, raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    host, sep, port = raw.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(key, f"{raw!r} is not host:port (leave empty to turn it off)")
    return raw


def _language(key: str, raw: str) -> str:
    if parse_room_locale(raw) is None:
        raise ConfigError(key, f"{raw!r} is not one of {', '.join(LANGUAGES)} "
                               "(or a locale of one, like de_CH or en_US)")
    return raw.strip()


def _theme(key: str, raw: str) -> str:
    name = raw.strip().lower()
    if name not in THEME_NAMES:
        raise ConfigError(key, f"{raw!r} is not one of {', '.join(THEME_NAMES)}")
    return name
def validate_calendar_url(value: str, key: str) -> str:
    """An https calendar address (`webcal://` read as `https://`), or raise ConfigError.

    The address is never quoted back: a published calendar's address is its password.
    """
    value = value.strip()
    if value.lower().startswith("webcal://"):
        value = "https://" + value[len("webcal://"):]
    parts = urlsplit(value)
    if parts.username is not None or parts.password is not None:
        raise ConfigError(key, "must not contain a user name or password")
    if parts.scheme not in ("https", "http") or not parts.hostname or any(
            ch.isspace() for ch in value):
        raise ConfigError(key, "is not an https:// or webcal:// address")
    try:
        _ = parts.port
    except ValueError:
        raise ConfigError(key, "has an invalid port") from None
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(key, "uses plain http; only https is allowed for a remote server")
    return value


def _domains(key: str, raw: str) -> tuple[str, ...]:
    domains: list[str] = []
    for entry in filter(None, (e.strip().lower() for e in re.split(r"[,;\s]+", raw))):
        domain = entry.lstrip("@").strip(".")
        if not DOMAIN_PATTERN.fullmatch(domain):
            raise ConfigError(key, f"{entry!r} is not a domain like vc.example.com")
        if domain not in domains:
            domains.append(domain)
    return tuple(domains)


def _readable_file(key: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_file():
        raise ConfigError(key, f"{raw!r} is not a readable file")
    return path


def _password_file(key: str, raw: str) -> str:
    path = _readable_file(key, raw)
    try:
        # Only the first line: files written with `echo` end in a newline.
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise ConfigError(key, f"{raw!r} cannot be read as a UTF-8 text file") from None
    if not lines or not lines[0].strip():
        raise ConfigError(key, f"{raw!r} is empty")
    return lines[0].strip()


def _calendar_settings(get: Callable[[str], str]) -> CalendarSettings:
    """The KIOSK_CALENDAR_*, KIOSK_CALDAV_* and meeting-address settings."""
    kwargs: dict[str, object] = {}
    if get("KIOSK_CALENDAR_URL"):
        kwargs["url"] = validate_calendar_url(get("KIOSK_CALENDAR_URL"), "KIOSK_CALENDAR_URL")
    if get("KIOSK_CALENDAR_CA_BUNDLE"):
        kwargs["ca_bundle"] = _readable_file("KIOSK_CALENDAR_CA_BUNDLE",
                                             get("KIOSK_CALENDAR_CA_BUNDLE"))
    if get("KIOSK_CALENDAR_VERIFY_TLS"):
        kwargs["verify_tls"] = _bool("KIOSK_CALENDAR_VERIFY_TLS", get("KIOSK_CALENDAR_VERIFY_TLS"))
    if get("KIOSK_CALENDAR_REFRESH_SECONDS"):
        kwargs["refresh_seconds"] = _number(
            "KIOSK_CALENDAR_REFRESH_SECONDS", get("KIOSK_CALENDAR_REFRESH_SECONDS"), 30, 86400)
    if get("KIOSK_CALDAV_URL"):
        if get("KIOSK_CALENDAR_URL"):
            raise ConfigError("KIOSK_CALDAV_URL", "set either KIOSK_CALENDAR_URL or "
                                                  "KIOSK_CALDAV_URL, not both")
        kwargs["caldav_url"] = validate_calendar_url(get("KIOSK_CALDAV_URL"), "KIOSK_CALDAV_URL")
        kwargs["caldav_username"] = get("KIOSK_CALDAV_USERNAME")
        if get("KIOSK_CALDAV_PASSWORD") and get("KIOSK_CALDAV_PASSWORD_FILE"):
            raise ConfigError("KIOSK_CALDAV_PASSWORD", "set it or KIOSK_CALDAV_PASSWORD_FILE, "
                                                       "not both")
        if get("KIOSK_CALDAV_PASSWORD_FILE"):
            kwargs["caldav_password"] = _password_file("KIOSK_CALDAV_PASSWORD_FILE",
                                                       get("KIOSK_CALDAV_PASSWORD_FILE"))
        else:
            kwargs["caldav_password"] = get("KIOSK_CALDAV_PASSWORD")
        if kwargs["caldav_password"] and not kwargs["caldav_username"]:
            raise ConfigError("KIOSK_CALDAV_USERNAME", "is needed with a CalDAV password")
    if get("KIOSK_MEETING_DOMAINS"):
        kwargs["meeting_domains"] = _domains("KIOSK_MEETING_DOMAINS", get("KIOSK_MEETING_DOMAINS"))
    alias = get("KIOSK_TEAMS_GATEWAY_ALIAS")
    if alias:
        if any(ch.isspace() for ch in alias):
            raise ConfigError("KIOSK_TEAMS_GATEWAY_ALIAS", f"{alias!r} is not an alias "
                                                           "(no spaces)")
        kwargs["teams_gateway_alias"] = alias
    if get("KIOSK_GATEWAY_DIALING"):
        kwargs["gateway_dialing"] = _bool("KIOSK_GATEWAY_DIALING", get("KIOSK_GATEWAY_DIALING"))
    if get("KIOSK_MEETING_RULES"):
        try:
            kwargs["meeting_rules"] = load_meeting_rules(Path(get("KIOSK_MEETING_RULES")))
        except MeetingRulesError as exc:
            raise ConfigError("KIOSK_MEETING_RULES", str(exc)) from None
    if get("KIOSK_JOIN_EARLY_MINUTES"):
        kwargs["join_early_minutes"] = _number(
            "KIOSK_JOIN_EARLY_MINUTES", get("KIOSK_JOIN_EARLY_MINUTES"), 0, 60)
    if get("KIOSK_CALENDAR_SHOW_SUBJECTS"):
        kwargs["show_subjects"] = _bool("KIOSK_CALENDAR_SHOW_SUBJECTS",
                                        get("KIOSK_CALENDAR_SHOW_SUBJECTS"))
    if get("KIOSK_AUTO_JOIN"):
        kwargs["auto_join"] = _bool("KIOSK_AUTO_JOIN", get("KIOSK_AUTO_JOIN"))
    return CalendarSettings(**kwargs)  # type: ignore[arg-type]


def _state_dir(key: str, raw: str) -> Path:
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ConfigError(key, f"{raw!r} is not an absolute path (like /var/lib/pexip-kiosk)")
    if path.exists() and not path.is_dir():
        raise ConfigError(key, f"{raw!r} exists and is not a directory")
    return path


def read_env_file(path: Path) -> dict[str, str]:
    """Read a `.env` file strictly; a file that cannot be read or parsed raises ConfigError."""
    return strict_env_file.read_env_file(path).values


def _warn_about_proxy_variables_in_file(
    file_values: Mapping[str, str], environment: Mapping[str, str], env_file: Path | None
) -> None:
    """The proxy variables work only from the process environment: say so if the file has one."""
    for name in file_values:
        if name.upper() in PROXY_VARIABLES and name not in environment:
            log.warning(
                "%s in %s is ignored: proxy variables are read from the environment only "
                "(on a device: `sudo systemctl edit pexip-kiosk`, Environment=%s=...)",
                name, env_file, name,
            )


def load_settings(
    env_file: Path | None = DEFAULT_ENV_FILE,
    environ: Mapping[str, str] | None = None,
    require_node: bool = True,
    env_file_required: bool = False,
) -> Settings:
    """Build validated Settings from `env_file` (if it exists) overlaid by `environ`.

    `env_file_required`: the file was named explicitly (`--env-file`), so a missing
    one is an error too. Raises ConfigError with a one-line message on the first bad
    value; warns once about each unknown PEXIP_*/KIOSK_* key.
    """
    raw: dict[str, str] = {}
    origins: dict[str, str] = {}
    if env_file is not None and (env_file_required or os.path.lexists(env_file)):
        parsed = strict_env_file.read_env_file(env_file)
        raw.update(parsed.values)
        origins.update({key: f"line {line} of {env_file}" for key, line in parsed.lines.items()})
    for key, value in raw.items():
        check_value(key, value, origins.get(key, str(env_file)))
    environment = os.environ if environ is None else environ
    _warn_about_proxy_variables_in_file(raw, environment, env_file)
    for key, value in environment.items():
        if looks_like_a_setting(key):
            check_value(key, value, "the environment")
            origins[key] = "the environment"
    warn_about_unknown_keys({k: v for k, v in origins.items() if looks_like_a_setting(k)},
                            known_setting_keys())
    raw.update(environment)

    def get(key: str, default: str = "") -> str:
        return raw.get(key, default).strip()

    kwargs: dict[str, object] = {}
    node = get("PEXIP_NODE")
    if node:
        kwargs["node"] = validate_node_url(node)
    elif require_node:
        raise ConfigError("PEXIP_NODE", "is not set (the https address of a Conferencing Node)")
    kwargs["conference"] = get("PEXIP_CONFERENCE")
    if "PEXIP_DISPLAY_NAME" in raw:
        name = get("PEXIP_DISPLAY_NAME")
        if not name:
            raise ConfigError("PEXIP_DISPLAY_NAME", "must not be empty (it is the room's name)")
        kwargs["display_name"] = name
    ca_bundle = get("PEXIP_CA_BUNDLE")
    if ca_bundle:
        path = Path(ca_bundle).expanduser()
        check_ca_bundle("PEXIP_CA_BUNDLE", path)  # a regular PEM file with a certificate
        kwargs["ca_bundle"] = path
    if get("PEXIP_VERIFY_TLS"):
        kwargs["verify_tls"] = _bool("PEXIP_VERIFY_TLS", get("PEXIP_VERIFY_TLS"))
    if get("KIOSK_LOG_LEVEL"):
        kwargs["log_level"] = _log_level("KIOSK_LOG_LEVEL", get("KIOSK_LOG_LEVEL"))
    if get("KIOSK_PIN_MAX_ATTEMPTS"):
        kwargs["pin_max_attempts"] = int(
            _number("KIOSK_PIN_MAX_ATTEMPTS", get("KIOSK_PIN_MAX_ATTEMPTS"), 1, 100, integer=True)
        )
    if get("KIOSK_PIN_COOLDOWN_SECONDS"):
        kwargs["pin_cooldown_seconds"] = _number(
            "KIOSK_PIN_COOLDOWN_SECONDS", get("KIOSK_PIN_COOLDOWN_SECONDS"), 0, 3600
        )
    if get("KIOSK_CAMERA"):
        kwargs["camera"] = _camera("KIOSK_CAMERA", get("KIOSK_CAMERA"))
    kwargs["camera_format"] = get("KIOSK_CAMERA_FORMAT")
    if get("KIOSK_CAMERA_SIZE"):
        kwargs["camera_size"] = _size("KIOSK_CAMERA_SIZE", get("KIOSK_CAMERA_SIZE"))
    if get("KIOSK_CAMERA_FPS"):
        kwargs["camera_fps"] = int(
            _number("KIOSK_CAMERA_FPS", get("KIOSK_CAMERA_FPS"), 1, 120, integer=True)
        )
    if get("KIOSK_MICROPHONE"):
        kwargs["microphone"] = get("KIOSK_MICROPHONE")
    if get("KIOSK_SPEAKER"):
        kwargs["speaker"] = get("KIOSK_SPEAKER")
    if get("KIOSK_VIDEO_CODECS"):
        kwargs["video_codecs"] = _codecs("KIOSK_VIDEO_CODECS", get("KIOSK_VIDEO_CODECS"))
    if get("KIOSK_VIDEO_ENCODER"):
        kwargs["video_encoder"] = _video_encoder("KIOSK_VIDEO_ENCODER", get("KIOSK_VIDEO_ENCODER"))
    if get("KIOSK_ICE_TIMEOUT_SECONDS"):
        kwargs["ice_timeout_seconds"] = _number(
            "KIOSK_ICE_TIMEOUT_SECONDS", get("KIOSK_ICE_TIMEOUT_SECONDS"), 1, 120
        )
    if get("KIOSK_RECONNECT_GIVE_UP_SECONDS"):
        kwargs["reconnect_give_up_seconds"] = _number(
            "KIOSK_RECONNECT_GIVE_UP_SECONDS", get("KIOSK_RECONNECT_GIVE_UP_SECONDS"), 5, 86400
        )
    if get("KIOSK_PRESENTATION"):
        kwargs["presentation"] = _presentation("KIOSK_PRESENTATION", get("KIOSK_PRESENTATION"))
    if get("KIOSK_MEETINGS"):
        kwargs["meetings"] = _meetings("KIOSK_MEETINGS", get("KIOSK_MEETINGS"))
    if get("KIOSK_IDLE_SECONDS"):
        kwargs["idle_seconds"] = _number("KIOSK_IDLE_SECONDS", get("KIOSK_IDLE_SECONDS"), 0, 86400)
    admin_pin = get("KIOSK_ADMIN_PIN")
    if admin_pin:
        if not admin_pin.isdigit() or not 4 <= len(admin_pin) <= 12:
            # Never echo the value: it is a secret.
            raise ConfigError("KIOSK_ADMIN_PIN", "must be 4 to 12 digits")
        kwargs["admin_pin"] = admin_pin
    if get("KIOSK_BACKLIGHT"):
        kwargs["backlight"] = get("KIOSK_BACKLIGHT")
    if get("KIOSK_ROTATION"):
        rotation = int(_number("KIOSK_ROTATION", get("KIOSK_ROTATION"), 0, 270, integer=True))
        if rotation % 90:
            raise ConfigError("KIOSK_ROTATION", f"{rotation} is not 0, 90, 180 or 270")
        kwargs["rotation"] = rotation
    if get("KIOSK_FULLSCREEN"):
        kwargs["fullscreen"] = _bool("KIOSK_FULLSCREEN", get("KIOSK_FULLSCREEN"))
    if get("KIOSK_SHOW_DEMO_PINS"):
        kwargs["show_demo_pins"] = _bool("KIOSK_SHOW_DEMO_PINS", get("KIOSK_SHOW_DEMO_PINS"))
    if get("KIOSK_LANGUAGE"):
        kwargs["language"] = _language("KIOSK_LANGUAGE", get("KIOSK_LANGUAGE"))
    if get("KIOSK_CLOCK_24H"):
        kwargs["clock_24h"] = _bool("KIOSK_CLOCK_24H", get("KIOSK_CLOCK_24H"))
    if get("KIOSK_THEME"):
        kwargs["theme"] = _theme("KIOSK_THEME", get("KIOSK_THEME"))
    if get("KIOSK_TEXT_SCALE"):
        kwargs["text_scale"] = _number("KIOSK_TEXT_SCALE", get("KIOSK_TEXT_SCALE"), 1.0, 1.6)
    if "KIOSK_HEALTH_ADDR" in raw:
        kwargs["health_addr"] = _health_addr("KIOSK_HEALTH_ADDR", get("KIOSK_HEALTH_ADDR"))
    kwargs["calendar"] = _calendar_settings(get)
    if get("KIOSK_STATE_DIR"):
        kwargs["state_dir"] = _state_dir("KIOSK_STATE_DIR", get("KIOSK_STATE_DIR"))
    if get("KIOSK_VOLUME_DEFAULT"):
        kwargs["volume_default"] = int(
            _number("KIOSK_VOLUME_DEFAULT", get("KIOSK_VOLUME_DEFAULT").rstrip("%").strip(),
                    0, 100, integer=True))

    settings = Settings(**kwargs)  # type: ignore[arg-type]
    if not settings.verify_tls:
        log.warning(
            "PEXIP_VERIFY_TLS is false: the node's TLS certificate is NOT checked. "
            "Anyone on the network can impersonate the node. Use PEXIP_CA_BUNDLE instead."
        )
    if not settings.calendar.verify_tls and settings.calendar.configured:
        log.warning(
            "KIOSK_CALENDAR_VERIFY_TLS is false: the calendar server's TLS certificate is NOT "
            "checked. Use KIOSK_CALENDAR_CA_BUNDLE instead."
        )
    return settings
