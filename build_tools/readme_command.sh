#!/usr/bin/env bash

# Authors: The skselect developers
# SPDX-License-Identifier: BSD-3-Clause

# Print the shell command the README gives under the marker <!-- NAME -->
# (tour-command or test-command), so that CI runs exactly what a newcomer types.
set -euo pipefail
name="${1:?usage: readme_command.sh tour-command|test-command}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command="$(awk -v marker="<!-- ${name} -->" '
    $0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    found && inside { print }
' "${root}/README.md")"
if [[ -z "${command}" ]]; then
    echo "readme_command.sh: no command under <!-- ${name} --> in README.md" >&2
    exit 2
fi
printf '%s\n' "${command}"
