"""What counts as a secret in what is sent to the agent, and where it is.

The detectors are a maintained scanner's catalogue, detect-secrets' plugins (cloud, payment,
messaging, VCS and registry tokens, private keys, basic auth, JWTs, keyword-named assignments,
high-entropy strings), not a list of our own: a hand-kept list always trails the formats people
actually leak. Around it sit what the catalogue cannot see line by line or does not hold yet
(whole PEM blocks, a few providers' published prefixes, unquoted random-looking tokens) and the
patterns the user adds (``secretPatterns``).

The catalogue costs about half a second to import: it is loaded on the first agent call
(:func:`load_catalogue`), never on a keystroke or at start-up. detect-secrets' own scan entry
points are not used: they read its global settings and can verify a secret by calling the
provider, and nothing here may leave the machine. Only each plugin's ``analyze_string`` runs.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

PLACEHOLDER = "[REDACTED:{}]"
PLACEHOLDER_PREFIX = "[REDACTED"  # what an edit must not touch, whatever the label

# detect-secrets' secret types, as short stable labels for the placeholders.
_LABELS = {
    "AWS Access Key": "aws-key",
    "Azure Storage Account access key": "azure-storage-key",
    "Basic Auth Credentials": "url-password",
    "Base64 High Entropy String": "high-entropy-string",
    "Hex High Entropy String": "hex-key",
    "JSON Web Token": "jwt",
    "NPM tokens": "npm-token",
    "Public IP (ipv4)": "public-ip",
    "Secret Keyword": "secret",
    "SendGrid API Key": "sendgrid-key",
    "Stripe Access Key": "stripe-key",
    "Twilio API Key": "twilio-key",
}

# Formats the catalogue does not hold (detect-secrets 1.5 has no Google or Anthropic detector, and
# reads a PEM block one line at a time, so it finds the BEGIN line and not the key): each is the
# provider's published shape. Text-wide, so they also run on unquoted text (comments, SQL, YAML).
_SUPPLEMENT = (
    (
        "private-key",
        r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*-----",
    ),
    ("google-api-key", r"\bAIza[0-9A-Za-z_\-]{35}"),
    ("anthropic-key", r"\bsk-ant-[A-Za-z0-9_\-]{16,}"),
    ("openai-key", r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_\-]{32,}"),
    ("stripe-key", r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}"),
    ("github-token", r"\b(?:github_pat|gh[pousr])_[A-Za-z0-9_]{20,}"),
    ("slack-webhook", r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+"),
    # the catalogue's JWT match stops before the signature
    ("jwt", r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    ("npm-token", r"\bnpm_[A-Za-z0-9]{36}\b"),
    ("aws-key", r"\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b"),
    ("slack-token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("api-key", r"\bsk-[A-Za-z0-9_\-]{16,}"),
    # a password inside a connection string (``Server=db;Password=...;``)
    ("password", r"(?i)\b(?:password|passwd|pwd)\s*=\s*(?P<secret>[^;'\"\s]{3,})"),
    # what this project stripped before the catalogue (so nothing it caught is sent now):
    # assignments whose name says secret, the name kept
    (
        "secret",
        r"""(?ix)\b[\w.-]*(?:api[_-]?key|secret|token|passw(?:or)?d|pwd|credential|auth)[\w-]*
        ["']?\s*[:=]\s*(?:[rbuf]{0,2})["'](?P<secret>[^"'\n]{4,})(?=["'])""",
    ),
    # scheme://user:password@host, also where the password holds characters basic auth's
    # detector stops at
    ("url-password", r"(?<=://)[^\s:/@'\"]+:[^\s@'\"]{3,}(?=@)"),
)
_SUPPLEMENT_RE = tuple((label, re.compile(rx)) for label, rx in _SUPPLEMENT)

# Tokens that carry no quotes (``KEY=value`` in a comment, SQL, a shell line in a docstring): the
# catalogue's high-entropy detectors only read quoted strings.
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_\-=.~])[A-Za-z0-9+/_\-=.~]{20,}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    label: str


def placeholder(label: str) -> str:
    return PLACEHOLDER.format(label)


def entropy(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_random(token: str) -> bool:
    """A token no word or identifier looks like: long, with a long run mixing letters and digits,
    and of high entropy. Names made of words and numbers (``migration_0002_add_index``) have no
    such run; keys, tokens and hashes do."""
    core = token.strip("=.-_/+~")
    if len(core) < 20 or _UUID.fullmatch(core) or not any(c.isdigit() for c in core):
        return False
    if re.fullmatch(r"[0-9a-fA-F]+", core):
        return len(core) >= 32 and entropy(core) >= 3.0 and not core.isdigit()
    runs = re.split(r"[_\-/.~]+", core)
    if not any(_random_run(run) for run in runs) and _mean_piece(core) >= 3:
        return False  # no random run, and as a whole it reads as words
    mixed_case = any(c.isupper() for c in core) and any(c.islower() for c in core)
    return entropy(core) >= (3.5 if mixed_case else 3.3)


_PIECE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def _mean_piece(text: str) -> float:
    """The mean length of ``text``'s case-and-digit pieces: random text breaks into pieces of one
    or two characters, ``Returns201Created`` or ``Order.query.get_or_404`` into words."""
    pieces = _PIECE.findall(text)
    return sum(map(len, pieces)) / len(pieces) if pieces else float("inf")


def _random_run(run: str) -> bool:
    """A long run mixing letters and digits, made of short pieces."""
    if len(run) < 16 or run.isalpha() or run.isdigit():
        return False
    return _mean_piece(run) < 4


class _Catalogue:
    """detect-secrets' plugins, instantiated once with their defaults."""

    def __init__(self) -> None:
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
        from detect_secrets.plugins.keyword import (
            QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
            REGEX_BY_FILETYPE,
        )
        from detect_secrets.util.filetype import determine_file_type

        classes: list[Any] = list(get_mapping_from_secret_type_to_class().values())
        self.plugins = [cls() for cls in classes]
        self.entropic = HighEntropyStringsPlugin
        self.keyword_regexes = REGEX_BY_FILETYPE
        self.default_keyword_regexes = QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
        self.file_type = determine_file_type

    def values(self, line: str, filename: str) -> Iterator[tuple[str, str]]:
        """(label, secret value) for each secret a plugin finds in ``line``."""
        keyword_regexes = self.keyword_regexes.get(
            self.file_type(filename or "x.py"), self.default_keyword_regexes
        )
        for plugin in self.plugins:
            label = _label(plugin.secret_type)
            if plugin.secret_type == "Secret Keyword":
                found: Iterable[str] = plugin.analyze_string(
                    line, denylist_regex_to_group=keyword_regexes
                )
            else:
                found = plugin.analyze_string(line)
            for value in found:
                if isinstance(plugin, self.entropic) and (
                    plugin.calculate_shannon_entropy(value) < plugin.entropy_limit
                ):
                    continue  # the plugin's own limit, as its analyze_line applies it
                if value:
                    yield label, value


_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    with _LOCK:
        return _Catalogue()


def load_catalogue() -> None:
    """Import the catalogue now (the editor does it off its event loop before the first call)."""
    _catalogue()


def _label(secret_type: str) -> str:
    known = _LABELS.get(secret_type)
    if known:
        return known
    words = re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")
    return words.replace("credentials", "credential").replace("tokens", "token")


@lru_cache(maxsize=32)
def _user_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    out = []
    for pattern in patterns:
        try:
            out.append(re.compile(pattern))
        except re.error:
            continue  # reported when the settings are read (settings_read checks regexes)
    return tuple(out)


def invalid_patterns(patterns: Iterable[str]) -> list[str]:
    """The ``secretPatterns`` that are not regular expressions, with why."""
    bad = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            bad.append(f"{pattern!r}: {err}")
    return bad


def find_secrets(text: str, filename: str = "", patterns: tuple[str, ...] = ()) -> list[Found]:
    """Every secret in ``text``, as non-overlapping spans in text order, each with a label."""
    found: list[Found] = []
    for label, regex in _SUPPLEMENT_RE:
        group = "secret" if "secret" in regex.groupindex else 0
        found.extend(Found(m.start(group), m.end(group), label) for m in regex.finditer(text))
    for regex in _user_patterns(patterns):
        for m in regex.finditer(text):
            group = 1 if regex.groups else 0  # a pattern may capture just the secret
            if m.start(group) < m.end(group):
                found.append(Found(m.start(group), m.end(group), "user-pattern"))
    catalogue = _catalogue()
    offset = 0
    for line in text.splitlines(keepends=True):
        for label, value in catalogue.values(line, filename):
            found.extend(_occurrences(line, value, offset, label))
        for m in _TOKEN.finditer(line):
            if looks_random(m.group()):
                found.append(Found(offset + m.start(), offset + m.end(), "high-entropy-string"))
        offset += len(line)
    return _merged(found)


def _occurrences(line: str, value: str, offset: int, label: str) -> Iterator[Found]:
    start = line.find(value)
    while start != -1:
        yield Found(offset + start, offset + start + len(value), label)
        start = line.find(value, start + len(value))


# Labels that say how a secret was found rather than what it is: a provider's name wins.
_GENERIC = {"high-entropy-string", "hex-key", "secret", "user-pattern"}


def _merged(found: list[Found]) -> list[Found]:
    """Overlapping finds as one span, labelled by the most specific detector that found it."""
    found.sort(key=lambda f: (f.start, -f.end))
    out: list[Found] = []
    for f in found:
        if out and f.start <= out[-1].end:  # touching finds too: one placeholder, not two
            last = out[-1]
            label = f.label if last.label in _GENERIC and f.label not in _GENERIC else last.label
            out[-1] = Found(last.start, max(last.end, f.end), label)
        else:
            out.append(f)
    return out
