#!/usr/bin/env bash
# Fails when translations/topiary_*.ts is behind the sources: a message without a
# translation (type="unfinished"), a message whose string left the sources
# (type="vanished"/"obsolete"), or a tr() string in app/gui or widgets the .ts does not
# have. Runs lupdate the way the update_translations target does, but on a temporary
# copy: the committed file is never modified. Usage: translations_complete.sh LUPDATE SOURCE_DIR
set -euo pipefail
lupdate=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for ts in "$src"/translations/topiary_*.ts; do
    name=$(basename "$ts")
    copy="$tmp/$name"
    cp "$ts" "$copy"
    before=$(grep -c '<message' "$ts" || true)
    # Same parser input as app/gui/CMakeLists.txt's qt_add_translations (include paths
    # give tr() contexts their namespace), but keeping vanished messages so they can be reported.
    "$lupdate" -silent -locations none -I "$src" -I "$src/app/gui" "$src/app/gui" "$src/widgets" -ts "$copy" >"$tmp/lupdate.log" 2>&1 \
        || { cat "$tmp/lupdate.log"; echo "FAIL: lupdate failed on $name"; exit 1; }

    # Print the <source> of every message carrying the given translation type.
    list() {
        awk -v type="$1" '
            /<name>/ { ctx = $0; gsub(/.*<name>|<\/name>.*/, "", ctx) }
            /<source>/ { s = $0; gsub(/.*<source>|<\/source>.*/, "", s) }
            /<translation/ && index($0, "type=\"" type "\"") { print "    " ctx ": " s }
        ' "$2"
    }
    unfinished=$(list unfinished "$copy")
    gone=$( { list vanished "$copy"; list obsolete "$copy"; } )
    after=$(grep -c '<message' "$copy" || true)
    if [[ -n $unfinished ]]; then
        echo "FAIL: $name has messages without a translation (new in the sources or never translated):"
        echo "$unfinished"
        status=1
    fi
    if [[ -n $gone ]]; then
        echo "FAIL: $name has messages that are no longer in the sources:"
        echo "$gone"
        status=1
    fi
    if [[ $before != "$after" ]]; then
        echo "FAIL: lupdate found $after messages for $name, the committed file has $before"
        status=1
    fi
    [[ $status == 0 ]] && echo "ok: $name: $before messages, all translated and current"
done
if [[ $status != 0 ]]; then
    echo "Update with: cmake --build build --target update_translations  (see translations/README.md)"
fi
exit $status
