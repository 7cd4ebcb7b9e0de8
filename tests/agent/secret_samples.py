"""Fake but format-valid secrets, made here from a seeded generator (none is a real key), each in
a line of backend code as people write it. Names are neutral where the issue's leaks were: a
detector has to know the format, not read the variable's name.

FORMATS are the sixteen of issue 16; HELD_OUT are formats no detector here was written against
(the catalogue's, and tokens only the generic checks can catch), for the bar "formats you have
not seen".
"""

from __future__ import annotations

import base64
import random
import string

_rng = random.Random(16)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "-_"
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def rand(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _pem() -> str:
    body = "\n".join(rand(B64, 64) for _ in range(6)) + "\n" + rand(B64, 20) + "=="
    return f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"


def _b64url(data: str) -> str:
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def _jwt() -> str:
    """A well-formed HS256 token (decodable header and claims) with a random signature."""
    header = _b64url('{"alg":"HS256","typ":"JWT"}')
    claims = _b64url(
        f'{{"sub":"{rand(ALNUM, 12)}","iat":{_rng.randint(1_600_000_000, 1_800_000_000)}}}'
    )
    return f"{header}.{claims}.{rand(URLSAFE, 43)}"


# name -> (secret value, the line of code that holds it)
_VALUES = {
    "aws-access-key": "AKIA" + rand(string.ascii_uppercase + "234567", 16),
    "aws-secret-key": rand(B64, 40),
    "github-token": "ghp_" + rand(ALNUM, 36),
    "slack-token": f"xoxb-{rand(string.digits, 11)}-{rand(string.digits, 13)}-{rand(ALNUM, 24)}",
    "stripe-live-key": "sk_live_" + rand(ALNUM, 24),
    "google-api-key": "AIza" + rand(URLSAFE, 35),
    "twilio-key": "SK" + rand(HEX, 32),
    "sendgrid-key": f"SG.{rand(URLSAFE, 22)}.{rand(URLSAFE, 43)}",
    "gitlab-token": "glpat-" + rand(URLSAFE, 20),
    "npm-token": "npm_" + rand(ALNUM, 36),
    "hex-signing-key": rand(HEX, 40),
    "url-password": rand(ALNUM, 14),
    "jwt": _jwt(),
    "private-key": _pem(),
    "password": rand(ALNUM + "!#%", 18),
    "anthropic-key": "sk-ant-api03-" + rand(URLSAFE, 93) + "AA",
}
_LINES = {
    "aws-access-key": 'boto3.client("s3", aws_access_key_id="{}")',
    "aws-secret-key": 'AWS_SECRET_ACCESS_KEY = "{}"',
    "github-token": 'gh = Github("{}")',
    "slack-token": 'slack = WebClient(token="{}")',
    "stripe-live-key": 'STRIPE = "{}"',
    "google-api-key": 'MAPS = "{}"',
    "twilio-key": 'TWILIO_SID = "{}"',
    "sendgrid-key": 'mailer = SendGridAPIClient("{}")',
    "gitlab-token": 'GITLAB = "{}"',
    "npm-token": 'REGISTRY = "{}"',
    "hex-signing-key": 'SIGNING_KEY = "{}"',
    "url-password": 'DATABASE_URL = "postgresql://shop:{}@db.internal:5432/shop"',
    "jwt": 'SERVICE_JWT = "{}"',
    "private-key": 'DEPLOY_KEY = """{}"""',
    "password": 'DB_PASSWORD = "{}"',
    "anthropic-key": 'client = Anthropic(api_key="{}")',
}
FORMATS = {name: (value, _LINES[name].format(value)) for name, value in _VALUES.items()}

_HELD = {
    "shopify-token": ("shpat_" + rand(HEX, 32), 'SHOP = "{}"'),
    "huggingface-token": ("hf_" + rand(ALNUM, 34), "HF = '{}'"),
    "mailchimp-key": (rand(HEX, 32) + "-us14", 'MC = "{}"'),
    "discord-bot-token": (
        "M" + rand(ALNUM, 23) + "." + rand(URLSAFE, 6) + "." + rand(URLSAFE, 27),
        'BOT = "{}"',
    ),
    "telegram-bot-token": (rand(string.digits, 10) + ":AA" + rand(URLSAFE, 33), 'TG = "{}"'),
    "pypi-token": ("pypi-AgEIcHlwaS5vcmc" + rand(URLSAFE, 70), 'UPLOAD = "{}"'),
    "digitalocean-token": ("dop_v1_" + rand(HEX, 64), "DO = '{}'"),
    "linear-key": ("lin_api_" + rand(ALNUM, 40), 'LINEAR = "{}"'),
    "vault-token": ("hvs." + rand(URLSAFE, 90), 'VAULT = "{}"'),
    "databricks-token": ("dapi" + rand(HEX, 32), 'DBX = "{}"'),
    "postman-key": (f"PMAK-{rand(HEX, 24)}-{rand(HEX, 34)}", 'POSTMAN = "{}"'),
    "square-secret": ("sq0csp-" + rand(URLSAFE, 43), 'SQUARE = "{}"'),
    "azure-storage-key": (
        rand(B64, 86) + "==",
        'CONN = "DefaultEndpointsProtocol=https;AccountName=shop;AccountKey={};"',
    ),
    "azure-client-secret": (rand(ALNUM, 3) + "8Q~" + rand(URLSAFE + ".~", 34), 'AZ = "{}"'),
    "terraform-token": (rand(ALNUM, 14) + ".atlasv1." + rand(ALNUM, 60), "TFC = '{}'"),
    "connection-string-password": (
        rand(ALNUM, 12) + "!",
        'CONN = "Server=db;Database=shop;User Id=app;Password={};"',
    ),
    "age-secret-key": (
        "AGE-SECRET-KEY-1" + rand("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58),
        "# backup key {}",
    ),
    # unquoted, in a comment and in SQL: no quoted-string detector sees these
    "token-in-a-comment": ("tok_" + rand(ALNUM, 32), "# staging token: {}"),
    "key-in-sql": (rand(ALNUM, 40), "-- api key {} rotated monthly"),
}
HELD_OUT = {name: (value, line.format(value)) for name, (value, line) in _HELD.items()}


def backend_file(samples: dict[str, tuple[str, str]]) -> str:
    """A Flask view module holding every sample, used by the code in scope."""
    lines = [
        "from flask import Flask, request",
        "",
        "app = Flask(__name__)",
        "",
        "",
        "@app.post('/orders')",
        "def create_order():",
    ]
    for _, line in samples.values():
        lines.extend("    " + part for part in line.splitlines())
    lines += ["    data = request.get_json()", "    return {'ok': True, 'data': data}", ""]
    return "\n".join(lines)
