"""Our verdicts against a truth file written by the oracle for any folder: held-out agreement.

``tests/test_claude_code_truth.py`` compares the committed truth file (fixtures and
../shared/corpus). To measure files we have not tuned on, run the oracle on a folder of them,
writing its truth outside the repo, then compare here with the same rule of agreement:

    python -m oracle --corpus /tmp/heldout --out /tmp/heldout-truth.json --jobs 1
    PYTHONPATH=server python bench/oracle_agreement.py /tmp/heldout-truth.json /tmp/heldout

It prints the agreement per section and per top folder (one repository each, as the held-out
collection lays them out), then every disagreement with what Claude Code did and what we say.
Exit status 1 when any file disagrees.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.test_claude_code_truth import _describe, agrees  # noqa: E402

from subagent_lsp.definitions.workspace import check_paths  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("truth", type=Path, help="a truth file written by python -m oracle --out")
    parser.add_argument("root", type=Path, help="the folder given to the oracle as --corpus")
    parser.add_argument("--section", default="corpus", choices=("corpus", "fixtures"))
    parser.add_argument("--json", action="store_true", help="disagreements as JSON lines")
    args = parser.parse_args(argv)

    truth = json.loads(args.truth.read_text(encoding="utf-8"))
    entries: dict[str, dict[str, object]] = truth[args.section]
    version = truth["claude_code_version"]
    per_top: Counter[str] = Counter()
    bad_top: Counter[str] = Counter()
    disagreements: list[tuple[str, dict[str, object], str]] = []
    for key, entry in sorted(entries.items()):
        findings = tuple(f for r in check_paths([str(args.root / key)]) for f in r.findings)
        top = key.split("/", 1)[0]
        per_top[top] += 1
        if not agrees(str(entry["verdict"]), findings):
            bad_top[top] += 1
            disagreements.append((key, entry, _describe(findings)))
    total = len(entries)
    for top in sorted(per_top):
        print(f"  {top}: {per_top[top] - bad_top[top]}/{per_top[top]}")
    for key, entry, ours in disagreements:
        if args.json:
            print(json.dumps({"file": key, "verdict": entry["verdict"], "ours": ours}))
        else:
            listed = entry.get("details")
            details = "; ".join(str(d) for d in listed if isinstance(listed, list))[:240]
            print(f"- {key}")
            print(f"    Claude Code {version}: {entry['verdict']} ({details})")
            print(f"    we say: {ours}")
    agreed = total - len(disagreements)
    rate = 100.0 * agreed / total if total else 100.0
    print(
        f"{args.section}: we agree with Claude Code {version} on {agreed} of {total} files "
        f"({rate:.1f}%) from {len(per_top)} folders"
    )
    return 1 if disagreements else 0


if __name__ == "__main__":
    raise SystemExit(main())
