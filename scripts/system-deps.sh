#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only when they are missing:
# postgresql (a throwaway cluster per run), chromium (browser tests through Playwright), the
# libraries WeasyPrint loads to draw the visit report PDF (pango, which brings harfbuzz and
# fontconfig) and poppler-utils (pdftotext and pdftoppm read the PDF back in its tests).
set -euo pipefail

need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so.0' || need+=(libharfbuzz-subset0)
command -v pdftotext > /dev/null && command -v pdftoppm > /dev/null || need+=(poppler-utils)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo > /dev/null; then
  SUDO=(sudo)
else
  echo "error: ${need[*]} missing and this user cannot install packages; ask an administrator to run" >&2
  echo "  apt-get install ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" > /dev/null
