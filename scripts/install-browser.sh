#!/usr/bin/env bash
# Debian's Chromium and ChromeDriver for the web page's tests (tests/serve/test_page.py): no browser
# download, the system packages. Needs root (or sudo); without them the page tests say they skip.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null && sudo -n true 2>/dev/null || {
    echo "install-browser: run as root (or with sudo) to install chromium and chromium-driver" >&2
    exit 1
  }
  SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium chromium-driver
