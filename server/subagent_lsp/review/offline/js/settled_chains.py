"""Promise chains that cannot reject: ``new Promise((resolve) => setTimeout(resolve, 50))``
or ``Promise.resolve(3)``, followed only by ``.then`` callbacks that log.

A chain with no ``.catch`` is an unhandled rejection only when something in it can reject: an
executor that takes no ``reject`` still rejects when its body throws, and a ``.then`` callback
rejects the chain when it throws, so only executors that hand ``resolve`` to a timer (or call
it) with plain arguments, and callbacks that call nothing but ``console``, are let through.
Anything else -- a worker's ``postMessage`` in the executor, a callback that calls the app's
code -- may throw, and the chain keeps its advice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..treesitter import text_of
from .facts import FUNCTIONS, param_names

if TYPE_CHECKING:
    from tree_sitter import Node

# What an executor may call with ``resolve`` without throwing.
_TIMERS = frozenset({"setTimeout", "setImmediate", "queueMicrotask", "requestAnimationFrame"})
_PLAIN = frozenset({"identifier", "number", "string", "true", "false", "null", "undefined"})


def cannot_reject(chain: Node) -> bool:
    """``chain`` is a ``….then(cb)`` call: its root settles without rejecting and each
    ``.then`` callback only logs."""
    current: Node | None = chain
    while current is not None and current.type == "call_expression":
        callee = current.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            break
        if text_of(callee.child_by_field_name("property")) != "then":
            break
        args = current.child_by_field_name("arguments")
        if args is None or not all(_only_logs(cb) for cb in args.named_children):
            return False
        current = callee.child_by_field_name("object")
    return current is not None and _settles(current)


def _settles(root: Node) -> bool:
    if root.type == "new_expression":
        if text_of(root.child_by_field_name("constructor")) != "Promise":
            return False
        args = root.child_by_field_name("arguments")
        executor = args.named_children if args is not None else []
        return len(executor) == 1 and _only_resolves(executor[0])
    if root.type == "call_expression":
        # Promise.resolve(3): a plain value, not a thenable that may itself reject
        args = root.child_by_field_name("arguments")
        values = args.named_children if args is not None else []
        return text_of(root.child_by_field_name("function")) == "Promise.resolve" and all(
            v.type in _PLAIN - {"identifier"} for v in values
        )
    return False


def _only_resolves(executor: Node) -> bool:
    """An executor with no ``reject`` whose every call is a timer or ``resolve`` itself, with
    plain arguments."""
    if executor.type not in FUNCTIONS:
        return False
    names, _ = param_names(executor)
    if len(names) != 1:
        return False
    resolve = names[0]
    body = executor.child_by_field_name("body")
    calls = [n for n in _walk(body) if n.type == "call_expression"]
    if not calls:
        return False
    for call in calls:
        name = text_of(call.child_by_field_name("function"))
        args = call.child_by_field_name("arguments")
        if name not in _TIMERS and name != resolve:
            return False
        if args is None or not all(a.type in _PLAIN for a in args.named_children):
            return False
    return not any(n.type in ("member_expression", "throw_statement") for n in _walk(body))


def _only_logs(callback: Node) -> bool:
    """A callback that calls nothing but ``console.*`` and reads no property but console's."""
    if callback.type not in FUNCTIONS:
        return False
    body = callback.child_by_field_name("body")
    for node in _walk(body):
        if node.type == "throw_statement":
            return False
        if node.type == "member_expression":
            if text_of(node.child_by_field_name("object")) != "console":
                return False
        elif node.type in ("call_expression", "new_expression"):
            callee = node.child_by_field_name("function")
            if callee is None or callee.type != "member_expression":
                return False
    return True


def _walk(node: Node | None) -> list[Node]:
    out: list[Node] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.named_children)
    return out
