#!/usr/bin/env bash
# Mutation check: applies each deliberate one-line bug of scripts/mutations/*.patch in turn, runs the tests meant to
# catch it and reports "caught" (a test failed) or "MISSED" (every test passed); the source is restored after each.
# Each patch names its test project and filter in its "# project:" and "# filter:" header lines.
#
# usage: scripts/mutation-check.sh [--all] [NAME...]
#   --all   run the whole test project instead of the filter (shows whether any other test catches the bug too)
#   NAME    only these mutations (file names without .patch); default: all of them
# Exit code: 0 when every mutation was caught, 1 otherwise. Needs a clean work tree for the patched files.
# A new test or fixture written against a bug earns a patch here: make the bug, check it is caught, keep the patch.
set -uo pipefail
cd "$(dirname "$0")/.."
all=0
names=()
for a in "$@"; do
    case "$a" in
        --all) all=1 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) names+=("$a") ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=($(ls scripts/mutations/*.patch | xargs -n1 basename | sed 's/\.patch$//'))

missed=0
for name in "${names[@]}"; do
    patch=scripts/mutations/$name.patch
    what=$(sed -n 's/^# what: //p' "$patch")
    project=$(sed -n 's/^# project: //p' "$patch")
    filter=$(sed -n 's/^# filter: //p' "$patch")
    if ! git apply "$patch"; then
        echo "$name: the patch no longer applies (the code moved): update it"
        missed=$((missed + 1))
        continue
    fi
    trap 'git apply -R "$patch"' EXIT
    args=(tests/$project --nologo -v q)
    [ "$all" = 1 ] || args+=(--filter "$filter")
    log=$(mktemp)
    nice dotnet test "${args[@]}" >"$log" 2>&1
    code=$?
    git apply -R "$patch"
    trap - EXIT
    summary=$(grep -E '^(Passed|Failed|Skipped)!' "$log" | tail -1)
    if grep -q 'error CS' "$log"; then
        echo "$name: does not build with the mutation: $(grep -m1 'error CS' "$log")"
        missed=$((missed + 1))
    elif [ "$code" -ne 0 ] && grep -q '^Failed!' "$log"; then
        echo "caught  $name ($what): $summary"
    else
        echo "MISSED  $name ($what): $summary"
        missed=$((missed + 1))
    fi
    rm -f "$log"
done
echo "$(( ${#names[@]} - missed )) caught, $missed missed"
[ "$missed" -eq 0 ]
