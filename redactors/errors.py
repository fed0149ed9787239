"""Why an input could not be processed. Each reason has a stable code (for the
manifest and scripts) and a sentence for people."""


class InputRejected(Exception):
    """The input cannot be redacted; it goes to failed/ with this reason."""

    code = "rejected"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class EmptyInput(InputRejected):
    code = "empty"


class TooLarge(InputRejected):
    code = "too_large"


class UnsupportedType(InputRejected):
    code = "unsupported"


class CorruptInput(InputRejected):
    code = "corrupt"


class EncryptedInput(InputRejected):
    code = "encrypted"


class RefusedInput(InputRejected):
    """Not a regular file inside the inbox (a symlink, a fifo, a device)."""

    code = "refused"


class ConfigError(Exception):
    """The configuration file is missing or invalid. The message names the
    file, the key and what is wrong."""


class MissingDependency(RuntimeError):
    """A model or program Tabir needs is not installed (not a bug, and not a
    problem of one file): the message says which, and the command that
    installs it. `tabir` exits with its own code (flows/console.py)."""
