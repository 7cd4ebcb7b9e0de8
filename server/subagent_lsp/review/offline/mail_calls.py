"""Which calls hand a message to a mail server: Flask-Mail's ``mail.send(msg)`` (``mail`` a
module's ``Mail()``) and smtplib's ``SMTP(host)`` (it connects when built).

Django's mail (``django.core.mail``) opens its SMTP connection when it sends: ``send_mail``
and its siblings, ``EmailMessage(...).send()`` / ``EmailMultiAlternatives``, and
``get_connection().send_messages(...)``. A send with ``fail_silently=True`` swallows the
failure itself. A project's ``EMAIL_TIMEOUT`` is no such silence: it bounds a hang, and then
the send raises (``socket.timeout``, an OSError), as it does for a refused connection or login
(``SMTPException``) with or without a timeout, so the send is still a 500 where nothing
catches it.

On real apps the send sits in a helper module (``send_email_verify_link(useremail)``) that a
view calls before its ``db.session.commit()``: a mail server that is down or refuses the
login raises ``OSError`` (``smtplib.SMTPException`` is one, and so is Flask-Mail's refused
socket) out of the view as a 500. upstream_calls.py follows the view's calls to it as it
follows them to an HTTP request.
"""

from __future__ import annotations

import ast

from .pysource import Source, dotted, imported_names, top_level_calls

MAIL = "smtp"  # the "library" of a mail send, for the upstream-call machinery
_FLASK_MAIL = "flask_mail.Mail"
_MAIL_METHODS = ("send", "send_message")
SMTP_CLASSES = ("smtplib.SMTP", "smtplib.SMTP_SSL", "smtplib.LMTP")


_DJANGO_MAIL = "django.core.mail"
_DJANGO_SENDS = ("send_mail", "send_mass_mail", "mail_admins", "mail_managers")
_DJANGO_MESSAGES = ("EmailMessage", "EmailMultiAlternatives")


def sends_mail(source: Source, call: ast.Call) -> bool:
    imports = imported_names(source)
    if _DJANGO_MAIL in source.text and _django_send(source, call, imports):
        return True
    name = dotted(call.func)
    head, _, rest = name.partition(".")
    target = imports.get(head, "")
    if (f"{target}.{rest}" if rest else target) in SMTP_CLASSES and call.args:
        return True  # ``smtplib.SMTP(host, port)`` connects in its constructor
    func = call.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr in _MAIL_METHODS
        and isinstance(func.value, ast.Name)
    ):
        return False
    return _flask_mail(source, func.value.id, imports)


def _django_mail(imports: dict[str, str], func: ast.expr, names: tuple[str, ...]) -> bool:
    """``func`` names one of django.core.mail's ``names`` (``send_mail``, ``mail.send_mail``)."""
    name = dotted(func)
    head, _, rest = name.partition(".")
    target = imports.get(head, "")
    full = f"{target}.{rest}" if rest else target
    return full.rpartition(".")[0] == _DJANGO_MAIL and full.rpartition(".")[2] in names


def _silent(call: ast.Call) -> bool:
    return any(
        k.arg == "fail_silently" and not (isinstance(k.value, ast.Constant) and not k.value.value)
        for k in call.keywords
    )


def _django_send(source: Source, call: ast.Call, imports: dict[str, str]) -> bool:
    """A send of Django's mail that raises when the mail server fails."""
    if _silent(call):
        return False
    func = call.func
    if _django_mail(imports, func, _DJANGO_SENDS):
        return True
    if not isinstance(func, ast.Attribute) or func.attr not in ("send", "send_messages"):
        return False
    wanted = _DJANGO_MESSAGES if func.attr == "send" else ("get_connection",)
    built: list[ast.expr] = [func.value]
    if isinstance(func.value, ast.Name):  # ``message = EmailMessage(...)`` in the function
        built = _bound_values(source, call, func.value.id)
    return bool(built) and all(
        isinstance(b, ast.Call) and _django_mail(imports, b.func, wanted) and not _silent(b)
        for b in built
    )


def _bound_values(source: Source, call: ast.Call, name: str) -> list[ast.expr]:
    """What ``name`` is bound to in the function holding ``call`` (``msg = EmailMessage(...)``
    in each branch of an ``if``)."""
    func = source.function_of(call)
    if func is None:
        return []
    return [
        n.value
        for n in source.nodes_of(func)
        if isinstance(n, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)
    ]


def _flask_mail(source: Source, name: str, imports: dict[str, str]) -> bool:
    """``name`` is bound at module level to Flask-Mail's ``Mail(...)``."""
    for call in top_level_calls(source, name):
        head, _, rest = dotted(call.func).partition(".")
        target = imports.get(head, "")
        if (f"{target}.{rest}" if rest else target) == _FLASK_MAIL:
            return True
    return False
