# Makes sure a headless-capable Chromium is installed and exports AMPERE_CHROMIUM, the path of its binary, for the
# status page test (StatusPageBrowserTest). Sourced by scripts/test (so CI on a clean machine installs it) or run on
# its own, when it prints the path. Installs Debian's chromium with apt-get where it is missing (sudo only when not
# root).
# shellcheck shell=bash

ampere_find_chromium() {
  local candidate
  for candidate in "${AMPERE_CHROMIUM:-}" /usr/bin/chromium "$(command -v chromium 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ampere_ensure_chromium() {
  local chromium sudo=()
  if chromium=$(ampere_find_chromium); then
    export AMPERE_CHROMIUM="$chromium"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ampere: chromium is missing and there is no apt-get to install it; install chromium or set AMPERE_CHROMIUM" >&2
    return 1
  fi
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  echo "ampere: installing chromium (Debian package)..." >&2
  {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
  } >&2 || {
    echo "ampere: could not install chromium with apt-get" >&2
    return 1
  }
  if ! chromium=$(ampere_find_chromium); then
    echo "ampere: chromium was installed but no binary was found at /usr/bin/chromium" >&2
    return 1
  fi
  export AMPERE_CHROMIUM="$chromium"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ampere_ensure_chromium
  echo "$AMPERE_CHROMIUM"
else
  ampere_ensure_chromium
fi
