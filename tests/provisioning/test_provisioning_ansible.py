"""The Ansible playbook and role: syntax, ansible-lint, --check on localhost, the example fleet."""

from __future__ import annotations

import os
import pwd
import subprocess
import textwrap
from pathlib import Path

import pytest
from provisioning_support import ANSIBLE_DIR, VENV_BIN, run

from kiosk.config import Meeting, load_settings

INVENTORY = ANSIBLE_DIR / "inventory.example.yml"
VAULT_PASSWORD = ANSIBLE_DIR / "vault-password.example"
ROLE = ANSIBLE_DIR / "roles" / "pexip_kiosk"


def ansible_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
        "ANSIBLE_CONFIG": str(ANSIBLE_DIR / "ansible.cfg"),
        "ANSIBLE_ROLES_PATH": str(ANSIBLE_DIR / "roles"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-local"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
    }


def test_syntax_check(tmp_path: Path) -> None:
    result = run([VENV_BIN / "ansible-playbook", "-i", INVENTORY, "site.yml", "--syntax-check"],
                 cwd=ANSIBLE_DIR, env=ansible_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "playbook: site.yml" in result.stdout


def test_ansible_lint_is_clean(tmp_path: Path) -> None:
    result = run([VENV_BIN / "ansible-lint", "--offline", "--nocolor", "site.yml", "roles"],
                 cwd=ANSIBLE_DIR, env=ansible_env(tmp_path), timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failure(s), 0 warning(s)" in result.stdout + result.stderr


def test_playbook_in_check_mode_against_localhost(tmp_path: Path) -> None:
    inventory = tmp_path / "localhost.yml"
    inventory.write_text(textwrap.dedent("""\
        all:
          children:
            kiosks:
              hosts:
                localhost:
                  ansible_connection: local
                  ansible_python_interpreter: /usr/bin/python3
                  ansible_become: false
                  pexip_kiosk_node: https://conference.example.com
                  pexip_kiosk_display_name: Check-mode room
                  pexip_kiosk_conference: meet.check
                  pexip_kiosk_echo_cancel: true
                  pexip_kiosk_meetings:
                    - {label: All hands, alias: meet.allhands}
                  pexip_kiosk_admin_pin: "2580"
        """))
    untouched = [Path("/etc/pexip-kiosk"), Path("/opt/pexip-kiosk"),
                 Path("/etc/systemd/system/pexip-kiosk.service")]
    before = {p: p.exists() for p in untouched}
    result = run([VENV_BIN / "ansible-playbook", "-i", inventory, "site.yml", "--check"],
                 cwd=ANSIBLE_DIR, env=ansible_env(tmp_path), timeout=300)
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-4000:]
    recap = out[out.index("PLAY RECAP"):]
    assert "localhost" in recap and "failed=0" in recap and "unreachable=0" in recap
    # The role got all the way through: packages, user, app, settings, units.
    for task in ("Install the system packages the kiosk needs",
                 "Create the unprivileged service user",
                 "Install the kiosk and its dependencies into the virtual environment",
                 "Write kiosk.env (it holds the admin PIN, so no diff and no log)",
                 "Install the kiosk's unit (KMS/DRM, or the cage variant)",
                 "Point the kiosk's unit at the kiosk user's PipeWire"):
        assert f"TASK [pexip_kiosk : {task}]" in out
    assert "2580" not in out
    # --check changed nothing on this machine.
    assert {p: p.exists() for p in untouched} == before
    with pytest.raises(KeyError):
        pwd.getpwnam("kiosk")


RENDER_PLAYBOOK = """\
- name: Render every example room's kiosk.env with the role's own template
  hosts: kiosks
  gather_facts: false
  tasks:
    - name: Check the room's settings as the role does
      ansible.builtin.import_role:
        name: pexip_kiosk
        tasks_from: validate.yml
    - name: Render kiosk.env
      ansible.builtin.template:
        src: {template}
        dest: "{out}/{{{{ inventory_hostname }}}}.env"
        mode: "0600"
    - name: Render a room name full of quoting traps
      ansible.builtin.template:
        src: {template}
        dest: "{out}/tricky.env"
        mode: "0600"
      vars:
        pexip_kiosk_display_name: 'Alice''s "big" room #2 \\ east'
      when: inventory_hostname == groups['kiosks'][0]
"""


def render_fleet(tmp_path: Path, *extra: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Render every example room's kiosk.env locally; (the output folder, the run)."""
    out = tmp_path / "rendered"
    out.mkdir()
    playbook = tmp_path / "render.yml"
    playbook.write_text(RENDER_PLAYBOOK.format(template=ROLE / "templates" / "kiosk.env.j2",
                                               out=out))
    result = run([VENV_BIN / "ansible-playbook", "-i", INVENTORY, playbook,
                  "--vault-password-file", VAULT_PASSWORD,
                  "-e", "ansible_connection=local", "-e", "ansible_become=false",
                  "-e", "ansible_python_interpreter=/usr/bin/python3", *extra],
                 cwd=ANSIBLE_DIR, env=ansible_env(tmp_path), timeout=300)
    return out, result


def test_example_fleet_renders_settings_the_kiosk_accepts(tmp_path: Path) -> None:
    out, result = render_fleet(tmp_path)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]

    def settings(host: str):
        return load_settings(env_file=out / f"{host}.env", environ={})

    a101 = settings("room-a101.kiosk.example.internal")
    assert a101.node == "https://conference.example.com"  # from group_vars/kiosks.yml
    assert a101.display_name == "A101 Ocean"
    assert a101.conference == "meet.a101"
    assert a101.meetings == (Meeting("All hands", "meet.allhands"),
                             Meeting("IT help desk", "meet.helpdesk"))
    assert a101.admin_pin == "2580"  # decrypted from the vault string
    assert a101.health_addr == "0.0.0.0:9110"
    assert a101.microphone == "default"
    a102 = settings("room-a102.kiosk.example.internal")
    assert a102.admin_pin == "4711"
    assert (a102.microphone, a102.speaker) == ("kiosk_ec_mic", "kiosk_ec_speaker")
    b1 = settings("boardroom-b1.kiosk.example.internal")
    assert (b1.admin_pin, b1.rotation, b1.meetings) == ("9042", 90, ())
    tricky = load_settings(env_file=out / "tricky.env", environ={})
    assert tricky.display_name == 'Alice\'s "big" room #2 \\ east'
    # The PINs never reach Ansible's output.
    for pin in ("2580", "4711", "9042"):
        assert pin not in result.stdout + result.stderr


def test_a_bad_admin_pin_stops_the_room_with_a_clear_message(tmp_path: Path) -> None:
    out, result = render_fleet(tmp_path, "--limit", "boardroom-b1*",
                               "-e", "pexip_kiosk_admin_pin=12ab")
    assert result.returncode != 0
    assert "failed=1" in result.stdout
    assert ("boardroom-b1.kiosk.example.internal: pexip_kiosk_admin_pin must be 4 to 12 digits"
            in result.stdout)
    assert "12ab" not in result.stdout + result.stderr
    assert not (out / "boardroom-b1.kiosk.example.internal.env").exists()
