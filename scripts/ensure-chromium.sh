#!/usr/bin/env bash
# Make sure a Chromium the browser tests and PDF briefings can use is installed.
# Playwright drives the system's Chromium (its own browser download does not work here):
# Debian's packages chromium and chromium-driver, plus a font for the pages.
# As root, installs them with apt-get when missing; otherwise says how to.
set -euo pipefail

# poppler-utils: the briefing test keeps a PNG of every PDF page (pdftoppm) and reads its text.
if ! command -v pdftoppm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && \
   command -v apt-get >/dev/null 2>&1; then
  echo "pdftoppm: not found; installing Debian's poppler-utils"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null 2>&1 || \
    echo "poppler-utils: could not be installed; the PDF page images will be skipped" >&2
fi

if [ -n "${RECIPROCITY_CHROMIUM:-}" ] && [ -x "${RECIPROCITY_CHROMIUM}" ]; then
  echo "chromium: ${RECIPROCITY_CHROMIUM} (RECIPROCITY_CHROMIUM)"
  exit 0
fi
for exe in chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$exe" >/dev/null 2>&1; then
    echo "chromium: $(command -v "$exe")"
    exit 0
  fi
done

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium: not found; installing Debian's chromium, chromium-driver and fonts-dejavu-core"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && \
     apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; then
    command -v chromium >/dev/null 2>&1 && echo "chromium: $(command -v chromium)" && exit 0
  fi
  echo "chromium: could not be installed; browser tests will be skipped" >&2
  exit 0
fi

cat >&2 <<'MSG'
chromium: not found, and this user cannot install it. The browser tests will be skipped
and PDF briefings cannot be printed. Install it with:
    sudo apt-get install chromium chromium-driver fonts-dejavu-core
or point RECIPROCITY_CHROMIUM at a Chromium or Chrome executable.
MSG
exit 0
