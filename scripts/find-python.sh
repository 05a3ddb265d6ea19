#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what is needed and fail.
# Looks at $PYTHON, then python3.13/python3.12/python3 on PATH, then pyenv's and uv's installs.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for name in python3.14 python3.13 python3.12 python3; do
  command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
done
pyenv_root="${PYENV_ROOT:-}"
[ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1 && pyenv_root="$(pyenv root 2>/dev/null)"
[ -z "$pyenv_root" ] && pyenv_root="$HOME/.pyenv"
# Newest first.
dirs=$(ls -d "$pyenv_root"/versions/3.1[2-9]* "$HOME"/.local/share/uv/python/cpython-3.1[2-9]* 2>/dev/null | sort -t. -k2,2nr -k3,3nr)
for dir in $dirs; do
  for exe in "$dir"/bin/python3 "$dir"/python3.13 "$dir"/python3.12; do
    [ -x "$exe" ] && candidates+=("$exe")
  done
done
for candidate in "${candidates[@]}"; do
  if ok "$candidate"; then
    echo "$candidate"
    exit 0
  fi
done
echo "Groundswell needs Python 3.12 or newer, and none was found on PATH or under pyenv ($pyenv_root/versions)." >&2
echo "Install Python 3.12+ (e.g. 'pyenv install 3.13' or your OS package), or point PYTHON=/path/to/python3.12 at one." >&2
exit 1
