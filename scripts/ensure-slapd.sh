#!/usr/bin/env bash
# The LDAP tests run a real OpenLDAP: Debian's slapd, started by the test itself on a
# loopback port (the package's own daemon is not used). Install it when missing.
set -euo pipefail
if command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; then exit 0; fi
echo "installing Debian's slapd for the LDAP tests…"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "slapd is missing and this user cannot install it: run 'apt-get install -y slapd' as root" >&2; exit 1; }
  SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq slapd >/dev/null
