#!/usr/bin/env bash
# Copies the NL Design System stylesheets the pages use from npm into the package, with their
# licences, and writes a gzip copy beside each that aiohttp sends to browsers that accept it.
# Usage: scripts/vendor_nl_design_system.sh [COMPONENTS_VERSION] [THEME_VERSION]
set -euo pipefail

components="@utrecht/component-library-css@${1:-9.0.4}"
theme="@nl-design-system-unstable/voorbeeld-design-tokens@${2:-7.4.1}"
vendor="$(cd "$(dirname "$0")/.." && pwd)/followup/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # package, folder: the package's tarball from the registry, unpacked
  (cd "$work" && npm pack --silent "$1" >/dev/null)
  mkdir -p "$work/$2"
  tar -xzf "$work"/*.tgz -C "$work/$2" --strip-components=1
  rm "$work"/*.tgz
}

place() {  # folder, file in the package's dist/, target folder
  mkdir -p "$vendor/$3"
  cp "$work/$1/dist/$2" "$vendor/$3/$2"
  cp "$work/$1/LICENSE.md" "$vendor/$3/LICENSE.md"
  gzip -9 -n -k -f "$vendor/$3/$2"
}

unpack "$components" components
unpack "$theme" theme
place components index.css utrecht-component-library-css
place theme theme.css voorbeeld-design-tokens
for folder in components theme; do
  node -e 'const p = require(process.argv[1]); console.log(p.name + "@" + p.version, p.license)' \
    "$work/$folder/package.json"
done
echo "Now update the versions in $vendor/README.md and look at every page."
