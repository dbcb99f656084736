"""A minimal Debian system tree (debootstrap), cached, and safe mounting into it.

The tree stands in for a freshly flashed Raspberry Pi OS Lite image: Debian 12
with systemd, udev, python3 and cloud-init, nothing of the kiosk. debootstrap
uses the Debian mirror this machine's apt already uses (read at run time).
The finished tree is cached as a tarball under CACHE_DIR, keyed by suite,
package list and mirror, so later runs only unpack it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

CACHE_DIR = Path("/var/cache/pexip-kiosk-tests")
SUITE = "bookworm"
INCLUDE = ("systemd", "systemd-sysv", "udev", "python3", "ca-certificates")
# Installed with apt after debootstrap (debootstrap's own dependency resolution is
# too simple for cloud-init's Python dependencies).
APT_EXTRA = ("cloud-init",)
APT_SOURCES = [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]


def debian_mirror() -> str:
    """The Debian archive URI apt uses on this machine (not the security archive)."""
    for path in APT_SOURCES:
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".sources":
            for stanza in re.split(r"\n\s*\n", text):
                fields = dict(re.findall(r"^(\w[\w-]*):\s*(.+)$", stanza, re.MULTILINE))
                if "deb" in fields.get("Types", "").split() and "main" in fields.get(
                    "Components", ""
                ).split():
                    for uri in fields.get("URIs", "").split():
                        if uri.rstrip("/").endswith("/debian"):
                            return uri.rstrip("/")
        elif path.suffix == ".list":
            for line in text.splitlines():
                parts = re.sub(r"\[[^]]*\]", "", line).split()
                if len(parts) >= 4 and parts[0] == "deb" and parts[1].rstrip("/").endswith(
                    "/debian"
                ):
                    return parts[1].rstrip("/")
    raise RuntimeError("no Debian mirror found in this machine's apt sources")


def mounts_under(path: Path) -> list[str]:
    """Mount points at or below `path` (from /proc/self/mounts)."""
    prefix = str(path.resolve())
    found = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        target = line.split()[1].replace("\\040", " ")
        if target == prefix or target.startswith(prefix + "/"):
            found.append(target)
    return found


def remove_tree(path: Path) -> None:
    """rm -rf a system tree, but never through a mount (a bind of /dev would be deleted)."""
    for target in sorted(mounts_under(path), reverse=True):
        subprocess.run(["umount", target], check=False)
    left = mounts_under(path)
    if left:
        raise RuntimeError(f"not removing {path}: still mounted: {left}")
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def mounted(tree: Path, binds: dict[str, Path] | None = None) -> Iterator[None]:
    """/proc, /dev (and `binds`: path in tree -> host dir) mounted in `tree` for a while."""
    done: list[Path] = []
    try:
        for source, inside, kind in [("proc", "/proc", "proc"), ("/dev", "/dev", "bind")] + [
            (str(host), inside, "bind") for inside, host in (binds or {}).items()
        ]:
            target = tree / inside.lstrip("/")
            target.mkdir(parents=True, exist_ok=True)
            if kind == "proc":
                subprocess.run(["mount", "-t", "proc", "proc", target], check=True)
            else:
                subprocess.run(["mount", "--bind", source, target], check=True)
            done.append(target)
        yield
    finally:
        for target in reversed(done):
            if subprocess.run(["umount", target], check=False).returncode != 0:
                subprocess.run(["umount", "-l", target], check=False)


def base_tarball(log: list[str]) -> Path:
    """The cached tarball of the base tree; built with debootstrap when missing."""
    mirror = debian_mirror()
    recipe = f"{SUITE} {' '.join(INCLUDE)} + {' '.join(APT_EXTRA)} {mirror}"
    key = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    tarball = CACHE_DIR / f"debootstrap-{SUITE}-{key}.tar"
    if tarball.is_file():
        log.append(f"base tree: cached {tarball}")
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="debootstrap-", dir=CACHE_DIR))
    try:
        command = ["debootstrap", "--variant=minbase", f"--include={','.join(INCLUDE)}",
                   SUITE, str(build / "tree"), mirror]
        log.append("$ " + " ".join(command))
        result = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                check=False)
        if result.returncode != 0:
            raise RuntimeError(f"debootstrap failed:\n{result.stdout[-3000:]}{result.stderr}")
        tree = build / "tree"
        # Keep package scripts from starting services while apt runs in the tree.
        policy = tree / "usr/sbin/policy-rc.d"
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
        with mounted(tree):
            for args in (("apt-get", "update", "-qq"),
                         ("apt-get", "install", "-y", "-qq", "--no-install-recommends",
                          *APT_EXTRA)):
                log.append("$ chroot TREE " + " ".join(args))
                done = chroot(tree, *args, timeout=900,
                              env={"DEBIAN_FRONTEND": "noninteractive"})
                if done.returncode != 0:
                    raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-3000:]}"
                                       f"{done.stderr}")
        policy.unlink()
        partial = tarball.with_suffix(".tar.partial")
        subprocess.run(["tar", "-C", build / "tree", "--numeric-owner", "-cf", partial, "."],
                       check=True)
        os.replace(partial, tarball)
    finally:
        remove_tree(build)
    return tarball


def unpack(tarball: Path, parent: Path) -> Path:
    """A fresh tree from the tarball, in a new directory under `parent`."""
    tree = Path(tempfile.mkdtemp(prefix="pexip-kiosk-tree-", dir=parent))
    subprocess.run(["tar", "-C", tree, "--numeric-owner", "-xf", tarball], check=True)
    return tree


def chroot(tree: Path, *args: str, user: str | None = None, timeout: float = 120,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command inside the tree (optionally as `user`) with a clean environment."""
    command = ["chroot", str(tree)]
    if user:
        command += ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups"]
    environment = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
                   "HOME": "/root" if user is None else "/var/lib/pexip-kiosk", **(env or {})}
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=timeout,
                          env=environment, check=False)
