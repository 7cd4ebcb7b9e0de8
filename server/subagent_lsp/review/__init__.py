"""Backend code review: source -> Suggestions. No LSP types here."""
