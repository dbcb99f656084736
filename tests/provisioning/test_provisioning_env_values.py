"""install.sh's set_env_value / env_value: any one-line value, read back by the kiosk exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from provisioning_support import INSTALL_SH, run

from kiosk.config import load_settings

ENV_FILE = Path("etc/pexip-kiosk/kiosk.env")
EXAMPLE = "PEXIP_NODE=https://pexip.example.com\nKIOSK_SPEAKER=default\n# a comment\n"


def tree_with_env(root: Path, text: str = EXAMPLE) -> Path:
    env = root / ENV_FILE
    env.parent.mkdir(parents=True, exist_ok=True)
    env.write_text(text)
    return env


def call(root: Path, function: str, *args: str) -> tuple[int, str, str]:
    """Run one install.sh function on the tree at `root` (the script is sourced, not run)."""
    script = 'source "$1"; ROOT=$2; shift 2; "$@"'
    result = run(["bash", "-c", script, "install.sh", INSTALL_SH, root, function, *args])
    return result.returncode, result.stdout, result.stderr


TRICKY_VALUES = [
    "a|b", "a&b", r"back\slash", r"\1 and \n", "it's", 'say "hi"', "#not a comment",
    "room #2", "  spaced  ", "$HOME `id` $(id)", "semi;colon", "é ü 会议室", "=starts with =",
    "ends with \\", "''", "", "plain_value.1",
]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_any_value_is_read_back_exactly(tmp_path: Path, value: str) -> None:
    env = tree_with_env(tmp_path)

    code, _, stderr = call(tmp_path, "set_env_value", "PEXIP_DISPLAY_NAME", value)

    assert code == 0, stderr
    assert dotenv_values(env)["PEXIP_DISPLAY_NAME"] == value
    code, out, _ = call(tmp_path, "env_value", "PEXIP_DISPLAY_NAME")
    assert (code, out) == (0, value)


def test_an_existing_key_is_replaced_in_place_and_the_rest_kept(tmp_path: Path) -> None:
    env = tree_with_env(tmp_path, EXAMPLE + "KIOSK_SPEAKER=old duplicate\n")

    code, _, stderr = call(tmp_path, "set_env_value", "KIOSK_SPEAKER", r"a|b&c\d")

    assert code == 0, stderr
    assert env.read_text() == (
        "PEXIP_NODE=https://pexip.example.com\nKIOSK_SPEAKER='a|b&c\\\\d'\n# a comment\n"
    )
    code, _, _ = call(tmp_path, "set_env_value", "KIOSK_MICROPHONE", "kiosk_ec_mic")
    assert env.read_text().endswith("# a comment\nKIOSK_MICROPHONE=kiosk_ec_mic\n")


def test_the_kiosk_reads_the_written_file(tmp_path: Path) -> None:
    env = tree_with_env(tmp_path)
    name = "Alice's \"big\" room #2 | east & west \\ north"

    assert call(tmp_path, "set_env_value", "PEXIP_DISPLAY_NAME", name)[0] == 0

    assert load_settings(env, environ={}).display_name == name


@pytest.mark.parametrize("value", ["two\nlines", "carriage\rreturn", "tab\there", "bell\a"])
def test_a_line_break_or_control_character_is_refused_and_nothing_changes(
    tmp_path: Path, value: str
) -> None:
    env = tree_with_env(tmp_path)

    code, _, stderr = call(tmp_path, "set_env_value", "PEXIP_DISPLAY_NAME", value)

    assert code == 1
    assert stderr.strip() == (
        "install.sh: error: the value for PEXIP_DISPLAY_NAME has a line break or another "
        "control character: a kiosk.env value is one line of text"
    )
    assert env.read_text() == EXAMPLE
    assert list(env.parent.iterdir()) == [env]  # no temporary copy left behind


def test_a_key_that_is_not_a_setting_name_is_refused(tmp_path: Path) -> None:
    env = tree_with_env(tmp_path)
    code, _, stderr = call(tmp_path, "set_env_value", "BAD KEY|x", "1")
    assert code == 1
    assert "is not a setting name" in stderr
    assert env.read_text() == EXAMPLE


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))
def test_any_one_line_text_round_trips(tmp_path: Path, value: str) -> None:
    root = tmp_path / "tree"
    shutil.rmtree(root, ignore_errors=True)
    env = tree_with_env(root)

    code, _, stderr = call(root, "set_env_value", "PEXIP_CONFERENCE", value)

    assert code == 0, stderr
    assert dotenv_values(env)["PEXIP_CONFERENCE"] == value
    assert call(root, "env_value", "PEXIP_CONFERENCE")[1] == value
