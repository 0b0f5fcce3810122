#!/usr/bin/env bash
# The editor test: installs its two npm packages (exact versions, from
# package-lock.json) and tokenizes every shipped .kb file with the TextMate
# grammar. Usage: bash editors/test/run.sh [FOLDER...]
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
cd ../..
node editors/test/tokenize.js "$@"
