"""How a fix names an SDK's errors: the ``except`` expression and the imports it needs, from a
package the project may import (declared, or imported by the module already).

botocore is no package an app declares: boto3 depends on it, so a project that declares boto3
may import ``botocore.exceptions`` (project_files.py says so). Stripe moved its errors: from
stripe 2 to 7.7 they are only in ``stripe.error``, 7.8 names them on ``stripe`` itself and
deprecates ``stripe.error``, and 13 removes it. The name is the one the module already uses, else
the one the declared version has; a requirement that allows both a release before 7.8 and one
after 13 (``stripe>=2.0``) leaves no name sure, and nothing is suggested.
"""

from __future__ import annotations

import re

from .frameworks import ModuleFacts
from .project_files import declared_spec, project_root
from .sdk_calls import SDKS, STRIPE

# The first stripe that names its errors on ``stripe`` itself (``stripe.CardError``).
_TOP_LEVEL = (7, 8)
_PINS = ("==", "===", "~=", "^", "~", "")  # requirements that keep to one major version


def sdk_catch(
    facts: ModuleFacts, library: str
) -> tuple[str, list[str], list[tuple[str, str]]] | None:
    """The ``except`` expression for ``library``'s errors, the ``import``s and the ``from ...
    import``s it needs; None when the project may not import them (or, for stripe, no name is
    sure)."""
    sdk = SDKS[library]
    if facts.declared is not None and not all(facts.can_import(p) for p in sdk.packages):
        return None
    errors = sdk.errors
    if library == STRIPE:
        name = _stripe_error(facts)
        if name is None:
            return None
        errors = ((STRIPE, name),)
    modules: list[str] = []
    names: list[tuple[str, str]] = []
    spelled = [_spell(facts, module, name, modules, names) for module, name in errors]
    error = spelled[0] if len(spelled) == 1 else f"({', '.join(spelled)})"
    return error, modules, names


def _spell(
    facts: ModuleFacts,
    module: str,
    name: str,
    modules: list[str],
    names: list[tuple[str, str]],
) -> str:
    """How the handler names ``module.name``: as the module imports it already, else through
    a new import (added to ``modules`` or ``names``)."""
    full = f"{module}.{name}"
    for local, target in facts.imports.items():
        if target == full:
            return local  # ``from github import GithubException`` (as ...)
    for local, target in facts.imports.items():
        if target == module:
            # ``import botocore.exceptions`` binds ``botocore``; ``import stripe`` and ``from
            # botocore import exceptions`` bind the module itself
            return full if local == module.split(".")[0] else f"{local}.{name}"
    if "." in name or name in facts.imports:
        # ``stripe.error.StripeError``, or a ``ClientError`` the module has from aiohttp
        modules.append(module)
        return full
    names.append((module, name))
    return name


def _stripe_error(facts: ModuleFacts) -> str | None:
    """``StripeError`` or ``error.StripeError`` (of ``stripe``) for the app's stripe."""
    bound = [local for local, target in facts.imports.items() if target == STRIPE]
    text = facts.source.text
    for local in bound:
        if re.search(rf"\b{re.escape(local)}\.error\.", text):
            return "error.StripeError"
        if re.search(rf"\b{re.escape(local)}\.[A-Z]\w*Error\b", text):
            return "StripeError"
    targets = facts.imports.values()
    if any(t.startswith("stripe.error.") for t in targets):
        return "error.StripeError"
    if any(re.fullmatch(r"stripe\.[A-Z]\w*Error", t) for t in targets):
        return "StripeError"
    root = project_root(facts.source.path)
    spec = declared_spec(root, STRIPE) if root is not None else None
    if spec is None:
        return "StripeError"  # not pinned: a current release
    operator, version = spec
    if version >= _TOP_LEVEL:
        return "StripeError"
    return "error.StripeError" if operator in _PINS else None
