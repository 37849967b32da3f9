#!/usr/bin/env python3
"""Prints the README's table of message ids from the English catalog (locales/en/*.ftl):
id, where it shows (the catalog's `##` section) and the English text.

    python3 scripts/message-ids.py > /tmp/ids.md   # then paste it into the README
"""
import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "locales", "en")

for name in sorted(os.listdir(ROOT)):
    if not name.endswith(".ftl"):
        continue
    lines = open(os.path.join(ROOT, name), encoding="utf-8").read().split("\n")
    section, rows = "", []
    for i, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].strip().rstrip(".")
        m = re.match(r"^([a-z][a-z0-9-]*) = ?(.*)$", line)
        if not m:
            continue
        ident, value = m.group(1), m.group(2)
        if value.endswith("->"):
            selector = re.search(r"\$([a-z_]+)", value).group(1)
            other = ""
            for follow in lines[i + 1:]:
                if not follow.startswith((" ", "}")):
                    break
                mm = re.match(r"\s*\*\[other\] (.*)", follow)
                if mm:
                    other = mm.group(1)
            value = f"(plural of `${selector}`) {other}"
        rows.append((ident, section, value.replace("|", "\\|")))
    print(f"\n`locales/en/{name}`:\n")
    print("| id | where | English |\n|---|---|---|")
    for ident, where, english in rows:
        print(f"| `{ident}` | {where} | {english} |")
