#!/usr/bin/env bash
# `npm start`'s build step: runs `npm run build` only when something the build reads changed
# since the last build made here, so a start with nothing changed skips tsc (about 20 s on two
# cores). What counts: the folders tsconfig.build.json includes (but spec files, which it
# excludes, and READMEs), every tsconfig*.json, package.json and the installed dependencies.
# Folders count too, so a deleted or renamed file triggers a build like an edited one.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp

# shellcheck disable=SC2207 # the include list is plain folder names
sources=($(node -p 'require("./tsconfig.build.json").include.join(" ")'))
inputs=("${sources[@]}" tsconfig*.json package.json package-lock.json)
[ -e node_modules/.package-lock.json ] && inputs+=(node_modules/.package-lock.json)

if [ ! -e "$stamp" ]; then
  reason='no build made by npm start yet'
else
  changed="$(find "${inputs[@]}" -newer "$stamp" \
    ! -name '*.spec.ts' ! -name '*.int-spec.ts' ! -name '*.e2e-spec.ts' ! -name '*.md' \
    -print -quit)"
  if [ -z "$changed" ]; then
    echo "build: dist/ is up to date with the sources (npm run build forces one)"
    exit 0
  fi
  reason="$changed changed since the last build"
fi

echo "build: $reason; building"
# The stamp takes the time the build started: a file saved while tsc runs is newer than it, so
# the next start builds again.
mkdir -p dist
next="$(mktemp dist/.build-stamp.XXXXXX)"
trap 'rm -f "$next"' EXIT
npm run --silent build
mv "$next" "$stamp"
