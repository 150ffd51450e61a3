#!/bin/sh
# Vendor the parts of reveal.js that vizgrad's slide decks inline (python -m vizgrad.slides).
#
#   scripts/vendor_reveal.sh [VERSION]
#
# Fetches the reveal.js package from the npm registry with `npm pack` (needs npm and the
# network, at packaging time only: a deck never loads anything at run time) and copies the
# files the deck needs, unmodified, with their licences, into vizgrad/web/static/vendor/reveal/.
# To update: run it with the new version, update VERSION in vizgrad/slides.py and the
# version in vizgrad/web/static/vendor/reveal/README.md, rebuild a deck and run tests/test_slides.py.
set -eu

VERSION="${1:-6.0.2}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/vizgrad/web/static/vendor/reveal"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
TARBALL="$(npm pack --silent "reveal.js@$VERSION")"
tar -xzf "$TARBALL"
echo "$(sha256sum "$TARBALL" | cut -d' ' -f1)  $TARBALL"

mkdir -p "$DEST"
# the core (UMD build: window.Reveal), its style, one theme (white: its fonts are embedded
# in the css as data: URLs, so it makes no request), and the speaker-notes plugin
cp package/LICENSE "$DEST/LICENSE"
cp package/dist/reveal.js "$DEST/reveal.js"
cp package/dist/reveal.css "$DEST/reveal.css"
cp package/dist/theme/white.css "$DEST/white.css"
cp package/dist/plugin/notes.js "$DEST/notes.js"
# white.css embeds Source Sans Pro, under the SIL Open Font License
cp package/css/theme/fonts/source-sans-pro/LICENSE "$DEST/LICENSE.source-sans-pro"
echo "reveal.js $VERSION vendored into $DEST"
