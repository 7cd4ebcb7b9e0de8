"""The floor for bench_lsp.py: a pygls server that does nothing but answer with no diagnostics."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

server = LanguageServer("floor", "0")


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def changed(ls: LanguageServer, params: object) -> None:
    doc = params.text_document  # type: ignore[attr-defined]
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=doc.uri, version=doc.version, diagnostics=[])
    )


if __name__ == "__main__":
    server.start_io()
