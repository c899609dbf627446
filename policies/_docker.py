"""What the Dockerfile policies share: the scripts a stage's RUN instructions give a POSIX shell.

A RUN in shell form is a POSIX shell script (continuation lines already joined by the parser);
heredoc bodies fed to a shell are scripts too; the exec form ``["sh", "-c", "..."]`` carries its
script as an argument. :func:`run_scripts` collects those scripts; the shell parser
(:mod:`iaclint.shell`, re-exported here) splits them into commands and words. What a policy
concludes from one script it remembers with :func:`per_script`.
"""

from __future__ import annotations

import functools
import posixpath

from iaclint.shell import (HEREDOC_WORD, SHELLS, Command, command_of, commands, is_shell, pipelines,
                           runs_stdin, shell_c_script, split_words)

__all__ = ["SHELLS", "Command", "commands", "first_command", "is_shell", "per_command", "per_script",
           "pipelines", "run_scripts", "runs_stdin", "shell_c_script", "split_words"]

_NON_POSIX = ("powershell", "pwsh", "cmd")


def run_scripts(resource) -> list[tuple[int, dict, list[str]]]:
    """``(index, instruction, scripts)`` for every RUN of a stage that a POSIX shell runs.

    Shell-form RUNs under a ``SHELL ["powershell", ...]`` or ``cmd`` are left out: their
    words follow other rules.
    """
    out = []
    shell = ["/bin/sh", "-c"]
    for i, inst in enumerate(resource.get("instructions") or ()):
        cmd = inst.get("cmd")
        if cmd == "SHELL" and inst.get("json") and inst.get("argv"):
            shell = list(inst["argv"])
            continue
        if cmd != "RUN":
            continue
        scripts: list[str] = []
        if inst.get("json"):
            import shlex  # only for the exec form, which most RUNs are not
            argv = list(inst.get("argv") or ())
            inner = shell_c_script(Command(argv, shlex.join(argv)))
            scripts.append(inner if inner is not None else shlex.join(argv))
        else:
            if posixpath.basename(shell[0]).lower().startswith(_NON_POSIX):
                continue
            text = inst.get("args") or ""
            scripts.append(text)
            heredocs = inst.get("heredocs") or ()
            if heredocs:
                # ``RUN <<EOF`` or ``RUN bash <<EOF``: the body is the script a shell reads.
                words = [w for w in split_words(text) if not HEREDOC_WORD.match(w)]
                if not words or is_shell(words):
                    scripts.extend(h.get("body") or "" for h in heredocs)
        out.append((i, inst, scripts))
    return out


def per_script(judge):
    """``judge(script)``, remembered per script text, for a judgement that depends on nothing but
    the script (the result must not be changed by its callers: a string, None or a tuple).

    The same RUN lines come back in every stage and variant of a family of Dockerfiles
    (docker-python: 108 scripts, 19 distinct, 2,332 commands read by each policy that walks them,
    735 distinct): the shell parse is remembered the same way (:func:`iaclint.shell.pipelines`).
    """
    return functools.lru_cache(maxsize=4096)(judge)


def per_command(judge):
    """``judge(command)`` for the commands of :func:`commands` and :func:`pipelines`, remembered
    per command text (the result must not be changed by its callers: a string, None or a tuple).

    Such a command is read from its text alone (:func:`iaclint.shell.command_of`), and the same
    commands come back in many scripts (docker-python: 735 commands, 98 distinct).
    """
    by_text = functools.lru_cache(maxsize=8192)(lambda text: judge(command_of(text)))
    return lambda command: by_text(command.text)


def first_command(judge):
    """``find(script)``: the first truthy ``judge(command)`` among a script's commands, in order,
    or None; remembered per script (see :func:`per_script`) and per command (:func:`per_command`)."""
    judged = per_command(judge)
    return per_script(lambda script: next((found for cmd in commands(script) if (found := judged(cmd))), None))
