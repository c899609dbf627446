"""Credentials written into shell commands: Dockerfile RUN lines, container commands, scripts.

The script is split into simple commands by :mod:`iaclint.shell` (quotes removed the way
the shell does, ``sh -c '...'`` and ``$(...)`` followed), so a flag is judged as a word of the
command it belongs to. Found: credentials on command lines (:func:`_detect.argv_secrets`),
variables set for a command or exported (``PGPASSWORD=x psql``, ``export API_TOKEN=x``),
``password=...`` lines written by ``echo``/``printf``, ``user:password`` fed to ``chpasswd``,
and provider-shaped secrets anywhere in the text. ``$TOKEN`` and ``$(cat /run/secrets/x)`` are
references, not credentials.
"""

from __future__ import annotations

import functools

from .._docker import Command, per_command, pipelines, shell_c_script
from ._detect import Secret, _literal_ok, argv_secrets, assignments, check_value, find_shapes

_DECLARE = frozenset({"export", "declare", "typeset", "readonly", "local"})
_WRITERS = frozenset({"echo", "printf"})


def script_secrets(script: str) -> list[Secret]:
    """Every credential written into a POSIX shell script, first occurrence of each value."""
    if not isinstance(script, str) or not script.strip():
        return []
    return list(_script_secrets(script))


@functools.lru_cache(maxsize=4096)
def _script_secrets(script: str) -> tuple[Secret, ...]:
    # Remembered per script, as its parse is (iaclint.shell.pipelines): the same RUN lines come
    # back in every stage and variant of a family of Dockerfiles (docker-python: 108 scripts,
    # 19 distinct; 2030 commands' words read, 84 distinct).
    found: dict[str, Secret] = {}

    def add(secret: Secret | None) -> None:
        if secret is not None:
            found.setdefault(secret.value, secret)

    for pipeline in pipelines(script):
        for k, cmd in enumerate(pipeline):
            for secret in _command_secrets(cmd):
                add(secret)
            if cmd.name in _WRITERS and any(later.name == "chpasswd" for later in pipeline[k + 1:]):
                for line in " ".join(cmd.argv[1:]).replace("\\n", "\n").splitlines():
                    _user, sep, password = line.strip().partition(":")
                    if sep and _literal_ok(password, True):
                        add(Secret("password (chpasswd)", password))
    for secret in find_shapes(script):
        add(secret)
    return tuple(found.values())


@per_command
def _command_secrets(cmd) -> tuple[Secret, ...]:
    """The credentials of one simple command, in the order they are written; remembered per
    command (docker-python's 660 commands with words are 84 distinct ones)."""
    found = [check_value(name, value) for name, value in cmd.environment]
    argv = cmd.argv
    if argv:
        if cmd.name in _DECLARE:
            for word in argv[1:]:
                name, eq, value = word.partition("=")
                if eq:
                    found.append(check_value(name, value))
        found.extend(argv_secrets(argv))
        if cmd.name in _WRITERS:
            found.extend(assignments(" " + " ".join(argv[1:])))
    return tuple(s for s in found if s is not None)


def argv_or_script_secrets(argv: list[str]) -> list[Secret]:
    """The credentials of an exec-form command: the script of ``sh -c '...'``, else its words."""
    script = shell_c_script(Command(list(argv), " ".join(argv))) if argv else None
    if script is not None:
        return script_secrets(script)
    return argv_secrets(list(argv))
