#!/usr/bin/env bash
# Renders resources/icons/topiary.svg to the PNG sizes the desktop and the window use.
# The PNGs are committed; run this again after editing the SVG (needs librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/../resources/icons"
for size in 16 32 48 64 128 256; do
  rsvg-convert -w "$size" -h "$size" topiary.svg -o "topiary-$size.png"
done
