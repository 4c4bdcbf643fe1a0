# Makes sure nginx is installed and exports AMPERE_NGINX, the path of its binary, for the nginx tests and
# scripts/nginx/start. Sourced by scripts/test (so CI on a clean machine installs it) or run on its own, when it
# prints the path. Installs Debian's nginx with apt-get where it is missing (sudo only when not root).
# shellcheck shell=bash

ampere_find_nginx() {
  local candidate
  for candidate in "${AMPERE_NGINX:-}" /usr/sbin/nginx "$(command -v nginx 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

ampere_ensure_nginx() {
  local nginx sudo=()
  if nginx=$(ampere_find_nginx); then
    export AMPERE_NGINX="$nginx"
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "ampere: nginx is missing and there is no apt-get to install it; install nginx or set AMPERE_NGINX" >&2
    return 1
  fi
  [ "$(id -u)" -eq 0 ] || sudo=(sudo -n)
  echo "ampere: installing nginx (Debian package)..." >&2
  # Debian's package starts its service unless policy-rc.d forbids it; the tests start their own nginx.
  {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light ||
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx; }
  } >&2 || {
    echo "ampere: could not install nginx with apt-get" >&2
    return 1
  }
  if ! nginx=$(ampere_find_nginx); then
    echo "ampere: nginx was installed but no binary was found at /usr/sbin/nginx" >&2
    return 1
  fi
  export AMPERE_NGINX="$nginx"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ampere_ensure_nginx
  echo "$AMPERE_NGINX"
else
  ampere_ensure_nginx
fi
