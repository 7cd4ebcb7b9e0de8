"""What a JS/TS file is made of for the review: its handlers (functions taking ``(req, res)``
or passed to a route), how each is registered (inline in a route, wrapped, with middleware),
its imports, and what the project's package.json declares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..foreign.project import is_browser_code, major_version, node_async_wrapper, node_packages
from ..treesitter import Tree, ancestors, text_of

if TYPE_CHECKING:
    from tree_sitter import Node

FUNCTIONS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "function",
        "method_definition",
    }
)
ROUTE_VERBS = frozenset({"get", "post", "put", "patch", "delete", "all", "options", "head"})
_REQ = re.compile(r"^(req|request)$")
_RES = re.compile(r"^(res|response|reply)$")
_CTX = re.compile(r"^(ctx|context)$")
VALIDATORS = ("zod", "joi", "yup", "class-validator", "ajv", "celebrate", "express-validator")


@dataclass
class Handler:
    func: Node
    body: Node  # its statement_block
    req: str
    res: str
    next: str | None
    params: Node | None
    in_route: bool = False  # written inline in app.get(...) / router.post(...)
    wrapped: bool = False  # passed through catchAsync(...) / asyncHandler(...)
    middleware: bool = False  # the route runs other functions before it (validation)
    is_async: bool = False
    style: str = "express"  # express | fastify | koa: how the handler answers


@dataclass
class JsFacts:
    tree: Tree
    imports: set[str]
    packages: dict[str, str] | None
    handlers: list[Handler] = field(default_factory=list)
    functions: list[Node] = field(default_factory=list)  # every function, in document order

    def declares(self, name: str) -> bool:
        return name in self.imports or (self.packages is not None and name in self.packages)

    @property
    def validator(self) -> str | None:
        return next((v for v in VALIDATORS if self.declares(v)), None)

    @property
    def express_handles_rejections(self) -> bool:
        """Express 5 forwards a rejected promise to the error handler, and so does the
        express-async-errors patch wherever it is declared."""
        if self.declares("express-async-errors"):
            return True
        version = major_version((self.packages or {}).get("express"))
        return version is not None and version >= 5

    @cached_property
    def project_wraps_handlers(self) -> bool:
        """The package defines an async wrapper factory: a handler exported from this file
        and routed elsewhere may well go through it."""
        return node_async_wrapper(self.tree.path)

    @property
    def browser(self) -> bool:
        return is_browser_code(self.tree.path, self.imports, self.packages, self.tree.text)

    @property
    def koa(self) -> bool:
        return self.declares("koa") or self.declares("@koa/router") or self.declares("koa-router")

    @property
    def fastify(self) -> bool:
        return self.declares("fastify")

    @property
    def express(self) -> bool:
        if self.packages is not None:
            return "express" in self.packages and not any(
                f in self.packages for f in ("fastify", "koa", "@nestjs/core", "hono")
            )
        return "express" in self.imports


def imports_of(tree: Tree) -> set[str]:
    out = set()
    for node in tree.root.named_children:
        if node.type == "import_statement":
            source = node.child_by_field_name("source")
            out.add(text_of(source).strip("'\""))
    for match in re.finditer(r"""require\(\s*['"]([^'"]+)['"]\s*\)""", tree.text):
        out.add(match.group(1))
    return {_package(name) for name in out}


def _package(spec: str) -> str:
    parts = spec.split("/")
    return "/".join(parts[:2]) if spec.startswith("@") else parts[0]


def param_names(func: Node) -> tuple[list[str], Node | None]:
    params = func.child_by_field_name("parameters")
    if params is None:
        single = func.child_by_field_name("parameter")
        return ([text_of(single)] if single is not None else []), None
    names = []
    for item in params.named_children:
        target = item.child_by_field_name("pattern") if item.type.endswith("parameter") else item
        names.append(text_of(target) if target is not None and target.type == "identifier" else "")
    return names, params


def js_facts(tree: Tree) -> JsFacts:
    facts = JsFacts(tree, imports_of(tree), node_packages(tree.path))
    facts.functions = tree.nodes(*FUNCTIONS)
    routed = _routed_names(tree)
    for node in facts.functions:
        body = node.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            continue
        names, params = param_names(node)
        route = _route_call(node)
        is_async = any(c.type == "async" for c in node.children)
        if len(names) >= 2 and _REQ.match(names[0]) and _RES.match(names[1]):
            handler = Handler(
                node,
                body,
                names[0],
                names[1],
                names[2] if len(names) > 2 and names[2] else None,
                params,
                is_async=is_async,
                style="fastify" if facts.fastify and names[1] == "reply" else "express",
            )
        elif names and _CTX.match(names[0]) and facts.koa:
            # Koa: ``(ctx, next)``; what the client sent is ``ctx.request.body``.
            handler = Handler(
                node,
                body,
                f"{names[0]}.request",
                names[0],
                names[1] if len(names) > 1 and names[1] else None,
                params,
                is_async=is_async,
                style="koa",
            )
        else:
            continue
        if route is not None:
            handler.in_route = True
            args = route.child_by_field_name("arguments")
            functions = [
                a
                for a in (args.named_children if args else [])
                if a.type not in ("string", "template_string")
            ]
            handler.middleware = len(functions) > 1
        parent = node.parent
        if parent is not None and parent.type == "arguments" and route is None:
            handler.wrapped = True
        name = _name_of(node)
        if route is None and name in routed:
            handler.in_route, handler.middleware = True, routed[name]
        facts.handlers.append(handler)
    return facts


def _routed_names(tree: Tree) -> dict[str, bool]:
    """Handlers registered by name in this file (``router.post("/x", validate, create)``) ->
    whether the route runs other functions before them."""
    out: dict[str, bool] = {}
    for call in tree.nodes("call_expression"):
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "member_expression":
            continue
        if text_of(callee.child_by_field_name("property")) not in ROUTE_VERBS:
            continue
        args = call.child_by_field_name("arguments")
        steps = [
            a
            for a in (args.named_children if args else [])
            if a.type not in ("string", "template_string")
        ]
        if steps and steps[-1].type == "identifier":
            out[text_of(steps[-1])] = len(steps) > 1
    return out


def _name_of(func: Node) -> str:
    name = func.child_by_field_name("name")
    if name is not None:
        return text_of(name)
    parent = func.parent
    if parent is not None and parent.type == "variable_declarator":
        return text_of(parent.child_by_field_name("name"))
    return ""


def _route_call(func: Node) -> Node | None:
    """The ``app.get("/x", ..., handler)`` call ``func`` is an argument of."""
    parent = func.parent
    if parent is None or parent.type != "arguments":
        return None
    call = parent.parent
    if call is None or call.type != "call_expression":
        return None
    callee = call.child_by_field_name("function")
    if callee is None or callee.type != "member_expression":
        return None
    verb = text_of(callee.child_by_field_name("property"))
    return call if verb in ROUTE_VERBS else None


def inside_try(node: Node, stop: Node) -> bool:
    """Within the body of a ``try`` that has a catch clause, below ``stop``."""
    child = node
    for up in ancestors(node):
        if up.id == stop.id:
            return False
        if up.type == "try_statement":
            body = up.child_by_field_name("body")
            if body is not None and body.id == child.id and up.child_by_field_name("handler"):
                return True
        if up.type in FUNCTIONS:
            return False
        child = up
    return False
