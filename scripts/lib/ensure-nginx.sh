# Makes sure nginx is installed and exports AMPERE_NGINX, the path of its binary, for the nginx tests and
# scripts/nginx/start. Sourced by scripts/test (so CI on a clean machine installs it) or run on its own, when it
# prints the path. Debian's package starts its service unless policy-rc.d forbids it; the tests start their own.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/debian-tool.sh"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ampere_ensure_tool AMPERE_NGINX nginx /usr/sbin/nginx nginx-light nginx
  echo "$AMPERE_NGINX"
else
  ampere_ensure_tool AMPERE_NGINX nginx /usr/sbin/nginx nginx-light nginx
fi
