#!/usr/bin/env python3
"""Writes boxwarden.conf(5) from the key table of docs/configuration.md,
so the man page lists exactly the documented keys (one source of truth).
Usage: packaging/man/gen-boxwarden-conf-5.py [OUT]   (default: beside this script)"""
import pathlib
import re
import sys

here = pathlib.Path(__file__).resolve().parent
doc = (here / "../../docs/configuration.md").read_text(encoding="utf-8")
out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here / "boxwarden.conf.5"


def roff(text):
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    text = text.replace("\\", "\\e").replace("`", "")
    return "\n".join(("\\&" + l) if l.startswith((".", "'")) else l for l in text.split("\n"))


rows = []
for line in doc.splitlines():
    m = re.match(r"^\| `([a-z0-9_]+)` \| ([^|]*) \| ([^|]*) \| ([^|]*) \| (.*) \|$", line)
    if m:
        rows.append([c.strip() for c in m.groups()])
if not rows:
    sys.exit("no key table found in docs/configuration.md")

page = [
    '.TH BOXWARDEN.CONF 5 "2026-12-01" "boxwarden 0.1.0" "File Formats"',
    ".SH NAME",
    "boxwarden.conf \\- configuration of the boxwarden daemons and boxwardenctl",
    ".SH SYNOPSIS",
    ".I /etc/boxwarden/boxwarden.conf",
    ".SH DESCRIPTION",
    "One file shared by boxwarden-policyd, boxwarden-milter and boxwardenctl",
    "(each takes another path with its configuration option). Lines are",
    ".IB key \" = \" value\\fR;",
    "a line starting with # is a comment; blank lines are ignored; a value runs",
    "to the end of the line (surrounding blanks trimmed, one pair of double",
    "quotes removed). Unknown keys, repeated keys and invalid values are errors",
    "naming the file, line and key",
    "(\\fBboxwarden-policyd \\-\\-check\\-config\\fR checks a file).",
    ".PP",
    "Durations: 500ms, 2s, 30m, 1h, or a bare number of seconds.",
    "Booleans: yes/no (also true/false, on/off, 1/0).",
    ".PP",
    "The file holds the database password: keep it 0640 root:boxwarden (the",
    "package sets this). The secret key for stored passwords is a separate",
    "file (secret_key_file, 0600 root:root).",
    ".SH KEYS",
]
for key, typ, default, rng, meaning in rows:
    page.append(".TP")
    page.append(f".B {key}")
    detail = f"({roff(typ)}; default {roff(default) or 'empty'}"
    if rng:
        detail += f"; {roff(rng)}"
    detail += ")"
    page.append(roff(meaning) + " " + detail)
page += [
    ".SH FILES",
    ".I /etc/boxwarden/boxwarden.conf",
    ".SH SEE ALSO",
    ".BR boxwarden-policyd (8),",
    ".BR boxwarden-milter (8),",
    ".BR boxwardenctl (8);",
    ".I /usr/share/doc/boxwarden-common/configuration.md",
    "(the details of each key).",
]
out.write_text("\n".join(page) + "\n", encoding="utf-8")
