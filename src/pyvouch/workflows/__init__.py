"""Release workflows: a line-aware GitHub Actions model, the linter and the generator."""
