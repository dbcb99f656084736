#!/usr/bin/env bash
# Install the Pexip room kiosk on Raspberry Pi OS / Debian 12 or 13 (64-bit).
#
# Idempotent: running it again changes nothing that is already right. Run as
# root on the device, or with --root DIR to install into a system tree mounted
# at DIR (an SD card image, a debootstrap tree): apt, useradd and pip then run
# inside DIR with chroot, and units are enabled with symlinks (no systemctl).
#
#   sudo provisioning/install.sh                  # from this checkout
#   sudo provisioning/install.sh --dry-run        # list the steps, change nothing
#   sudo provisioning/install.sh --echo-cancel    # + PipeWire echo cancellation
#   sudo provisioning/install.sh --root /mnt/pi   # into a mounted image
#
# See provisioning/README.md, "Install on a device".
set -euo pipefail

readonly APP_USER=kiosk
readonly APP_GROUPS=(video render input audio)
readonly PREFIX=/opt/pexip-kiosk
readonly VENV=$PREFIX/venv
readonly CONF_DIR=/etc/pexip-kiosk
readonly ENV_FILE=$CONF_DIR/kiosk.env
readonly STATE_DIR=/var/lib/pexip-kiosk
readonly UNIT_DIR=/etc/systemd/system
readonly UNIT=pexip-kiosk.service
readonly NOBLANK_UNIT=pexip-kiosk-noblank.service
readonly DIST_NAME=pexip-room-kiosk
readonly BASE_PACKAGES=(
    python3 python3-venv ca-certificates udev
    libgl1 libegl1 libgles2 libgl1-mesa-dri libgbm1 libdrm2 libmtdev1
    libportaudio2 alsa-utils v4l-utils fonts-dejavu-core
)
readonly ECHO_CANCEL_PACKAGES=(pipewire wireplumber pipewire-alsa libspa-0.2-modules)
readonly CAGE_PACKAGES=(cage)
readonly CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly CHECKOUT=${SCRIPT_DIR%/provisioning}

ROOT=""
DRY_RUN=0
ECHO_CANCEL=0
CAGE=0
FORCE=0
SOURCE=""
CHANGES=()
TODO=()
MOUNTS=()
CREATED_POLICY_RC=0
TMP_SRC=""
TARGET_PIP_CERT=""
INSTALLED=0   # set by install_file: 1 when it copied the file

usage() {
    cat <<EOF
Usage: $0 [options]

Installs the Pexip room kiosk: system packages, the service user '$APP_USER',
the app in $VENV, $ENV_FILE (only if absent), the systemd units.

Options:
  --dry-run          list the steps and what they would change; change nothing
  --root DIR         install into the system tree mounted at DIR (chroot)
  --from SOURCE      what to pip-install: a checkout directory, a .whl file, or
                     a requirement like '$DIST_NAME==1.2.0' (default: this checkout,
                     $CHECKOUT)
  --version X.Y.Z    same as --from '$DIST_NAME==X.Y.Z' (from your package index)
  --echo-cancel      configure PipeWire's echo canceller and make the kiosk use it
  --cage             run the kiosk under the cage Wayland compositor instead of
                     straight on KMS/DRM
  --force            install on an OS release this script was not made for
  -h, --help         this text
EOF
}

die() { echo "install.sh: error: $*" >&2; exit 1; }
step() { echo "==> $*"; }
info() { echo "    $*"; }
changed() {
    CHANGES+=("$1")
    if ((DRY_RUN)); then info "would: $1"; else info "change: $1"; fi
}
unchanged() { info "ok: $1"; }

parse_args() {
    while (($#)); do
        case $1 in
            --dry-run) DRY_RUN=1 ;;
            --root) [[ $# -ge 2 ]] || die "--root needs a directory"; ROOT=${2%/}; shift ;;
            --from) [[ $# -ge 2 ]] || die "--from needs a source"; SOURCE=$2; shift ;;
            --version) [[ $# -ge 2 ]] || die "--version needs a version"; SOURCE="$DIST_NAME==$2"; shift ;;
            --echo-cancel) ECHO_CANCEL=1 ;;
            --cage) CAGE=1 ;;
            --force) FORCE=1 ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown option: $1" ;;
        esac
        shift
    done
    [[ -n $SOURCE ]] || SOURCE=$CHECKOUT
    if [[ -e $SOURCE ]]; then SOURCE=$(realpath "$SOURCE"); fi
    if [[ -n $ROOT ]]; then
        [[ -d $ROOT ]] || die "--root $ROOT is not a directory"
        ROOT=$(cd "$ROOT" && pwd)
        [[ $ROOT != / ]] || ROOT=""
    fi
}

# A path inside the target system, as seen from here.
target() { echo "$ROOT$1"; }

# Run a command inside the target system (chroot with a clean environment in
# --root mode, so this machine's pip/apt settings do not leak in).
in_target() {
    if [[ -z $ROOT ]]; then
        "$@"
        return
    fi
    local -a env_vars=(PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
    local name
    # What pip needs to reach your package index from the tree.
    for name in http_proxy https_proxy no_proxy PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST; do
        if [[ -n ${!name:-} ]]; then env_vars+=("$name=${!name}"); fi
    done
    if [[ -n $TARGET_PIP_CERT ]]; then env_vars+=("PIP_CERT=$TARGET_PIP_CERT"); fi
    env -i "${env_vars[@]}" chroot "$ROOT" "$@"
}

# PIP_CERT (the CA bundle pip trusts, e.g. a company proxy's) is a path on this
# machine: copy it into the tree for the time of the install.
copy_pip_cert_into_target() {
    [[ -n ${PIP_CERT:-} && -f ${PIP_CERT:-} ]] || return 0
    TARGET_PIP_CERT=/var/tmp/pexip-kiosk-pip-ca.pem
    install -D -m 0644 "$PIP_CERT" "$(target "$TARGET_PIP_CERT")"
}

cleanup() {
    local i
    if ((CREATED_POLICY_RC)); then rm -f "$(target /usr/sbin/policy-rc.d)"; fi
    if [[ -n $TARGET_PIP_CERT ]]; then rm -f "$(target "$TARGET_PIP_CERT")"; fi
    if [[ -n $TMP_SRC ]]; then rm -rf "$TMP_SRC"; fi
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" || true
    done
}

mount_into_target() {
    local fstype=$1 source=$2 dir
    dir=$(target "$3")
    if mountpoint -q "$dir"; then return; fi
    mkdir -p "$dir"
    if [[ $fstype == bind ]]; then mount --bind "$source" "$dir"; else mount -t "$fstype" "$source" "$dir"; fi
    MOUNTS+=("$dir")
}

check_system() {
    step "Checking the system${ROOT:+ in $ROOT}"
    if ((EUID != 0)) && { ((!DRY_RUN)) || [[ -n $ROOT ]]; }; then
        die "run as root (--dry-run without --root works as any user)"
    fi
    local os_release id="" version_id="" id_like="" arch
    os_release=$(target /etc/os-release)
    [[ -r $os_release ]] || os_release=$(target /usr/lib/os-release)
    [[ -r $os_release ]] || die "no /etc/os-release${ROOT:+ in $ROOT}: not a Debian system"
    # shellcheck disable=SC1090 # the target's os-release, only known at run time
    id=$(. "$os_release" && echo "${ID:-}")
    # shellcheck disable=SC1090
    version_id=$(. "$os_release" && echo "${VERSION_ID:-}")
    # shellcheck disable=SC1090
    id_like=$(. "$os_release" && echo "${ID_LIKE:-}")
    if [[ ! $id =~ ^(debian|raspbian)$ && ! $id_like =~ debian ]] || [[ ! $version_id =~ ^(12|13)$ ]]; then
        ((FORCE)) || die "made for Raspberry Pi OS / Debian 12 or 13, found '$id $version_id' (--force to try anyway)"
        info "warning: '$id $version_id' is not Debian 12/13; continuing (--force)"
    fi
    arch=$(in_target dpkg --print-architecture)
    case $arch in
        arm64|amd64) info "$id $version_id, $arch" ;;
        *) ((FORCE)) || die "needs a 64-bit system (arm64 or amd64), found $arch (--force to try anyway)" ;;
    esac
    [[ -f $SCRIPT_DIR/$UNIT ]] || die "$SCRIPT_DIR/$UNIT is missing: run install.sh from a kiosk checkout"
    if [[ -n $ROOT ]] && ((!DRY_RUN)); then
        trap cleanup EXIT
        mount_into_target proc proc /proc
        mount_into_target sysfs sysfs /sys
        mount_into_target bind /dev /dev
        mount_into_target devpts devpts /dev/pts
        copy_pip_cert_into_target
    fi
}

package_installed() {
    local status
    # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell variable
    status=$(in_target dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)
    [[ $status == *"ok installed" ]]
}

install_packages() {
    step "System packages"
    local -a wanted=("${BASE_PACKAGES[@]}") missing=()
    local pkg
    ((ECHO_CANCEL)) && wanted+=("${ECHO_CANCEL_PACKAGES[@]}")
    ((CAGE)) && wanted+=("${CAGE_PACKAGES[@]}")
    # setterm (console blanking) moved to util-linux-extra in newer Debian releases.
    if [[ ! -e $(target /usr/bin/setterm) ]]; then wanted+=(util-linux-extra); fi
    for pkg in "${wanted[@]}"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    if ((${#missing[@]} == 0)); then
        unchanged "all ${#wanted[@]} packages installed"
        return
    fi
    changed "apt-get install ${missing[*]}"
    ((DRY_RUN)) && return
    local policy_rc
    policy_rc=$(target /usr/sbin/policy-rc.d)
    if [[ -n $ROOT && ! -e $policy_rc ]]; then
        # Keep package scripts from starting services inside the tree.
        printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
        chmod 0755 "$policy_rc"
        CREATED_POLICY_RC=1
    fi
    # apt's chatter goes to a log; on failure its tail is shown.
    local log
    log=$(target /var/log/pexip-kiosk-install-apt.log)
    if ! { in_target apt-get update -qq &&
        in_target env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
        tail -n 20 "$log" >&2
        die "apt-get failed (full log: ${log#"$ROOT"}${ROOT:+ in $ROOT})"
    fi
    info "apt output: ${log#"$ROOT"}"
}

ensure_user() {
    step "Service user '$APP_USER'"
    local group
    for group in "${APP_GROUPS[@]}"; do
        if in_target getent group "$group" >/dev/null; then continue; fi
        changed "create missing system group '$group'"
        ((DRY_RUN)) || in_target groupadd --system "$group"
    done
    if ! in_target getent passwd "$APP_USER" >/dev/null; then
        local groups_csv
        groups_csv=$(IFS=,; echo "${APP_GROUPS[*]}")
        changed "create system user '$APP_USER' (home $STATE_DIR, groups $groups_csv)"
        ((DRY_RUN)) || in_target useradd --system --user-group --home-dir "$STATE_DIR" \
            --no-create-home --shell /usr/sbin/nologin --comment "Pexip room kiosk" \
            --groups "$groups_csv" "$APP_USER"
    else
        local -a member_of missing=()
        read -r -a member_of <<<"$(in_target id -nG "$APP_USER")"
        for group in "${APP_GROUPS[@]}"; do
            [[ " ${member_of[*]} " == *" $group "* ]] || missing+=("$group")
        done
        if ((${#missing[@]})); then
            changed "add '$APP_USER' to groups ${missing[*]}"
            ((DRY_RUN)) || in_target usermod -a -G "$(IFS=,; echo "${missing[*]}")" "$APP_USER"
        else
            unchanged "user '$APP_USER' exists, in groups ${APP_GROUPS[*]}"
        fi
    fi
    ensure_dir "$STATE_DIR" 0750 "$APP_USER:$APP_USER"
}

# ensure_dir PATH MODE OWNER:GROUP (names resolved inside the target)
ensure_dir() {
    local path=$1 mode=$2 owner=$3 real
    real=$(target "$path")
    if [[ -d $real ]] && [[ $(stat -c %a "$real") == "${mode#0}" ]] &&
        [[ $(in_target stat -c %U:%G "$path") == "$owner" ]]; then
        unchanged "$path ($mode $owner)"
        return
    fi
    changed "directory $path ($mode $owner)"
    ((DRY_RUN)) && return
    mkdir -p "$real"
    chmod "$mode" "$real"
    in_target chown "$owner" "$path"
}

# install_file SOURCE DEST MODE: copy when missing or different (sets INSTALLED).
install_file() {
    local source=$1 dest=$2 mode=$3 real
    real=$(target "$dest")
    INSTALLED=0
    if [[ -f $real ]] && cmp -s "$source" "$real" && [[ $(stat -c %a "$real") == "${mode#0}" ]]; then
        unchanged "$dest"
        return
    fi
    changed "install $dest"
    INSTALLED=1
    ((DRY_RUN)) && return
    install -D -m "$mode" "$source" "$real"
}

# True on a running system managed by systemd (not --root, not a container build).
live_systemd() { [[ -z $ROOT && -d /run/systemd/system ]]; }

# What a checkout contributes to the installed package (copied and fingerprinted).
readonly PACKAGE_PATHS=(
    pyproject.toml setup.py setup.cfg MANIFEST.in README.md LICENSE LICENSE.txt kiosk assets
)
readonly SOURCE_EXCLUDES=(--exclude='__pycache__' --exclude='*.egg-info' --exclude='*.pyc')

package_paths_in() {
    local path
    for path in "${PACKAGE_PATHS[@]}"; do
        if [[ -e $1/$path ]]; then echo "$path"; fi
    done
}

# The package's files of a checkout (content and mode, not times), or a wheel,
# as a hash: the same source is not installed twice.
source_fingerprint() {
    if [[ -d $SOURCE ]]; then
        local -a paths
        mapfile -t paths < <(package_paths_in "$SOURCE")
        tar -C "$SOURCE" "${SOURCE_EXCLUDES[@]}" --sort=name --mtime=@0 --owner=0 --group=0 \
            --numeric-owner -cf - "${paths[@]}" | sha256sum | cut -d' ' -f1
    elif [[ -f $SOURCE ]]; then
        sha256sum <"$SOURCE" | cut -d' ' -f1
    fi
}

installed_version() {
    if [[ -e $(target "$VENV/bin/pexip-kiosk") ]]; then
        in_target "$VENV/bin/python" -m pip show "$DIST_NAME" 2>/dev/null | sed -n 's/^Version: //p'
    fi
}

install_app() {
    step "The kiosk app in $VENV"
    if [[ -e $(target "$VENV/pyvenv.cfg") ]]; then
        unchanged "virtual environment $VENV"
    else
        changed "create virtual environment $VENV"
        if ((!DRY_RUN)); then
            mkdir -p "$(target "$PREFIX")"
            in_target python3 -m venv "$VENV"
        fi
    fi
    local fingerprint stamp spec=$SOURCE before
    fingerprint=$(source_fingerprint)
    stamp=$(target "$PREFIX/source.sha256")
    if [[ -n $fingerprint && -f $stamp && $(<"$stamp") == "$fingerprint" ]] &&
        [[ -e $(target "$VENV/bin/pexip-kiosk") ]]; then
        unchanged "kiosk $(installed_version) already installed from $SOURCE"
        return
    fi
    if [[ -z $fingerprint ]]; then
        # A requirement from a package index: pip decides; report what it did.
        ((DRY_RUN)) && { changed "pip install '$SOURCE' (if not already satisfied)"; return; }
        before=$(installed_version)
        in_target "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$SOURCE"
        if [[ $(installed_version) == "$before" ]]; then
            unchanged "'$SOURCE' already satisfied (kiosk $before)"
        else
            changed "pip install '$SOURCE' (kiosk ${before:-none} -> $(installed_version))"
        fi
        return
    fi
    changed "pip install the kiosk from $SOURCE"
    ((DRY_RUN)) && return
    # Build from a copy inside the target: the checkout stays untouched and is
    # reachable from the chroot.
    TMP_SRC=$(mktemp -d "$(target /var/tmp)/pexip-kiosk-src.XXXXXX")
    if [[ -d $SOURCE ]]; then
        local -a paths
        mapfile -t paths < <(package_paths_in "$SOURCE")
        tar -C "$SOURCE" "${SOURCE_EXCLUDES[@]}" -cf - "${paths[@]}" | tar -C "$TMP_SRC" -xf -
        spec=${TMP_SRC#"$ROOT"}
    else
        cp "$SOURCE" "$TMP_SRC/"
        spec=${TMP_SRC#"$ROOT"}/$(basename "$SOURCE")
    fi
    in_target "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --upgrade --upgrade-strategy only-if-needed "$spec"
    rm -rf "$TMP_SRC"
    TMP_SRC=""
    echo "$fingerprint" >"$stamp"
    info "installed: kiosk $(installed_version)"
}

env_value() {
    # env_value KEY: the value of KEY= in the target's kiosk.env ("" if none), with the
    # single quotes set_env_value may have written taken off again.
    local value
    value=$(sed -n "s/^$1=//p" "$(target "$ENV_FILE")" 2>/dev/null | tail -n 1)
    if [[ $value == \'*\' && ${#value} -ge 2 ]]; then
        value=${value:1:${#value}-2}
        value=${value//\\\'/\'}
        value=${value//\\\\/\\}
    fi
    printf '%s' "$value"
}

# A value python-dotenv reads back as it is without quotes.
readonly PLAIN_VALUE='^[A-Za-z0-9_./:@,+=-]*$'

set_env_value() {
    # set_env_value KEY VALUE: replace (or append) KEY=VALUE in kiosk.env, for any value
    # (|, &, \, quotes, #, spaces): a value that is not plain is written in single
    # quotes with \ and ' escaped, which python-dotenv (the kiosk's reader) reads back
    # exactly. A line break (or another control character) cannot be in a setting: refused.
    local key=$1 value=$2 file tmp line written=0
    [[ $key =~ ^[A-Z][A-Z0-9_]*$ ]] || die "set_env_value: '$key' is not a setting name"
    if [[ $value =~ [[:cntrl:]] ]]; then
        die "the value for $key has a line break or another control character: a kiosk.env value is one line of text"
    fi
    if [[ ! $value =~ $PLAIN_VALUE ]]; then
        value=${value//\\/\\\\}
        value=${value//\'/\\\'}
        value="'$value'"
    fi
    file=$(target "$ENV_FILE")
    # Rewritten through a copy in the same directory (mode and owner kept by cat >):
    # no sed, so nothing in the value is ever read as an expression.
    tmp=$(mktemp "$file.XXXXXX")
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line == "$key="* ]]; then
            ((written)) || printf '%s=%s\n' "$key" "$value"
            written=1
        else
            printf '%s\n' "$line"
        fi
    done <"$file" >"$tmp"
    ((written)) || printf '%s=%s\n' "$key" "$value" >>"$tmp"
    cat "$tmp" >"$file"
    rm -f "$tmp"
}

install_config() {
    step "Settings in $ENV_FILE"
    ensure_dir "$CONF_DIR" 0750 "root:$APP_USER"
    local env_file example=$CHECKOUT/.env.example
    env_file=$(target "$ENV_FILE")
    if [[ -f $env_file ]]; then
        unchanged "$ENV_FILE exists (kept as it is)"
    else
        [[ -f $example ]] || die "$example is missing"
        changed "write $ENV_FILE from .env.example (0640 root:$APP_USER: it will hold the admin PIN)"
        if ((!DRY_RUN)); then
            install -m 0640 "$example" "$env_file"
            in_target chown "root:$APP_USER" "$ENV_FILE"
        fi
        return
    fi
    if [[ $(stat -c %a "$env_file") != 640 ]] ||
        [[ $(in_target stat -c %U:%G "$ENV_FILE") != "root:$APP_USER" ]]; then
        changed "$ENV_FILE back to mode 0640 root:$APP_USER (it holds the admin PIN)"
        if ((!DRY_RUN)); then
            chmod 0640 "$env_file"
            in_target chown "root:$APP_USER" "$ENV_FILE"
        fi
    else
        unchanged "$ENV_FILE mode 0640 root:$APP_USER"
    fi
}

enable_unit() {
    # enable_unit NAME: what `systemctl enable` does for WantedBy=multi-user.target.
    local link
    link=$(target "$UNIT_DIR/multi-user.target.wants/$1")
    if [[ -L $link ]]; then unchanged "$1 enabled"; return; fi
    changed "enable $1"
    ((DRY_RUN)) && return
    if live_systemd; then
        systemctl enable --quiet "$1"
    else
        mkdir -p "$(dirname "$link")"
        ln -sfn "$UNIT_DIR/$1" "$link"
    fi
}

disable_getty_tty1() {
    local link
    link=$(target "$UNIT_DIR/getty.target.wants/getty@tty1.service")
    if [[ ! -L $link ]]; then unchanged "no login prompt on tty1"; return; fi
    changed "disable getty@tty1 (the kiosk owns tty1; log in on tty2 or over ssh)"
    ((DRY_RUN)) && return
    if live_systemd; then
        systemctl disable --quiet getty@tty1.service
    else
        rm -f "$link"
    fi
}

install_units() {
    step "systemd units"
    local unit_source=$SCRIPT_DIR/$UNIT
    ((CAGE)) && unit_source=$SCRIPT_DIR/pexip-kiosk-cage.service
    install_file "$unit_source" "$UNIT_DIR/$UNIT" 0644
    install_file "$SCRIPT_DIR/$NOBLANK_UNIT" "$UNIT_DIR/$NOBLANK_UNIT" 0644
    install_file "$SCRIPT_DIR/udev/70-pexip-kiosk-backlight.rules" \
        /etc/udev/rules.d/70-pexip-kiosk-backlight.rules 0644
    if ((INSTALLED && !DRY_RUN)) && live_systemd; then
        # Apply the backlight permissions now rather than at the next boot.
        udevadm control --reload
        udevadm trigger --subsystem-match=backlight --action=add
    fi
    if ((CAGE)); then
        install_file "$SCRIPT_DIR/pam/pexip-kiosk-cage" /etc/pam.d/pexip-kiosk-cage 0644
    fi
    enable_unit "$UNIT"
    enable_unit "$NOBLANK_UNIT"
    disable_getty_tty1
}

configure_echo_cancel() {
    step "Echo cancellation (PipeWire)"
    install_file "$SCRIPT_DIR/pipewire/60-pexip-kiosk-echo-cancel.conf" \
        /etc/pipewire/pipewire.conf.d/60-pexip-kiosk-echo-cancel.conf 0644
    install_file "$SCRIPT_DIR/alsa/60-pexip-kiosk-echo-cancel.conf" \
        /etc/alsa/conf.d/60-pexip-kiosk-echo-cancel.conf 0644
    # A lingering user gets its own systemd instance, and so PipeWire, at boot.
    local linger
    linger=$(target "/var/lib/systemd/linger/$APP_USER")
    if [[ -e $linger ]]; then
        unchanged "user '$APP_USER' lingers (PipeWire runs at boot)"
    else
        changed "let '$APP_USER' linger (its PipeWire starts at boot)"
        if ((DRY_RUN)); then
            :
        elif live_systemd; then
            loginctl enable-linger "$APP_USER"   # also starts its user manager now
        else
            mkdir -p "$(dirname "$linger")" && touch "$linger"
        fi
    fi
    local uid dropin
    if ((DRY_RUN)) && ! in_target getent passwd "$APP_USER" >/dev/null; then
        uid=UID
    else
        uid=$(in_target id -u "$APP_USER")
    fi
    dropin=$(mktemp)
    sed "s/@KIOSK_UID@/$uid/g" "$SCRIPT_DIR/systemd/pexip-kiosk-pipewire.conf.in" >"$dropin"
    install_file "$dropin" "$UNIT_DIR/$UNIT.d/50-pipewire.conf" 0644
    rm -f "$dropin"
    local key value
    for key in KIOSK_MICROPHONE=kiosk_ec_mic KIOSK_SPEAKER=kiosk_ec_speaker; do
        value=${key#*=}
        key=${key%%=*}
        if [[ $(env_value "$key") == "$value" ]]; then
            unchanged "$key=$value in $ENV_FILE"
        else
            changed "set $key=$value in $ENV_FILE"
            ((DRY_RUN)) || set_env_value "$key" "$value"
        fi
    done
}

restart_if_running() {
    live_systemd || return 0
    ((${#CHANGES[@]})) || return 0
    ((DRY_RUN)) && return 0
    systemctl daemon-reload
    if systemctl is-active --quiet "$UNIT"; then
        info "restarting $UNIT"
        systemctl restart "$UNIT"
    fi
}

summarize() {
    echo
    if ((DRY_RUN)); then
        echo "Dry run: ${#CHANGES[@]} change(s) would be made; nothing was changed."
    elif ((${#CHANGES[@]})); then
        echo "Done: ${#CHANGES[@]} change(s) made${ROOT:+ in $ROOT}."
    else
        echo "Done: nothing to change; the kiosk was already installed as asked."
    fi
    if [[ -f $(target "$ENV_FILE") ]]; then
        if [[ $(env_value PEXIP_NODE) =~ ^$|example\.com ]]; then
            TODO+=("PEXIP_NODE: the https address of your Conferencing Node")
        fi
        if [[ $(env_value PEXIP_CONFERENCE) =~ ^(|meet\.room)$ ]]; then
            TODO+=("PEXIP_CONFERENCE: the room's default meeting alias")
        fi
        if [[ $(env_value PEXIP_DISPLAY_NAME) =~ ^(|Meeting room)$ ]]; then
            TODO+=("PEXIP_DISPLAY_NAME: the room's name, as others see it")
        fi
        if [[ -z $(env_value KIOSK_ADMIN_PIN) ]]; then
            TODO+=("KIOSK_ADMIN_PIN: 4-12 digits for the admin screen (empty = no admin screen)")
        fi
    else
        TODO+=("all of it: $ENV_FILE is written when this script runs for real")
    fi
    if ((${#TODO[@]})); then
        echo "Left to fill in, in $ENV_FILE:"
        local item
        for item in "${TODO[@]}"; do echo "  - $item"; done
    fi
    echo "Display rotation, touch and backlight: see provisioning/README.md."
    if [[ -n $ROOT ]]; then
        echo "The kiosk starts when the device boots from this tree."
    else
        echo "Then: systemctl start $UNIT (or reboot); logs: journalctl -u $UNIT"
    fi
}

main() {
    parse_args "$@"
    ((DRY_RUN)) && echo "Dry run: listing the steps; nothing is changed."
    check_system
    install_packages
    ensure_user
    install_app
    install_config
    install_units
    if ((ECHO_CANCEL)); then configure_echo_cancel; fi
    restart_if_running
    summarize
}

# Sourced (the tests call single functions): define everything, run nothing.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
