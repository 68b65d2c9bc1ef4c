#!/usr/bin/env bash
# Makes tests/smtp/.venv with the pinned aiosmtpd of requirements.txt (run by .ci/run; run it by
# hand before `cargo nextest run` of the e-mail tests on a fresh machine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ] ||
  ! "$venv/bin/pip" freeze 2>/dev/null | grep -qxF -f <(grep -v '^#' "$here/requirements.txt"); then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r "$here/requirements.txt"
fi
"$venv/bin/python" -c 'import aiosmtpd' 
