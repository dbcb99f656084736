"""Settings: .env file + environment, validated once with one-line errors."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trustme

from kiosk.config import ConfigError, Meeting, load_settings

REPO = Path(__file__).resolve().parent.parent


def write_env(tmp_path: Path, text: str) -> Path:
    path = tmp_path / ".env"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_env_example_documents_every_setting_and_loads() -> None:
    example = REPO / ".env.example"
    settings = load_settings(example, environ={})
    assert settings.node == "https://pexip.example.com"
    assert settings.verify_tls is True
    text = example.read_text()
    config_source = (REPO / "kiosk" / "config.py").read_text()
    import re

    keys_read = set(re.findall(r'"((?:PEXIP|KIOSK)_[A-Z_]+)"', config_source))
    documented = set(re.findall(r"^((?:PEXIP|KIOSK)_[A-Z_]+)=", text, re.MULTILINE))
    assert keys_read - documented == set(), "every setting must be documented in .env.example"


def test_environment_wins_over_env_file(tmp_path: Path) -> None:
    env = write_env(tmp_path, "PEXIP_NODE=https://file.example.com\nPEXIP_DISPLAY_NAME=File\n")
    settings = load_settings(env, environ={"PEXIP_DISPLAY_NAME": "Env room"})
    assert settings.node == "https://file.example.com"
    assert settings.display_name == "Env room"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"PEXIP_NODE": "htp:/x"}, "PEXIP_NODE: 'htp:/x' is not an https URL"),
        ({"PEXIP_NODE": "http://pexip.example.com"}, "PEXIP_NODE: 'http://pexip.example.com'"),
        ({"PEXIP_NODE": "https://pexip.example.com:99999"}, "PEXIP_NODE: 'https://pexip.exa"),
        ({"PEXIP_NODE": "https://pexip.example.com:web"}, "PEXIP_NODE: 'https://pexip.exa"),
        ({"PEXIP_NODE": "https://pexip example.com"}, "PEXIP_NODE: 'https://pexip example"),
        ({}, "PEXIP_NODE: is not set"),
        ({"PEXIP_NODE": "https://a", "PEXIP_VERIFY_TLS": "maybe"}, "PEXIP_VERIFY_TLS: 'maybe'"),
        ({"PEXIP_NODE": "https://a", "KIOSK_CAMERA_SIZE": "big"}, "KIOSK_CAMERA_SIZE: 'big'"),
        ({"PEXIP_NODE": "https://a", "KIOSK_CAMERA": "file: "}, "KIOSK_CAMERA: file: needs"),
        ({"PEXIP_NODE": "https://a", "KIOSK_MEETINGS": "Board"}, "KIOSK_MEETINGS: 'Board'"),
        ({"PEXIP_NODE": "https://a", "KIOSK_VIDEO_CODECS": "AV1"}, "KIOSK_VIDEO_CODECS: 'AV1'"),
        ({"PEXIP_NODE": "https://a", "KIOSK_VIDEO_ENCODER": "gpu"}, "KIOSK_VIDEO_ENCODER: 'gpu'"),
        ({"PEXIP_NODE": "https://a", "KIOSK_ROTATION": "45"}, "KIOSK_ROTATION: 45"),
        ({"PEXIP_NODE": "https://a", "KIOSK_HEALTH_ADDR": "nope"}, "KIOSK_HEALTH_ADDR: 'nope'"),
        ({"PEXIP_NODE": "https://a", "PEXIP_CA_BUNDLE": "/no/such.pem"}, "PEXIP_CA_BUNDLE:"),
        ({"PEXIP_NODE": "https://a", "KIOSK_PIN_MAX_ATTEMPTS": "x"}, "KIOSK_PIN_MAX_ATTEMPTS:"),
        ({"PEXIP_NODE": "https://a", "KIOSK_RECONNECT_GIVE_UP_SECONDS": "2"},
         "KIOSK_RECONNECT_GIVE_UP_SECONDS: '2' is out of range"),
        ({"PEXIP_NODE": "https://a", "KIOSK_PRESENTATION": "slides"}, "KIOSK_PRESENTATION: 'sl"),
    ],
)
def test_bad_values_give_one_line_naming_the_key(environ: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ=environ)
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_plain_http_allowed_only_for_loopback() -> None:
    for node in ("http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"):
        settings = load_settings(None, environ={"PEXIP_NODE": node})
        assert settings.node_is_loopback
    assert not load_settings(None, environ={"PEXIP_NODE": "https://vc.example.com"}).node_is_loopback


@pytest.mark.parametrize(
    ("node", "secret", "problem"),
    [
        ("https://pexip.example.com/webapp/?conference=meet&pin=4711", "4711", "address only"),
        ("https://pexip.example.com/#pin=4711", "4711", "address only"),
        ("https://admin:hunter2@pexip.example.com", "hunter2", "user name or password"),
    ],
)
def test_a_node_address_with_a_secret_is_refused_without_echoing_it(
    node: str, secret: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"PEXIP_NODE": node})

    assert caught.value.key == "PEXIP_NODE"
    assert problem in str(caught.value)
    assert secret not in str(caught.value)


def test_admin_pin_is_never_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"PEXIP_NODE": "https://a", "KIOSK_ADMIN_PIN": "12ab"})
    assert "12ab" not in str(caught.value)
    settings = load_settings(None, environ={"PEXIP_NODE": "https://a", "KIOSK_ADMIN_PIN": "2580"})
    assert "2580" not in repr(settings)


def test_broken_env_file_is_a_clear_error(tmp_path: Path) -> None:
    env = write_env(tmp_path, "PEXIP_NODE=https://a\nthis line is garbage\n")
    with pytest.raises(ConfigError, match="line 2 is not KEY=value"):
        load_settings(env, environ={})
    binary = tmp_path / "binary.env"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        load_settings(binary, environ={})


def test_reconnect_give_up_defaults_to_two_minutes_and_can_be_set() -> None:
    node = {"PEXIP_NODE": "https://a"}
    assert load_settings(None, environ=node).reconnect_give_up_seconds == 120.0
    settings = load_settings(None, environ={**node, "KIOSK_RECONNECT_GIVE_UP_SECONDS": "30"})
    assert settings.reconnect_give_up_seconds == 30.0


def test_meetings_and_default_conference() -> None:
    settings = load_settings(
        None,
        environ={
            "PEXIP_NODE": "https://a",
            "PEXIP_CONFERENCE": "meet.room",
            "KIOSK_MEETINGS": "Weekly sync=meet.weekly; Board=board",
        },
    )
    assert settings.all_meetings() == (
        Meeting("meet.room", "meet.room"),
        Meeting("Weekly sync", "meet.weekly"),
        Meeting("Board", "board"),
    )


def test_verify_tls_false_logs_a_loud_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        settings = load_settings(None, environ={"PEXIP_NODE": "https://a", "PEXIP_VERIFY_TLS": "0"})
    assert settings.tls_verify is False
    assert any("NOT checked" in r.getMessage() for r in caplog.records)


def test_ca_bundle_is_used_for_verification(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(bundle))
    environ = {"PEXIP_NODE": "https://a", "PEXIP_CA_BUNDLE": str(bundle)}
    settings = load_settings(None, environ=environ)
    assert settings.tls_verify == str(bundle)


def test_proxy_variables_in_the_env_file_get_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = write_env(tmp_path, "PEXIP_NODE=https://a\nHTTPS_PROXY=http://proxy:3128\n"
                              "no_proxy=.example.com\n")
    with caplog.at_level(logging.WARNING):
        load_settings(env, environ={"NO_PROXY": ".example.com"})
        load_settings(env, environ={"HTTPS_PROXY": "http://proxy:3128",
                                    "no_proxy": ".example.com"})

    warnings = [r.getMessage() for r in caplog.records if "is ignored" in r.getMessage()]
    assert warnings == [
        f"HTTPS_PROXY in {env} is ignored: proxy variables are read from the environment only "
        "(on a device: `sudo systemctl edit pexip-kiosk`, Environment=HTTPS_PROXY=...)",
        f"no_proxy in {env} is ignored: proxy variables are read from the environment only "
        "(on a device: `sudo systemctl edit pexip-kiosk`, Environment=no_proxy=...)",
    ]


@pytest.mark.parametrize("mode", ["stream", "jpeg", "main", "off", " MAIN "])
def test_presentation_modes(mode: str) -> None:
    settings = load_settings(None, environ={"PEXIP_NODE": "https://a", "KIOSK_PRESENTATION": mode})
    assert settings.presentation == mode.strip().lower()
    assert load_settings(None, environ={"PEXIP_NODE": "https://a"}).presentation == "stream"

def test_video_encoder_choice() -> None:
    base = {"PEXIP_NODE": "https://a"}
    assert load_settings(None, environ=base).video_encoder == "auto"
    for value in ("auto", "software", "V4L2M2M"):
        settings = load_settings(None, environ={**base, "KIOSK_VIDEO_ENCODER": value})
        assert settings.video_encoder == value.lower()


# --- Calendar settings (CALENDAR engineer) -------------------------------------------------


def test_calendar_settings_default_to_no_calendar() -> None:
    settings = load_settings(None, environ={"PEXIP_NODE": "https://a"})
    calendar = settings.calendar
    assert not calendar.configured
    assert calendar.refresh_seconds == 300
    assert calendar.join_early_minutes == 5
    assert calendar.show_subjects is True and calendar.auto_join is False
    assert calendar.gateway_dialing is False and calendar.meeting_domains == ()
    assert calendar.tls_verify is True
    assert settings.state_dir == Path("/var/lib/pexip-kiosk")


def test_calendar_settings_are_read(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\nname = 'ids'\nmatch = '(\\d{9})'\nalias = '\\1@vmr.example.com'\n")
    settings = load_settings(None, environ={
        "PEXIP_NODE": "https://a",
        "KIOSK_CALENDAR_URL": "webcal://outlook.example.com/owa/calendar/abc/reachcalendar.ics",
        "KIOSK_CALENDAR_CA_BUNDLE": str(bundle),
        "KIOSK_CALENDAR_REFRESH_SECONDS": "120",
        "KIOSK_MEETING_DOMAINS": "vc.example.com, @Meet.Example.org;vc.example.com",
        "KIOSK_TEAMS_GATEWAY_ALIAS": "teams.reception",
        "KIOSK_GATEWAY_DIALING": "yes",
        "KIOSK_MEETING_RULES": str(rules),
        "KIOSK_JOIN_EARLY_MINUTES": "10",
        "KIOSK_CALENDAR_SHOW_SUBJECTS": "false",
        "KIOSK_AUTO_JOIN": "true",
        "KIOSK_STATE_DIR": str(tmp_path / "state"),
    })
    calendar = settings.calendar
    assert calendar.url == "https://outlook.example.com/owa/calendar/abc/reachcalendar.ics"
    assert calendar.configured and calendar.tls_verify == str(bundle)
    assert calendar.refresh_seconds == 120
    assert calendar.meeting_domains == ("vc.example.com", "meet.example.org")
    assert calendar.teams_gateway_alias == "teams.reception"
    assert calendar.gateway_dialing is True
    assert [r.name for r in calendar.meeting_rules] == ["ids"]
    assert calendar.meeting_rules[0].apply("ID 123456789") == ("123456789@vmr.example.com", None)
    assert calendar.join_early_minutes == 10
    assert calendar.show_subjects is False and calendar.auto_join is True
    assert settings.state_dir == tmp_path / "state"


def test_a_caldav_password_file_is_read_and_never_shown(tmp_path: Path) -> None:
    secret = tmp_path / "caldav-password"
    secret.write_text("s3cret-Passw0rd\n")
    settings = load_settings(None, environ={
        "PEXIP_NODE": "https://a", "KIOSK_CALDAV_URL": "https://dav.example.com/cal/room/",
        "KIOSK_CALDAV_USERNAME": "room42", "KIOSK_CALDAV_PASSWORD_FILE": str(secret)})
    assert settings.calendar.caldav_password == "s3cret-Passw0rd"
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("environ", "expected", "secret"),
    [
        ({"KIOSK_CALENDAR_URL": "ftp://x/cal.ics?key=topsecret"},
         "KIOSK_CALENDAR_URL: is not an https:// or webcal:// address", "topsecret"),
        ({"KIOSK_CALENDAR_URL": "http://calendar.example.com/cal.ics?key=topsecret"},
         "KIOSK_CALENDAR_URL: uses plain http", "topsecret"),
        ({"KIOSK_CALENDAR_URL": "https://user:topsecret@calendar.example.com/cal.ics"},
         "KIOSK_CALENDAR_URL: must not contain a user name or password", "topsecret"),
        ({"KIOSK_CALENDAR_URL": "https://a/x.ics", "KIOSK_CALDAV_URL": "https://b/"},
         "KIOSK_CALDAV_URL: set either", ""),
        ({"KIOSK_CALDAV_URL": "https://b/", "KIOSK_CALDAV_PASSWORD": "topsecret"},
         "KIOSK_CALDAV_USERNAME: is needed", "topsecret"),
        ({"KIOSK_CALDAV_URL": "https://b/", "KIOSK_CALDAV_PASSWORD_FILE": "/no/such/file"},
         "KIOSK_CALDAV_PASSWORD_FILE: '/no/such/file' is not a readable file", ""),
        ({"KIOSK_CALENDAR_REFRESH_SECONDS": "5"}, "KIOSK_CALENDAR_REFRESH_SECONDS: '5' is out", ""),
        ({"KIOSK_MEETING_DOMAINS": "vc.example.com, bad_domain"},
         "KIOSK_MEETING_DOMAINS: 'bad_domain' is not a domain", ""),
        ({"KIOSK_TEAMS_GATEWAY_ALIAS": "teams reception"}, "KIOSK_TEAMS_GATEWAY_ALIAS:", ""),
        ({"KIOSK_GATEWAY_DIALING": "sometimes"}, "KIOSK_GATEWAY_DIALING: 'sometimes'", ""),
        ({"KIOSK_MEETING_RULES": "/no/rules.toml"},
         "KIOSK_MEETING_RULES: meeting rules /no/rules.toml: does not exist", ""),
        ({"KIOSK_JOIN_EARLY_MINUTES": "-1"}, "KIOSK_JOIN_EARLY_MINUTES: '-1' is out", ""),
        ({"KIOSK_AUTO_JOIN": "maybe"}, "KIOSK_AUTO_JOIN: 'maybe'", ""),
        ({"KIOSK_CALENDAR_SHOW_SUBJECTS": "2"}, "KIOSK_CALENDAR_SHOW_SUBJECTS: '2'", ""),
    ],
)
def test_bad_calendar_settings_give_one_line_and_keep_secrets(
    environ: dict[str, str], expected: str, secret: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"PEXIP_NODE": "https://a", **environ})
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message
    if secret:
        assert secret not in message


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("not toml [", "is not valid TOML"),
        ("[[rule]]\nname = 'x'\nmatch = '('\nalias = 'a'\n", "'match' is not a regular expression"),
        ("[[rule]]\nname = 'x'\nmatch = '(\\d+)'\nalias = '\\2@vmr'\n", "refers to group 2"),
        ("[[rule]]\nname = 'x'\nmatch = '(?P<id>\\d+)'\nalias = '\\g<nr>@vmr'\n",
         "refers to group 'nr'"),
        ("[[rule]]\nname = 'x'\nmatch = 'a'\n", "'alias' must be a non-empty string"),
        ("[[rule]]\nname = 'x'\nmatch = 'a'\nalias = 'b'\ncolour = 'red'\n",
         "unknown key 'colour'"),
        ("[[rule]]\nname = 'x'\nmatch = 'a'\nalias = 'b'\n[[rule]]\nname = 'x'\nmatch = 'c'\n"
         "alias = 'd'\n", "the name 'x' is used twice"),
        ("title = 'rules'\n", "unknown key 'title'"),
    ],
)
def test_a_bad_meeting_rules_file_is_a_configuration_error(
    tmp_path: Path, rules: str, problem: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(rules)
    with pytest.raises(ConfigError) as caught:
        load_settings(None, environ={"PEXIP_NODE": "https://a", "KIOSK_MEETING_RULES": str(path)})
    assert caught.value.key == "KIOSK_MEETING_RULES"
    assert problem in str(caught.value)
def test_file_camera_setting_keeps_its_path() -> None:
    settings = load_settings(None, environ={"PEXIP_NODE": "https://a",
                                            "KIOSK_CAMERA": "file:/srv/Clip One.mkv"})
    assert settings.camera == "file:/srv/Clip One.mkv"
