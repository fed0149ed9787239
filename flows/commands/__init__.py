"""One module per `tabir` command. Each has `add_parser(sub)`, which
declares its arguments, and `run(args) -> exit code`; flows/cli.py only
parses and dispatches. Heavy imports (Prefect, the detector) happen inside
`run`, so `tabir scan` and `tabir --help` start fast."""
