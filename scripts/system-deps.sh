#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only when they are missing:
# postgresql (a throwaway cluster per run), chromium (browser tests through Playwright), the
# libraries WeasyPrint loads to draw the visit report PDF (pango, which brings harfbuzz and
# fontconfig) and poppler-utils (pdftotext and pdftoppm read the PDF back in its tests).
#
# `scripts/system-deps.sh run` (make run) installs only what the running app needs: the
# libraries and a font for the visit report PDF. Without them the app still runs, and the
# report pages say the server cannot draw PDFs, so a user who cannot install packages gets a
# warning, not a failure.
set -euo pipefail

mode="${1:-test}"
need=()
if [ "$mode" = test ]; then
  compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)
  [ -x /usr/bin/chromium ] || need+=(chromium)
  command -v pdftotext > /dev/null && command -v pdftoppm > /dev/null || need+=(poppler-utils)
fi
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo > /dev/null; then
  SUDO=(sudo)
else
  if [ "$mode" = run ]; then
    echo "warning: ${need[*]} missing and this user cannot install packages: lowdose runs, but" >&2
    echo "  the visit report PDF cannot be drawn until an administrator runs" >&2
    echo "  apt-get install ${need[*]}" >&2
    exit 0
  fi
  echo "error: ${need[*]} missing and this user cannot install packages; ask an administrator to run" >&2
  echo "  apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! { "${SUDO[@]}" apt-get update -qq && \
       "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null; }; then
  if [ "$mode" = run ]; then
    echo "warning: could not install ${need[*]}: lowdose runs, but the visit report PDF cannot" >&2
    echo "  be drawn until they are installed (apt-get install ${need[*]})" >&2
    exit 0
  fi
  exit 1
fi
