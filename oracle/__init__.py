"""The differential oracle: what the real Claude Code does with each agent, skill and command file.

``make oracle`` installs the pinned release (``CLAUDE_CODE_VERSION``) with npm into
``.cache/oracle/``, runs it offline against a stand-in Messages API on 127.0.0.1 for every
fixture in ``tests/oracle_fixtures/`` and every file of ``../shared/corpus``, and writes
``tests/golden/claude_code_truth.json``. See oracle/README.md.
"""

CLAUDE_CODE_VERSION = "2.1.332"

# Bump when a change to the harness changes what an observation holds: cached runs are
# keyed by it, so they are redone.
HARNESS_REVISION = "3"
