"""Which calls go to a hosted API through its SDK rather than an HTTP client: boto3's clients
and resources (``s3.upload_fileobj``, ``table.put_item``), PyGithub's ``Github`` and the
repository its ``get_repo`` returns, and stripe's resources (``stripe.Charge.create``).

On real apps the avatar upload, the checkout and the repository page fail the way a
``requests.post`` does: S3 refuses the key, the card is declined, the repository is gone, and
the SDK's exception leaves the view as a 500. upstream_calls.py treats each SDK as one more
upstream library (followed through the project's helpers too); errors.py writes the 502.
Each SDK bounds its own waits (botocore's 60-second socket timeouts, PyGithub's 15 seconds,
stripe's 80), so no timeout is asked of them.

Only calls known to reach the network count: a boto3 client's presigned URL or paginator, a
resource's ``Bucket(name)`` handle, PyGithub's lazy lookups (``get_user()``, ``get_repo(...,
lazy=True)``, the paginated ``get_issues()``) and stripe's ``Webhook.construct_event`` are
made locally and are left alone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .pysource import Source, dotted, imported_names, keyword_value, qualified_name
from .upstream_clients import bound_calls

BOTO3 = "boto3"
# ``upload_file`` (a client's, a Bucket's or an Object's) goes through s3transfer, which turns
# S3's ClientError into boto3's S3UploadFailedError.
BOTO3_UPLOAD = "boto3.upload_file"
GITHUB = "github"
STRIPE = "stripe"


@dataclass(frozen=True)
class Sdk:
    service: str  # who answers: "AWS"
    # The packages the fix's names come from: the project must be able to import them.
    packages: tuple[str, ...]
    # ``(module, name)`` of the errors the fix catches (stripe's name depends on its version:
    # sdk_errors.py picks it).
    errors: tuple[tuple[str, str], ...]
    # A handler of one of these around the call (or app-wide) is the app's own decision.
    handled: frozenset[str]
    failures: str  # what raises, for the rationale


SDKS = {
    BOTO3: Sdk(
        "AWS",
        ("botocore",),
        (("botocore.exceptions", "BotoCoreError"), ("botocore.exceptions", "ClientError")),
        # ClientError is no BotoCoreError: either alone is a handler the app chose.
        frozenset({"ClientError", "BotoCoreError"}),
        "an error AWS answers (`ClientError`: a missing bucket or key, denied access, "
        "throttling) or one reaching it (`BotoCoreError`: no connection, no credentials)",
    ),
    BOTO3_UPLOAD: Sdk(
        "AWS",
        ("botocore", "boto3"),
        (("botocore.exceptions", "BotoCoreError"), ("boto3.exceptions", "S3UploadFailedError")),
        # ClientError: what boto3 releases before s3transfer's wrapping raised.
        frozenset({"S3UploadFailedError", "Boto3Error", "BotoCoreError", "ClientError"}),
        "an upload S3 refuses (`S3UploadFailedError`, which boto3 raises for S3's "
        "`ClientError`) or a failure to reach it (`BotoCoreError`: no connection, no "
        "credentials)",
    ),
    GITHUB: Sdk(
        "GitHub",
        ("github",),
        (("github", "GithubException"),),
        frozenset({"GithubException"}),
        "a repository or user that does not exist, a bad token or the rate limit "
        "(`GithubException`)",
    ),
    STRIPE: Sdk(
        "Stripe",
        ("stripe",),
        (("stripe", "StripeError"),),
        # A handler of the connection failure alone, like ``requests.ConnectionError``.
        frozenset({"StripeError", "APIConnectionError"}),
        "a request Stripe rejects, a failure to reach it or a declined card (`StripeError`, "
        "whose `CardError` may deserve an answer of its own)",
    ),
}
_ROOTS = frozenset({BOTO3, GITHUB, STRIPE})


def sdk_library(source: Source, call: ast.Call) -> str | None:
    """The SDK (a key of ``SDKS``) whose API ``call`` calls over the network."""
    func = call.func
    present = _imported_sdks(source)
    if not present or not isinstance(func, ast.Attribute):
        return None
    imports = imported_names(source)
    if STRIPE in present and _stripe_call(imports, func):
        return STRIPE
    if GITHUB in present and _github_call(source, imports, call, func):
        return GITHUB
    if BOTO3 in present and _boto3_call(source, imports, func):
        return BOTO3_UPLOAD if func.attr == "upload_file" else BOTO3
    return None


def _imported_sdks(source: Source) -> frozenset[str]:
    """The SDKs the module imports (most import none: every call is asked)."""
    found: frozenset[str] | None = source.__dict__.get("_imported_sdks")
    if found is None:
        roots = {v.split(".")[0] for v in imported_names(source).values()}
        found = source.__dict__["_imported_sdks"] = frozenset(roots & _ROOTS)
    return found


# Stripe's resource methods that make the request (a ``create_*``/``list_*``/... of a nested
# object too); ``construct_from`` and ``Webhook.construct_event`` are local.
_STRIPE_VERBS = frozenset(
    {
        "create",
        "retrieve",
        "modify",
        "list",
        "delete",
        "search",
        "cancel",
        "capture",
        "confirm",
        "pay",
        "finalize_invoice",
        "void_invoice",
        "send_invoice",
        "mark_uncollectible",
        "upcoming",
        "expire",
        "refund",
        "attach",
        "detach",
    }
)
_STRIPE_PREFIXES = ("create_", "list_", "retrieve_", "modify_", "delete_")


def _stripe_call(imports: dict[str, str], func: ast.Attribute) -> bool:
    """``stripe.Charge.create(...)``, ``stripe.checkout.Session.create(...)``."""
    parts = qualified_name(imports, dotted(func)).split(".")
    if parts[0] != STRIPE or len(parts) not in (3, 4):
        return False
    resource, verb = parts[-2], parts[-1]
    return (
        resource[:1].isupper()
        and resource.isidentifier()
        and all(p.islower() and p.isidentifier() for p in parts[1:-2])
        and (verb in _STRIPE_VERBS or verb.startswith(_STRIPE_PREFIXES))
    )


# Github's lookups that fetch at once (``get_user()`` with no login is the lazy signed-in user;
# ``get_repos()``/``search_*`` return paginated lists that fetch when iterated).
_GITHUB_FETCHES = frozenset(
    {
        "get_repo",
        "get_user",
        "get_user_by_id",
        "get_organization",
        "get_gist",
        "get_rate_limit",
        "get_license",
    }
)
# A Repository's calls that fetch or write at once (its paginated ``get_issues()`` do not).
_REPOSITORY_FETCHES = frozenset(
    {
        "get_contents",
        "get_readme",
        "get_branch",
        "get_commit",
        "get_issue",
        "get_pull",
        "get_release",
        "get_latest_release",
        "create_issue",
        "create_pull",
        "create_file",
        "update_file",
        "delete_file",
    }
)
_GITHUB = "github.Github"
_DEPTH = 4  # how many bindings a receiver is followed through (``s3 = session.client(...)``)


def _github_call(
    source: Source, imports: dict[str, str], call: ast.Call, func: ast.Attribute
) -> bool:
    if func.attr in _GITHUB_FETCHES and _github_client(source, imports, func.value, 0):
        if func.attr == "get_user" and not call.args and not call.keywords:
            return False
        return not any(
            k.arg == "lazy" and not (isinstance(k.value, ast.Constant) and not k.value.value)
            for k in call.keywords
        )
    return func.attr in _REPOSITORY_FETCHES and _github_repository(source, imports, func.value)


def _github_client(source: Source, imports: dict[str, str], node: ast.expr, depth: int) -> bool:
    """``Github(token)``, or a name (``self.gh``) bound to one where ``node`` reads it."""
    if isinstance(node, ast.Call):
        return qualified_name(imports, dotted(node.func)) == _GITHUB
    return depth < _DEPTH and any(
        _github_client(source, imports, c, depth + 1) for c in bound_calls(source, node)
    )


def _github_repository(source: Source, imports: dict[str, str], node: ast.expr) -> bool:
    """``gh.get_repo(name)``, or a name bound to one where ``node`` reads it."""
    calls = [node] if isinstance(node, ast.Call) else bound_calls(source, node)
    return any(
        isinstance(c, ast.Call)
        and isinstance(c.func, ast.Attribute)
        and c.func.attr == "get_repo"
        and _github_client(source, imports, c.func.value, 0)
        for c in calls
    )


# A boto3 client's methods made locally: signing, paginators, waiters.
_BOTO3_LOCAL = frozenset(
    {
        "generate_presigned_url",
        "generate_presigned_post",
        "get_paginator",
        "get_waiter",
        "can_paginate",
        "close",
        "get_available_subresources",
        "batch_writer",  # a DynamoDB table's buffer: it writes when the ``with`` ends
    }
)
# Services whose errors are mostly the user's: Cognito's sign-in answers a wrong password or a
# taken name with a ClientError that deserves a 401 or a 409 of its own, not a 502.
_USER_SERVICES = frozenset({"cognito-idp"})
_BOTO3_BUILDERS = {
    "boto3.client": "client",
    "boto3.resource": "resource",
    "boto3.Session": "session",
    "boto3.session.Session": "session",
}


def _boto3_call(source: Source, imports: dict[str, str], func: ast.Attribute) -> bool:
    """A method of a boto3 client, resource or resource object (``Bucket(name)``,
    ``Table(name)``) that calls AWS."""
    method = func.attr
    if method.startswith("_") or not method.islower() or method in _BOTO3_LOCAL:
        return False
    return _boto3_kind(source, imports, func.value, 0) in ("client", "resource", "object")


def _boto3_kind(source: Source, imports: dict[str, str], node: ast.expr, depth: int) -> str | None:
    """What ``node`` is of boto3's: a ``session``, a ``client``, a ``resource`` or a resource's
    ``object``; None when it is none (or cannot be told)."""
    if depth > _DEPTH:
        return None
    if isinstance(node, ast.Call):
        built = _BOTO3_BUILDERS.get(qualified_name(imports, dotted(node.func)))
        if built is not None:
            return None if _user_errors(node) else built
        if not isinstance(node.func, ast.Attribute):
            return None
        owner = _boto3_kind(source, imports, node.func.value, depth + 1)
        attr = node.func.attr
        if owner == "session" and attr in ("client", "resource"):
            return None if _user_errors(node) else attr  # ``session.client("s3")``
        if owner in ("resource", "object") and attr[:1].isupper():
            return "object"  # ``s3.Bucket(name)``, ``bucket.Object(key)``
        return None
    if (
        isinstance(node, ast.Attribute)
        and node.attr == "client"
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "meta"
    ):  # ``s3.meta.client``: the resource's own client
        owner = _boto3_kind(source, imports, node.value.value, depth + 1)
        return "client" if owner in ("resource", "object") else None
    for bound in bound_calls(source, node):
        kind = _boto3_kind(source, imports, bound, depth + 1)
        if kind is not None:
            return kind
    return None


def _user_errors(built: ast.Call) -> bool:
    """A client (or resource) built for one of ``_USER_SERVICES``."""
    name = built.args[0] if built.args else keyword_value(built, "service_name")
    return isinstance(name, ast.Constant) and name.value in _USER_SERVICES
