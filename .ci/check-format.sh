#!/usr/bin/env bash
# Fails on any line of a tracked .cs file longer than 120 characters (characters, not bytes: ε and ‖ count as one),
# the limit .editorconfig sets; prints each such line as file:line: length.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.cs' | python3 -c '
import sys
limit = 120
paths = [p for p in sys.stdin.buffer.read().decode("utf-8").split("\0") if p]
long = 0
for path in paths:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            length = len(line.rstrip("\r\n"))
            if length > limit:
                print(f"{path}:{number}: {length} characters")
                long += 1
if long:
    sys.exit(f"check-format: {long} line(s) over {limit} characters in .cs files")
print(f"check-format: {len(paths)} .cs files, no line over {limit} characters")
'
