# Makes sure a headless-capable Chromium is installed and exports AMPERE_CHROMIUM, the path of its binary, for the
# status page test (StatusPageBrowserTest). Sourced by scripts/test (so CI on a clean machine installs it) or run on
# its own, when it prints the path.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/debian-tool.sh"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ampere_ensure_tool AMPERE_CHROMIUM chromium /usr/bin/chromium chromium
  echo "$AMPERE_CHROMIUM"
else
  ampere_ensure_tool AMPERE_CHROMIUM chromium /usr/bin/chromium chromium
fi
