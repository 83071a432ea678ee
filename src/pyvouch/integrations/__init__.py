"""pyvouch where teams run it: the GitHub Action's steps (`github`, `github_event`,
`base_revision`) and the pre-commit lock-change hook (`precommit`). Each reads what its host
gives it (environment variables, an event payload, staged files), calls the application
functions of `pyvouch.pipeline` and renders through `pyvouch.report`."""
