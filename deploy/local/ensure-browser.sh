#!/usr/bin/env bash
# Make sure the headless browser the page tests drive is here: Debian's chromium and its
# chromedriver, and a font that has Persian glyphs. Installs them from Debian's packages
# when running as root, else says what to do.
set -euo pipefail

browser=/usr/bin/chromium
driver=/usr/bin/chromedriver

has_persian_font() { command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=fa family)" ]; }

packages=()
{ [ -x "$browser" ] && [ -x "$driver" ]; } || packages+=(chromium chromium-driver)
has_persian_font || packages+=(fonts-noto-core)
if [ "${#packages[@]}" -eq 0 ]; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${packages[*]} from Debian's packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
else
  echo "The page tests need ${packages[*]}: install them (sudo apt-get install ${packages[*]})." >&2
  exit 1
fi
if [ ! -x "$browser" ] || [ ! -x "$driver" ]; then
  echo "chromium or chromedriver is still missing after the install; expected $browser and $driver." >&2
  exit 1
fi
