"""Agent definition files: text -> Document -> Findings. No LSP types here."""
