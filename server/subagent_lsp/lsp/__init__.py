"""The only package that imports pygls and lsprotocol."""
