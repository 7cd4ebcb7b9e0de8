"""Which files are never sources of backend suggestions: tests, fixtures, migrations,
maintenance scripts and test-data scripts, of every language the reviewer reads (the
``notSources`` setting; these patterns are its default).

A query in a test or a commit in a fixture is not production code: advice there was judged
noise on real apps. Patterns are gitignore-style and match below the project root only, so a
checkout that itself sits in a folder named ``tests`` still counts; outside any project they
match anywhere on the path.
"""

from __future__ import annotations

import functools
import os
import re

from ...lazyre import LazyPattern
from ...records import TYPE_CHECKING  # this module is read at start-up (the settings' default)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pathspec import GitIgnoreSpec

    from .file_memo import FileMemo

# Test-data makers (``create_test_sponsor_data.py``, ``fake_users.py``): their queries run
# once, on a developer's database.
_DATA_WORDS = ("test", "fake", "dummy", "sample")
DEFAULT_NOT_SOURCES: tuple[str, ...] = (
    # folders
    "tests/",
    "test/",
    "testing/",
    "__tests__/",
    "tests_*/",  # tests_e2e/, tests_integration/
    "*_tests/",  # unit_tests/, e2e_tests/
    "systemtests/",  # end-to-end suites run against a deployment
    "smoketests/",
    "loadtests/",
    "e2e/",
    "__mocks__/",
    "testdata/",
    "fixtures/",
    "migrations/",
    "alembic/",
    "versions/",
    "schema_changes/",
    "seeds/",
    "seeders/",
    "**/management/commands/",
    # build, release and maintenance scripts: no request runs them
    "scripts/",
    "script/",
    # Jupyter notebooks' helper modules: an analyst's session, no request (a timeout on a
    # notebook's download was judged noise on a real monorepo)
    "notebooks/",
    "bin/",
    "setup.py",
    "hatch_build.py",
    "noxfile.py",
    "fabfile.py",
    # test modules
    "test_*.py",
    "*_test.py",
    "tests.py",
    "conftest.py",
    "*.test.[cm]js",
    "*.test.[jt]s",
    "*.test.[jt]sx",
    "*.spec.[cm]js",
    "*.spec.[jt]s",
    "*.spec.[jt]sx",
    "*_test.go",
    # test-data scripts
    *(
        pattern
        for word in _DATA_WORDS
        for pattern in (
            f"{word}_data.py",
            f"{word}_*_data.py",
            f"*_{word}_data.py",
            f"*_{word}_*_data.py",
        )
    ),
    "seed_*.py",
    "fake_*.py",
    # factory_boy's test-data factories (a seed command's image download was judged noise)
    "factories.py",
    "factories/",
    # code nobody here wrote: vendored and minified libraries, generated stubs (a vendored
    # pdf.min.js drew seven suggestions on a real app, every one judged noise)
    "vendor/",
    "node_modules/",
    "bower_components/",
    "*.min.js",
    "*.min.mjs",
    "*.min.cjs",
    "*-min.js",
    "*.bundle.js",
    "*_pb2.py",
    "*_pb2_grpc.py",
)


@functools.lru_cache(maxsize=16)
def _spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    import pathspec  # review-only: not on the check path

    return pathspec.GitIgnoreSpec.from_lines(patterns)


def is_not_a_source(
    path: str, root: str | None, patterns: Sequence[str] = DEFAULT_NOT_SOURCES
) -> bool:
    """A test, fixture, migration or test-data script (``patterns``), below ``root``; outside
    any project (``root`` None) every folder on the path counts."""
    if not patterns:
        return False
    full = os.path.abspath(path)
    kept = tuple(patterns)
    if not _matches(full, root, kept):
        return False
    if full.endswith(_TEST_SUFFIX) and _TEST_SUFFIX_PATTERN in kept:
        # ``mock_test.py``, ``speed_test.py``: a domain's word, not pytest's, when nothing in
        # the module tests anything (a real exam app's mock-test routes were read as a test)
        others = tuple(p for p in kept if p != _TEST_SUFFIX_PATTERN)
        if not _matches(full, root, others) and not _tests_something(full):
            return False
    return True


_TEST_SUFFIX = "_test.py"
_TEST_SUFFIX_PATTERN = "*_test.py"
# What a test module has and a route module named ``*_test.py`` does not: a test framework's
# import or class, a test client; a bare ``def test_...`` only beside a bare ``assert`` (an
# exam app's ``def test_result`` route has neither).
_TEST_MARKERS = LazyPattern(
    r"^\s*(?:import|from)\s+(?:pytest|unittest|nose|hypothesis)\b|\bTestCase\b"
    r"|\bTestClient\b|\bdjango\.test\b",
    re.MULTILINE,
)
_TEST_FUNCTION = LazyPattern(r"^\s*(?:async\s+)?def test_\w*\(", re.MULTILINE)
_BARE_ASSERT = LazyPattern(r"^\s+assert\b", re.MULTILINE)


def _tests_something(path: str) -> bool:
    memo = _TESTS.get("memo")
    if memo is None:
        from .file_memo import FileMemo  # not on the check path's start-up (typing)

        memo = _TESTS["memo"] = FileMemo(_reads_as_tests, 2_000_000)
    found = memo.get(path)
    return True if found is None else found  # unreadable: as its name says


def _reads_as_tests(path: str, text: str) -> bool:
    if _TEST_MARKERS.search(text) is not None:
        return True
    return _TEST_FUNCTION.search(text) is not None and _BARE_ASSERT.search(text) is not None


# Kept while the file is unchanged (an editor session outlives many edits of it).
_TESTS: dict[str, FileMemo[bool]] = {}


# Asked of the same few hundred paths by the schema's ranking, the project and the engine: a
# match runs every pattern of the spec (2,000 matches were a twentieth of ``suggest``).
@functools.lru_cache(maxsize=8192)
def _matches(path: str, root: str | None, patterns: tuple[str, ...]) -> bool:
    rel = os.path.relpath(path, root) if root is not None else path.lstrip(os.sep)
    if rel.startswith(".."):
        rel = path.lstrip(os.sep)
    return _spec(patterns).match_file(rel.replace(os.sep, "/"))
