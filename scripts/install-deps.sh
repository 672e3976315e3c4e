#!/bin/sh
# Installs the Debian packages podpath's tests and lab need (run as root; CI calls it).
# Idempotent: packages already present are skipped quickly.
set -eu
PKGS="iproute2 iptables conntrack nftables ipset tcpdump procps psmisc kmod tshark chromium prometheus busybox"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "install-deps: all present ($PKGS)"
fi
