"""One except in a project helper that several handlers call, rather than one per caller.

When ``send_slack_message`` (or ``fetch_rates``) makes the upstream request and two views call
it, BKD302 at each call site is the same fix written twice, and the next caller lacks it. A
reviewer puts it once, in the helper. That is done when the helper answers alike for every
caller:

- every caller is a handler (a route that answers, in the project's own source) calling it
  directly, at least two call sites, none catching the failure itself, and the helper named
  nowhere else (passed as a callback, an unresolved call of the same name: callers unknown);
- either every call is one whose failure is logged and passed over (best_effort.py: a
  notification, or a browser view that has saved its work), so the helper logs and goes on;
- or every caller would answer the plain 502 (no page of its own to go back to, nothing saved
  before), all Flask or all FastAPI, whose errors a helper may raise: ``abort(502)``,
  ``HTTPException(502)``. Django has no error a helper raises that answers 502, so its callers
  keep their own fix, and so do callers that differ (one answers a page, one JSON).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from .best_effort import Carry, carry_on
from .frameworks import CallSite, enclosing_statement
from .html_answers import answers_browser, html_handler
from .mail_calls import MAIL
from .pysource import Source
from .saving_calls import saved_before
from .shared_fix import SharedHelper
from .try_blocks import caught
from .upstream_calls import Reach, UpstreamCalls, handled_names

Function = ast.FunctionDef | ast.AsyncFunctionDef
# The fewest handler call sites that make a helper's one except worth more than theirs.
MIN_CALLERS = 2


# The helper's call sites in the project (None: one is no handler's, or callers are unknown).
SitesOf = Callable[[Source, Function], list[CallSite] | None]


def shared_helper(
    upstream: UpstreamCalls, sites_of: SitesOf, source: Source, func: Function
) -> SharedHelper | None:
    """The one fix ``func`` takes for all its callers, or None (each caller keeps its own)."""
    reach = upstream.function_reach(source, func)
    if reach is None or reach.at is None or reach.committed:
        return None  # a helper that commits before the request: BKD302 leaves it alone
    sites = sites_of(source, func)
    if sites is None or len(sites) < MIN_CALLERS:
        return None
    names = handled_names(reach.library)
    if any(caught(s.call, s.facts.up, names) for s in sites):
        return None
    if any(s.facts.handled_by_app(names) or s.facts.middleware_catches for s in sites):
        return None  # nothing to fix at all
    carried = [_carried(s, reach) for s in sites]
    callers = tuple((s.facts.source.path, s.route.func.name) for s in sites)
    frameworks = {s.route.framework for s in sites}
    if all(carried):
        whys = {c.why for c in carried if c is not None}
        why = whys.pop() if len(whys) == 1 else "both"
        return SharedHelper("go_on", frameworks.pop(), reach, callers, why)
    if any(carried) or len(frameworks) != 1 or reach.library == MAIL:
        return None  # mixed answers, or a mail send (mail_answers answers each view)
    framework = frameworks.pop()
    if framework not in ("flask", "fastapi"):
        return None
    if not all(_plain_502(s, reach) for s in sites):
        return None
    return SharedHelper("raise", framework, reach, callers)


def _carried(site: CallSite, reach: Reach) -> Carry | None:
    stmt = enclosing_statement(site.call, site.facts.up)
    return carry_on(site.facts, site.route, stmt, site.call, reach) if stmt is not None else None


def _plain_502(site: CallSite, reach: Reach) -> bool:
    """The caller's own fix would be the plain 502: it answers, has saved nothing a browser
    would be told failed, and has no page of its own for the failure (html_answers)."""
    if not site.route.answers:
        return False
    stmt = enclosing_statement(site.call, site.facts.up)
    if stmt is None:
        return False
    if answers_browser(site.facts, site.route):
        if saved_before(site.route.func, stmt, site.facts.up) is not None:
            return False
        handler = html_handler(site.facts, site.route, stmt, "Exception", None)
        if handler is not None and handler[2] is not None:
            return False  # it flashes and goes back, or takes its own path for a None
    return reach.library != MAIL
