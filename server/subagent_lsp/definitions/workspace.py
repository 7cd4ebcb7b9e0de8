"""Files on disk -> checked documents, and the facts that span files (duplicate agent names)."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Iterator

from ..records import TYPE_CHECKING, Record
from ..registry import emits
from .checks import DEFAULT_OPTIONS, CheckOptions, check_document
from .configspec import JSON_FILE_NAMES
from .document import Document, parse_document
from .findings import Finding, Related, Severity, Span
from .fixes import apply_edits, select_safe_fixes
from .kinds import FileKind, Globs, classify, default_globs
from .rules import NOT_LOADED, RULES
from .spec import DEFAULT_EXCLUDES, MAX_FILE_BYTES, Kind
from .suppress import MARK, Suppressions, find_suppressions

if TYPE_CHECKING:
    import pathspec

CLAUDE_MD = "CLAUDE.md"


class FileResult:
    __slots__ = ("agent_name", "findings", "kind", "mcp_servers", "path", "suppressions")

    def __init__(
        self,
        path: str,
        kind: FileKind | None,
        findings: list[Finding] | None = None,
        agent_name: tuple[str, Span] | None = None,
        mcp_servers: tuple[str, ...] = (),  # names an agent's mcpServers mentions (completion)
        # The file's suppression comments, kept for the findings that come later (cross-file).
        suppressions: Suppressions | None = None,
    ) -> None:
        self.path = path
        self.kind = kind
        self.findings: list[Finding] = [] if findings is None else findings
        self.agent_name = agent_name
        self.mcp_servers = mcp_servers
        self.suppressions = suppressions

    def __repr__(self) -> str:
        return f"FileResult({self.path!r}, {len(self.findings)} findings)"


class ReadResult(Record):
    __slots__ = ("problem", "text")

    def __init__(
        self,
        text: str | None,
        problem: str | None = None,
    ) -> None:
        self.text = text
        self.problem = problem


def read_text(path: str) -> ReadResult:
    """Read a file as text; a file that is not text gets a reason, never an exception."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            return _too_big(size)
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as err:
        return ReadResult(None, f"Cannot read the file: {err.strerror or err}.")
    return decode_text(data)


def decode_text(data: bytes) -> ReadResult:
    """Bytes (a file's, or standard input's) as agent-file text, or the reason they are not."""
    if len(data) > MAX_FILE_BYTES:
        return _too_big(len(data))
    if b"\x00" in data[:8192]:
        return ReadResult(None, "Binary file (it contains NUL bytes), not an agent definition.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return ReadResult(
            None,
            f"Not UTF-8 text (byte 0x{data[err.start]:02X} at offset {err.start}); Claude Code "
            "reads agent files as UTF-8. Re-save the file as UTF-8.",
        )
    return ReadResult(text.removeprefix("\ufeff"))


def _too_big(size: int) -> ReadResult:
    return ReadResult(
        None, f"File is {size:,} bytes; agent files over {MAX_FILE_BYTES:,} bytes are not checked."
    )


class _Ignores:
    """.gitignore files met on the way down, each applied below its own folder. pathspec is
    imported when the first one is met: `check FILE` and folders without one never pay for it."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def load(self, folder: str) -> None:
        path = os.path.join(folder, ".gitignore")
        if not os.path.isfile(path):
            return
        import pathspec

        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                spec = pathspec.GitIgnoreSpec.from_lines(fh)
        except OSError:
            return
        self.specs.append((folder, spec))

    def ignored(self, path: str, is_dir: bool) -> bool:
        for folder, spec in self.specs:
            if not path.startswith(folder + os.sep):
                continue
            rel = os.path.relpath(path, folder).replace(os.sep, "/")
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False


def iter_markdown(
    root: str,
    excludes: Iterable[str] = DEFAULT_EXCLUDES,
    patterns: Iterable[str] = (),
    patterns_root: str | None = None,
) -> Iterator[str]:
    """Markdown files below ``root``, skipping excluded folders, what .gitignore ignores and the
    configured exclude ``patterns`` (gitignore-style, relative to ``patterns_root``)."""
    skip = set(excludes)
    ignores = _Ignores()
    extra = list(patterns)
    if extra:
        import pathspec  # configured excludes: only then

        ignores.specs.append(
            (os.path.abspath(patterns_root or root), pathspec.GitIgnoreSpec.from_lines(extra))
        )
    for folder, dirs, files in os.walk(os.path.abspath(root)):
        ignores.load(folder)
        dirs[:] = sorted(
            d for d in dirs if d not in skip and not ignores.ignored(os.path.join(folder, d), True)
        )
        for name in sorted(files):
            path = os.path.join(folder, name)
            wanted = name.lower().endswith(".md") or name in JSON_FILE_NAMES
            if wanted and not ignores.ignored(path, False):
                yield path


def claude_md_files(roots: Iterable[str]) -> list[str]:
    """The CLAUDE.md files below ``roots`` (their prose mentions agents), found by the same walk
    as the agent files: the same excluded folders, the same .gitignore rules."""
    return [
        path
        for root in roots
        for path in iter_markdown(root)
        if os.path.basename(path) == CLAUDE_MD
    ]


def check_text(
    path: str,
    text: str,
    kind: FileKind,
    opts: CheckOptions = DEFAULT_OPTIONS,
) -> FileResult:
    return check_parsed(parse_document(path, text), kind, opts)


def check_parsed(doc: Document, kind: FileKind, opts: CheckOptions = DEFAULT_OPTIONS) -> FileResult:
    findings = check_document(doc, kind, opts)
    name = agent_name(doc) if kind.kind is Kind.SUBAGENT else None
    suppressions = find_suppressions(doc.lines) if MARK in doc.text else None
    return FileResult(doc.path, kind, findings, name, mcp_server_names(doc), suppressions)


def mcp_server_names(doc: Document) -> tuple[str, ...]:
    node = doc.get("mcpServers")
    if node is None or node.kind != "sequence":
        return ()
    names: list[str] = []
    for item in node.items:
        if item.is_scalar and isinstance(item.value, str):
            names.append(item.value)
        elif item.kind == "mapping":
            names.extend(k.text for k, _ in item.pairs)
    return tuple(names)


def agent_name(doc: Document) -> tuple[str, Span] | None:
    node = doc.get("name")
    if node is None or not node.is_scalar or not isinstance(node.value, str) or not node.text:
        return None
    return node.text, node.span


@emits("AGT001")
def check_file(
    path: str,
    opts: CheckOptions = DEFAULT_OPTIONS,
    globs: Globs | None = None,
    explicit: bool = False,
) -> FileResult | None:
    """Check one file on disk; None when it is not an agent definition file."""
    read = read_text(path)
    kind = classify(path, read.text, globs or default_globs(), explicit=explicit)
    if read.text is None and (kind is not None or explicit):
        rule = RULES["AGT001"]
        finding = Finding(rule.code, rule.severity, Span.point(0, 0), read.problem or "")
        return FileResult(path, kind, opts.policy.apply(path, [""], [finding]))
    if kind is None or read.text is None:
        return None
    return check_text(path, read.text, kind, opts)


def check_paths(
    paths: Iterable[str],
    opts: CheckOptions = DEFAULT_OPTIONS,
    globs: Globs | None = None,
    exclude: Iterable[str] = (),
    exclude_root: str | None = None,
) -> list[FileResult]:
    """Check files and folders (recursively) and add the cross-file findings."""
    results: list[FileResult] = []
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            found = iter_markdown(given, patterns=exclude, patterns_root=exclude_root)
            candidates: Iterable[tuple[str, bool]] = ((p, False) for p in found)
        else:
            candidates = [(given, True)]
        for path, explicit in candidates:
            key = os.path.abspath(path)
            if key in seen:
                continue
            seen.add(key)
            result = check_file(path, opts, globs, explicit)
            if result is not None:
                results.append(result)
    add_duplicate_names(results, opts)
    return results


def loads(result: FileResult) -> bool:
    """Whether Claude Code loads the agent at all (its name can then clash with another)."""
    return not any(
        f.code in NOT_LOADED and f.severity is Severity.ERROR for f in result.findings
    ) and not (result.kind is not None and result.kind.unlisted)


@emits("AGT051")
def duplicate_name_findings(
    results: Iterable[FileResult], opts: CheckOptions = DEFAULT_OPTIONS
) -> dict[str, list[Finding]]:
    """Two agents with one name in one scope: only one loads, so both are told (by path)."""
    code = "AGT051"
    out: dict[str, list[Finding]] = defaultdict(list)
    if opts.policy.is_off(code):
        return out
    severity = RULES[code].severity
    by_scope: dict[tuple[str, str], list[FileResult]] = defaultdict(list)
    for result in results:
        if result.agent_name is None or result.kind is None or not loads(result):
            continue
        scope = result.kind.scope or os.path.dirname(os.path.abspath(result.path))
        by_scope[(scope, result.agent_name[0])].append(result)
    for (_, name), group in by_scope.items():
        if len(group) < 2:
            continue
        for result in group:
            assert result.agent_name is not None
            others = [g for g in group if g is not result]
            related = tuple(
                Related(o.path, o.agent_name[1], f"`{name}` is also defined here")
                for o in others
                if o.agent_name is not None
            )
            finding = Finding(
                code,
                severity,
                result.agent_name[1],
                f"Another agent in this scope is also named `{name}` "
                f"({os.path.relpath(others[0].path)}); only one of them loads.",
                related=related,
            )
            kept = opts.policy.apply(result.path, None, [finding], result.suppressions)
            if kept:
                out[result.path].extend(kept)
    return out


def add_duplicate_names(results: list[FileResult], opts: CheckOptions = DEFAULT_OPTIONS) -> None:
    extra = duplicate_name_findings(results, opts)
    for result in results:
        if result.path in extra:
            result.findings.extend(extra[result.path])
            result.findings.sort(key=Finding.sort_key)


def fix_text(
    path: str, text: str, kind: FileKind, opts: CheckOptions = DEFAULT_OPTIONS, passes: int = 5
) -> tuple[str, int]:
    """Apply safe fixes until none is left (a fix can reveal another); (new text, fixes applied)."""
    applied = 0
    for _ in range(passes):
        findings = check_document(parse_document(path, text), kind, opts)
        chosen = select_safe_fixes(findings)
        if not chosen:
            break
        text = apply_edits(text, [e for fix in chosen for e in fix.edits])
        applied += len(chosen)
    return text, applied
