#!/usr/bin/env python3
"""Writes docs/controls.md from catalog/ (run: tools/gen-controls-doc.py [OUT]).
The test suite regenerates it and fails when the committed copy differs."""
import json, os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
cat = json.load(open(os.path.join(ROOT, "catalog", "catalog.json")))
controls = []
for name in sorted(os.listdir(os.path.join(ROOT, "catalog", "controls"))):
    controls.append(json.load(open(os.path.join(ROOT, "catalog", "controls", name))))
controls.sort(key=lambda c: (c["deprecated"], c["controlCategory"], c["service"], c["id"]))

def refs(c):
    out = []
    for ci in c.get("complianceInformation", []):
        n = ci["certificationName"]
        ids = [x["name"] for x in ci.get("certificationControls", [])]
        if n.startswith("CIS"):
            out += ["CIS " + i for i in ids]
        elif n.startswith("CISA"):
            out += ids
        elif n.startswith("Office 365 Secure Score"):
            out.append("SS2016")
    return ", ".join(out)

def md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")

active = [c for c in controls if not c["deprecated"]]
lines = [
    "# Controls",
    "",
    "Generated from `catalog/` by `tools/gen-controls-doc.py`; do not edit by hand.",
    "",
    f"Catalog version **{cat['catalogVersion']}**: {len(controls)} controls, {len(active)} scored "
    f"({sum(c['maxScore'] for c in active):g} points at most, before licences), {len(controls) - len(active)} deprecated.",
    "",
    "Points: controls of the Office 365 Secure Score of 2016-2018 (SS2016) keep Microsoft's published",
    "points; controls Microsoft never priced follow the rubric below, recorded in each control's",
    "`pricing`. How measures and conditions work: [catalog.md](catalog.md).",
    "",
    "## Point rubric",
    "",
    "| threat class | Core | Advanced | Defense in Depth |",
    "|---|---:|---:|---:|",
    "| A: account takeover, privilege escalation, bulk exfiltration | 8 | 7 | 5 |",
    "| B: exposure of one service's data, spoofing, phishing delivery | 5 | 5 | 3 |",
    "| C: hygiene and visibility | 3 | 3 | 2 |",
    "",
    "## Agreement with CISA ScubaGear",
    "",
    "`secscore score ProviderSettingsExport.json` scores ScubaGear's export directly. Where a",
    "control names a SCuBA policy id it judges the same setting, and the verdicts compare as:",
    "",
    "| ScubaGear result | secscore |",
    "|---|---|",
    "| Pass | `passed` |",
    "| Fail (a SHALL policy) | `failed`, or `partial` for per-entity controls |",
    "| Warning (a SHOULD policy not met) | `failed` / `partial`: secscore has no separate warning level; the control's tier says how much it matters |",
    "| N/A | `notApplicable` (the service is not licensed) |",
    "| Error, Not-Implemented (no data) | `notScored`, with the input that is missing |",
    "| 3rd Party | state `third_party` (full points, marked) |",
    "| Omitted (OmitPolicy in ScubaGear's config) | state `risk_accepted` or `ignored`, with reason and expiry |",
    "",
    "ScubaGear exports do not hold users, MFA registration or mailboxes, so the per-user and",
    "per-mailbox controls are Not scored from an export alone; add `graph/users.json`,",
    "`graph/userRegistrationDetails.json` and `exchange/Get-Mailbox.json` in a snapshot directory.",
    "",
    "## Scored controls",
    "",
    "| id | title | service | category | type | points | tier | user impact | measure | reads | references |",
    "|---|---|---|---|---|---:|---|---|---|---|---|",
]
for c in active:
    lines.append("| `{}` | {} | {} | {} | {} | {:g} | {} | {} | {} | {} | {} |".format(
        c["id"], md(c["title"]), c["service"], c["controlCategory"], c["actionType"], c["maxScore"], c["tier"],
        c["userImpact"], c["measure"], md(", ".join(c["inputs"]) or "audit evidence"), md(refs(c))))
lines += ["", "## Deprecated controls (kept for history, never scored)", "",
          "| id | title | service | points |", "|---|---|---|---:|"]
for c in controls:
    if c["deprecated"]:
        lines.append(f"| `{c['id']}` | {md(c['title'])} | {c['service']} | {c['maxScore']:g} |")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "controls.md")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
