# Finds a program the tests need, installing it from Debian's packages where it is missing, and exports the variable
# that names its binary. Shared by ensure-nginx.sh and ensure-chromium.sh. sudo only when not root.
# shellcheck shell=bash

# ampere_ensure_tool VAR NAME PATH PACKAGE [FALLBACK_PACKAGE]
#   VAR: the variable to export (an existing value that is executable wins); NAME: the command's name on PATH;
#   PATH: where Debian installs it; PACKAGE: what to install (FALLBACK_PACKAGE when PACKAGE fails).
ampere_ensure_tool() {
  local var=$1 name=$2 path=$3 package=$4 fallback=${5:-} found sudo=()
  ampere_find_tool() {
    local candidate
    for candidate in "${!var:-}" "$path" "$(command -v "$name" 2>/dev/null || true)"; do
      if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        echo "$candidate"
        return 0
      fi
    done
    return 1
  }
  if found=$(ampere_find_tool); then
    export "$var=$found"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ampere: $name is missing and there is no apt-get to install it; install $name or set $var" >&2
    return 1
  fi
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  echo "ampere: installing $name (Debian package)..." >&2
  local install=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends)
  {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      { "${install[@]}" "$package" || { [ -n "$fallback" ] && "${install[@]}" "$fallback"; }; }
  } >&2 || {
    echo "ampere: could not install $name with apt-get" >&2
    return 1
  }
  if ! found=$(ampere_find_tool); then
    echo "ampere: $name was installed but no binary was found at $path" >&2
    return 1
  fi
  export "$var=$found"
}
