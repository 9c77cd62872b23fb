#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the system libraries Switchyard links against, if they are missing:
# GNU GSL (libgsl-dev), libxlsxwriter (libxlsxwriter-dev) and pkg-config.
set -euo pipefail
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists gsl xlsxwriter; then
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: no apt-get here; install GSL, libxlsxwriter and pkg-config with your package manager" >&2
    exit 1
fi
echo "install-deps: installing libgsl-dev libxlsxwriter-dev pkg-config" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq libgsl-dev libxlsxwriter-dev pkg-config >/dev/null
pkg-config --exists gsl xlsxwriter
