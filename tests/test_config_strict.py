"""Strict settings: what python-dotenv cannot parse, unknown keys, bad values, named files.

Each row of issue 8's settings probes, tried the way an installer would meet it:
through `load_settings` and through `pexip-kiosk run --env-file` (exit 2, one line).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import trustme

from kiosk.config import (
    CALENDAR_KEYS,
    ConfigError,
    Settings,
    known_setting_keys,
    load_settings,
    setting_key,
)
from kiosk.settings_checks.named_files import check_ca_bundle, read_toml_file
from kiosk.settings_checks.setting_values import MAX_VALUE_LENGTH

REPO = Path(__file__).resolve().parent.parent
NODE = "PEXIP_NODE=https://pexip.example.com\n"
FIFO_DEADLINE = 10.0


def env_file(tmp_path: Path, text: str | bytes, name: str = "kiosk.env") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def refused(env: Path | None, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(env, environ=environ or {})
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- lines python-dotenv cannot parse -------------------------------------------------

@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("=value", "line 3 has no key before '='"),
        ('KIOSK_CAMERA="test', 'line 3 has a quote (") that is not closed'),
        ("KIOSK_CAMERA='test", "line 3 has a quote (') that is not closed"),
        ("KIOSK CAMERA=test", "line 3 has a space in its key"),
        ('KIOSK_CAMERA="test" trailing', "line 3 has text after the closing quote"),
        ("this line is garbage", "line 3 is not KEY=value"),
        ("KIOSK_CAMERA", "line 3 is not KEY=value"),
    ],
)
def test_a_line_dotenv_cannot_parse_names_the_file_line_and_problem(
    tmp_path: Path, line: str, problem: str
) -> None:
    env = env_file(tmp_path, f"# the room\n{NODE}{line}\nKIOSK_CAMERA_FPS=30\n")

    assert refused(env).startswith(f"{env}: {problem}")


def test_the_line_number_counts_blank_lines_and_comments(tmp_path: Path) -> None:
    env = env_file(tmp_path, f"{NODE}\n\n# comment\n\n   \n=oops\n")
    assert refused(env) == f"{env}: line 7 has no key before '='"


def test_a_quote_closed_lines_later_is_a_value_over_several_lines(tmp_path: Path) -> None:
    env = env_file(tmp_path, f'{NODE}PEXIP_DISPLAY_NAME="Board\nKIOSK_CAMERA=test"\n')
    assert refused(env) == (f"{env}: line 2: the value of PEXIP_DISPLAY_NAME runs over several "
                            "lines (a quote that is not closed?)")


def test_a_bad_line_never_shows_its_text(tmp_path: Path) -> None:
    env = env_file(tmp_path, f'{NODE}KIOSK_ADMIN_PIN="246813\n')
    assert "246813" not in refused(env)


@pytest.mark.parametrize(
    ("line", "problem"),
    [("=value", "line 2 has no key before '='"),
     ('PEXIP_DISPLAY_NAME="Board', 'line 2 has a quote (") that is not closed'),
     ("MY KEY=1", "line 2 has a space in its key")],
)
def test_pexip_kiosk_run_stops_with_exit_2_and_one_line(
    tmp_path: Path, line: str, problem: str
) -> None:
    env = env_file(tmp_path, f"{NODE}{line}\n")

    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--env-file", str(env)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PEXIP_", "KIOSK_"))},
        check=False,
    )

    assert result.returncode == 2
    assert result.stderr.startswith(f"pexip-kiosk: {env}: {problem}")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


# --- unknown keys ---------------------------------------------------------------------

def test_a_misspelt_key_gets_one_warning_with_the_closest_known_key(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = env_file(tmp_path, f"{NODE}KIOSK_CAMERA_FSP=30\n")
    with caplog.at_level(logging.WARNING):
        settings = load_settings(env, environ={"KIOSK_IDLE_SECOND": "5", "HOME": "/root"})

    assert settings.camera_fps == 30  # the default: the misspelt key was not used
    warnings = sorted(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert warnings == [
        f"KIOSK_CAMERA_FSP (line 2 of {env}) is not a setting of this kiosk and is ignored; "
        "did you mean KIOSK_CAMERA_FPS?",
        "KIOSK_IDLE_SECOND (the environment) is not a setting of this kiosk and is ignored; "
        "did you mean KIOSK_IDLE_SECONDS?",
    ]


def test_an_unknown_key_with_nothing_close_gets_no_suggestion(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = env_file(tmp_path, f"{NODE}KIOSK_TELEPORTER=on\nOTHER_THING=1\n")
    with caplog.at_level(logging.WARNING):
        load_settings(env, environ={})
    assert [r.getMessage() for r in caplog.records] == [
        f"KIOSK_TELEPORTER (line 2 of {env}) is not a setting of this kiosk and is ignored"
    ]


def test_the_example_file_and_every_known_key_give_no_warning(
    caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        load_settings(REPO / ".env.example", environ={})
    assert caplog.records == []


def test_known_keys_come_from_the_settings_fields() -> None:
    known = known_setting_keys()
    plain = {setting_key(f.name) for f in dataclasses.fields(Settings) if f.name != "calendar"}
    assert known == plain | CALENDAR_KEYS  # the calendar's keys are named on their own
    assert {"PEXIP_NODE", "PEXIP_CA_BUNDLE", "KIOSK_CAMERA_FPS", "KIOSK_ADMIN_PIN"} <= known
    # Every key the loader reads is a field's key: a new setting is known as soon as it exists.
    read = set(re.findall(r'"((?:PEXIP|KIOSK)_[A-Z_]+)"', (REPO / "kiosk/config.py").read_text()))
    assert read - known == set()


def test_a_key_set_twice_is_a_warning_naming_both_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = env_file(tmp_path, f"{NODE}KIOSK_CAMERA_FPS=15\nKIOSK_CAMERA_FPS=25\n")
    with caplog.at_level(logging.WARNING):
        assert load_settings(env, environ={}).camera_fps == 25
    assert [r.getMessage() for r in caplog.records] == [
        f"{env}: KIOSK_CAMERA_FPS is set on line 2 and again on line 3; line 3 wins"
    ]


# --- values ---------------------------------------------------------------------------

def test_a_nul_byte_in_a_value_is_refused_with_its_line(tmp_path: Path) -> None:
    env = env_file(tmp_path, NODE.encode() + b"PEXIP_DISPLAY_NAME=Board\x00room\n")
    assert refused(env) == (f"PEXIP_DISPLAY_NAME: has a control character (U+0000) in its "
                            f"value (line 2 of {env}); a setting is one line of text")


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\u2028"])
def test_control_characters_in_the_environment_are_refused(char: str) -> None:
    message = refused(None, {"PEXIP_NODE": "https://a", "PEXIP_DISPLAY_NAME": f"Board{char}x"})
    assert message.startswith("PEXIP_DISPLAY_NAME: has a ")
    assert f"(U+{ord(char):04X}) in its value (the environment)" in message


def test_a_2_mb_value_is_refused_without_echoing_it() -> None:
    value = "7" * (2 * 1024 * 1024)
    message = refused(None, {"PEXIP_NODE": "https://a", "KIOSK_ADMIN_PIN": value})
    assert message == (f"KIOSK_ADMIN_PIN: is {len(value)} characters long, at most "
                       f"{MAX_VALUE_LENGTH} are allowed (the environment)")


def test_an_over_long_value_in_the_file_is_refused(tmp_path: Path) -> None:
    env = env_file(tmp_path, f"{NODE}KIOSK_MEETINGS={'a=b;' * 2000}\n")
    assert refused(env).startswith("KIOSK_MEETINGS: is 8000 characters long")


def test_an_env_file_of_megabytes_is_refused(tmp_path: Path) -> None:
    env = env_file(tmp_path, NODE + "# padding\n" * 200_000)
    assert refused(env) == f"{env}: is larger than 1 MB"


def test_other_environment_variables_may_hold_anything() -> None:
    environ = {"PEXIP_NODE": "https://a", "LS_COLORS": "\x1b[0m", "BIG": "x" * 100_000}
    assert load_settings(None, environ=environ).node == "https://a"


# --- only regular files ---------------------------------------------------------------

def load_in_thread(env: Path) -> BaseException | None:
    """load_settings(env) in a thread; the error it raised. Fails if it hangs."""
    outcome: list[BaseException | None] = []

    def load() -> None:
        try:
            load_settings(env, environ={})
        except BaseException as exc:  # handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(FIFO_DEADLINE)
    assert outcome, f"load_settings({env}) hung"
    return outcome[0]


def test_an_env_file_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "kiosk.env"
    os.mkfifo(fifo)

    error = load_in_thread(fifo)

    assert isinstance(error, ConfigError)
    assert str(error) == f"{fifo}: is a named pipe (FIFO), not a regular file"


def test_a_ca_bundle_that_is_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "ca.pem"
    os.mkfifo(fifo)
    env = env_file(tmp_path, f"{NODE}PEXIP_CA_BUNDLE={fifo}\n")

    error = load_in_thread(env)

    assert str(error) == f"PEXIP_CA_BUNDLE: '{fifo}' is a named pipe (FIFO), not a regular file"


def test_a_directory_as_env_file_is_refused(tmp_path: Path) -> None:
    assert refused(tmp_path) == f"{tmp_path}: is a directory, not a regular file"


def test_a_missing_env_file_is_an_error_only_when_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.env"
    environ = {"PEXIP_NODE": "https://a"}
    assert load_settings(missing, environ=environ).node == "https://a"
    with pytest.raises(ConfigError) as caught:
        load_settings(missing, environ=environ, env_file_required=True)
    assert str(caught.value) == f"{missing}: does not exist"


def test_pexip_kiosk_run_with_a_missing_env_file_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "kiosk.env"
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--env-file", str(missing)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False,
    )
    assert (result.returncode, result.stderr) == (2, f"pexip-kiosk: {missing}: does not exist\n")


# --- files named in settings ----------------------------------------------------------

def test_a_ca_bundle_that_is_not_pem_is_refused(tmp_path: Path) -> None:
    html = env_file(tmp_path, "<html>Sign in to the Wi-Fi</html>\n", "portal.pem")
    assert refused(None, {"PEXIP_NODE": "https://a", "PEXIP_CA_BUNDLE": str(html)}) == (
        f"PEXIP_CA_BUNDLE: '{html}' holds no PEM certificate "
        "(no '-----BEGIN CERTIFICATE-----' line)"
    )


def test_a_der_ca_bundle_is_refused_with_a_hint(tmp_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = trustme.CA().cert_pem.bytes()
    der = env_file(tmp_path, x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER),
                   "ca.der")
    message = refused(None, {"PEXIP_NODE": "https://a", "PEXIP_CA_BUNDLE": str(der)})
    assert message.startswith(f"PEXIP_CA_BUNDLE: '{der}' is not a PEM text file")
    assert "openssl x509 -inform der" in message


def test_a_pem_file_with_only_a_key_or_a_broken_certificate_is_refused(tmp_path: Path) -> None:
    ca = trustme.CA()
    key_only = env_file(tmp_path, ca.private_key_pem.bytes(), "key.pem")
    with pytest.raises(ConfigError, match="holds no PEM certificate"):
        check_ca_bundle("PEXIP_CA_BUNDLE", key_only)
    broken = env_file(tmp_path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                      "broken.pem")
    with pytest.raises(ConfigError, match="is not a valid PEM certificate file"):
        check_ca_bundle("PEXIP_CA_BUNDLE", broken)


def test_a_bundle_of_several_certificates_is_counted(tmp_path: Path) -> None:
    bundle = env_file(tmp_path, trustme.CA().cert_pem.bytes() + trustme.CA().cert_pem.bytes(),
                      "bundle.pem")
    assert check_ca_bundle("PEXIP_CA_BUNDLE", bundle) == 2


def test_a_rules_file_must_be_valid_toml(tmp_path: Path) -> None:
    good = env_file(tmp_path, '[rule]\nname = "x"\n', "rules.toml")
    assert read_toml_file("KIOSK_RULES", good) == {"rule": {"name": "x"}}
    bad = env_file(tmp_path, "[rule\nname = x\n", "bad.toml")
    with pytest.raises(ConfigError) as caught:
        read_toml_file("KIOSK_RULES", bad)
    assert str(caught.value).startswith(f"KIOSK_RULES: '{bad}' is not valid TOML (")
    fifo = tmp_path / "rules.fifo"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="named pipe"):
        read_toml_file("KIOSK_RULES", fifo)

