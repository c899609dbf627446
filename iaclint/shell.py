"""POSIX shell scripts split into simple commands and words, for what runs a shell.

A Dockerfile RUN in shell form, a heredoc body fed to a shell, the script of ``sh -c "..."``
and a container's command are POSIX shell scripts. :func:`pipelines` turns a script into simple
commands (``curl -fsSL https://x``) grouped in pipelines, with quotes removed the way the shell
does it (``shlex``; text the tokeniser refuses is split on blanks instead). Scripts nested in
``sh -c '...'``, ``$(...)``, backticks and ``<(...)`` are analysed too, so a flag is judged as a
word of the command it belongs to, never as a substring of a URL or of another command.

Nothing here expands variables: ``$URL`` stays ``$URL``. Nothing here knows about resource
types: the policies read a resource's scripts (``policies._docker.run_scripts``) and ask this
module what commands they hold. It imports nothing outside the standard library and sits beside
the file parsers rather than among them, so ``iaclint rules`` can import every policy without
importing a parser.
"""

from __future__ import annotations

import functools
import re

from .lazyre import lazy_re

SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox"})
# Words that run the next word as the command: ``sudo -E bash``, ``env X=1 curl``, ``time curl``.
_WRAPPERS = frozenset({"sudo", "doas", "env", "time", "nohup", "command", "exec", "nice", "xargs",
                       "stdbuf", "timeout", "su-exec", "gosu", "chroot"})
_WRAPPER_ARG_FLAGS = {"sudo": set("ugpChDRT"), "env": set("uSC"), "nice": set("n"),
                      "timeout": set("sk"), "xargs": set("IiLlnPsEd"), "stdbuf": set("ioe")}
_WRAPPER_OPERANDS = {"timeout": 1, "gosu": 1, "su-exec": 1, "chroot": 1}
_ASSIGNMENT = lazy_re(r"^[A-Za-z_][A-Za-z0-9_]*=")
# Reserved words that can precede a command: ``if curl ...; then sh x; fi``.
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!"})
# ``<<EOF``, ``<<-EOF``, ``0<<EOF``: a word that starts a heredoc
HEREDOC_WORD = lazy_re(r"^\d*<<-?")


class _once:
    """``functools.cached_property`` without its lock (Python 3.11 takes an RLock to compute each
    value; 3.12 dropped it): the value is computed on first read and stored in the instance's
    ``__dict__``, where later reads find it without calling this. One thread builds and reads a
    Command."""

    def __init__(self, fn):
        self.fn, self.name, self.__doc__ = fn, fn.__name__, fn.__doc__

    def __get__(self, obj, cls=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value


class Command:
    """One simple command: ``words`` after quote removal, ``assignments`` that precede it."""

    def __init__(self, words: list[str], text: str, assignments: list[tuple[str, str]] | None = None):
        self.words = words
        self.text = text
        self.assignments = [] if assignments is None else assignments

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (self.words, self.text, self.assignments) == (other.words, other.text, other.assignments)

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"Command(words={self.words!r}, text={self.text!r}, assignments={self.assignments!r})"

    @_once
    def argv(self) -> list[str]:
        """The words from the program on, wrappers (``sudo``, ``env``, ``time``) skipped."""
        return self.words[self._program:]

    @_once
    def environment(self) -> list[tuple[str, str]]:
        """Variables set for this command: ``A=1 cmd`` and ``env A=1 cmd``."""
        extra = [w.partition("=")[::2] for w in self.words[:self._program] if _ASSIGNMENT.match(w)]
        return self.assignments + [(k, v) for k, v in extra]

    @_once
    def _program(self) -> int:
        return self._program_index()

    def _program_index(self) -> int:
        words = self.words
        i = 0
        while i < len(words):
            name = _basename(words[i])
            if name not in _WRAPPERS:
                break
            i += 1
            arg_flags = _WRAPPER_ARG_FLAGS.get(name, set())
            while i < len(words) and (words[i].startswith("-") or (name == "env" and _ASSIGNMENT.match(words[i]))):
                flag = words[i]
                i += 1
                if flag == "--":
                    break
                if (len(flag) == 2 and flag[1] in arg_flags) and i < len(words):
                    i += 1  # the flag's value
            i += _WRAPPER_OPERANDS.get(name, 0)  # gosu USER cmd, timeout 10 cmd, chroot DIR cmd
        return min(i, len(words))

    @_once
    def name(self) -> str:
        """The program's base name (``/usr/bin/curl`` -> ``curl``), or ``""``."""
        argv = self.argv
        if not argv or argv[0].startswith(("$", "`", "<(", ">(")):
            return ""  # a command computed at run time
        return _basename(argv[0])

    @property
    def args(self) -> list[str]:
        return self.argv[1:]


# A shell word: runs of unquoted characters, backslash escapes, '...' and "...", read exactly
# as shlex.split(posix=True) reads them, at a fraction of its cost (a test compares the two).
_WORD = r"(?:[^ \t\r\n'\"\\]+|\\.|'[^']*'|\"(?:[^\"\\]|\\.)*\")+"
_SHELL_PIECE = lazy_re(r"[^'\"\\]+|\\.|'[^']*'|\"(?:[^\"\\]|\\.)*\"", re.S)
_DQ_ESCAPE = lazy_re(r'\\([\\"])')

# The words of a text, and, where no word can start, the one character that stops it: a quote
# that is never closed or a backslash at the very end (nothing else can fail to start a word).
# Atomic: a word is taken whole, so a failure costs one pass, not every way to cut it in pieces.
_SHELL_TOKEN = lazy_re(r"(?>%s)|[^ \t\r\n]" % _WORD, re.S)


def split_words(text: str) -> list[str]:
    """Shell words with quotes removed; unbalanced quotes fall back to blank splitting."""
    words = _SHELL_TOKEN.findall(text)
    if "'" in words or '"' in words or "\\" in words:
        return text.split()  # an unbalanced quote or a lone backslash: not shell words
    for i, word in enumerate(words):
        double, single = '"' in word, "'" in word
        if not (double or single or "\\" in word):
            continue
        if "\\" in word or (double and single):
            words[i] = "".join(_unquote(p) for p in _SHELL_PIECE.findall(word))
        else:  # one kind of quote and no backslash: every quote in the word is a delimiter
            words[i] = word.replace('"' if double else "'", "")
    return words


def _basename(path: str) -> str:
    return path.rpartition("/")[2]  # posixpath.basename without its os.fspath and type checks


def _unquote(piece: str) -> str:
    c = piece[0]
    if c == "'":
        return piece[1:-1]
    if c == '"':
        return _DQ_ESCAPE.sub(r"\1", piece[1:-1])
    if c == "\\":
        return piece[1:]
    return piece


# What ends or interrupts a double-quoted string, a backtick substitution and a parenthesised
# one: the scanners below jump from one of these to the next instead of reading every character.
_IN_DOUBLE = lazy_re(r'[\\"`]|\$\(')
_IN_BACKTICK = lazy_re(r"[\\`]")
_IN_PARENS = lazy_re(r"[\\'\"`()]")


def _skip_quoted(s: str, i: int) -> int:
    """Index after the quoted string or substitution that starts at ``s[i]``."""
    c = s[i]
    n = len(s)
    if c == "'":
        j = s.find("'", i + 1)
        return n if j < 0 else j + 1
    if c == '"':
        search = _IN_DOUBLE.search
        j = i + 1
        while (m := search(s, j)) is not None:
            j = m.start()
            c = s[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$":
                j = _skip_parens(s, j + 1)
            else:
                j = _skip_quoted(s, j)  # a backtick substitution
        return n
    if c == "`":
        search = _IN_BACKTICK.search
        j = i + 1
        while (m := search(s, j)) is not None:
            j = m.start()
            if s[j] == "`":
                return j + 1
            j += 2  # a backslash and what it escapes
        return n
    return i + 1


def _skip_parens(s: str, i: int) -> int:
    """``s[i]`` is ``(``: the index after its matching ``)``, quotes respected."""
    depth = 0
    n = len(s)
    search = _IN_PARENS.search
    j = i
    while (m := search(s, j)) is not None:
        j = m.start()
        c = s[j]
        if c == "\\":
            j += 2
        elif c == "(":
            depth += 1
            j += 1
        elif c == ")":
            depth -= 1
            j += 1
            if depth == 0:
                return j
        else:
            j = _skip_quoted(s, j)
    return n


# The characters the two scanners below act on; the text between them is skipped in one step.
_SUBSTITUTION_CHARS = lazy_re(r"[\\\"'`$<>]")
_SEGMENT_CHARS = lazy_re(r"[\\'\"`$<>#\n&|;(){}]")


def _scan_substitutions(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, inner script)`` of each ``$(...)``, ``<(...)``, ``>(...)`` and backtick
    substitution of ``text`` (not inside single quotes; ``$((...))`` arithmetic left out)."""
    if "`" not in text and "(" not in text:
        return []  # no substitution can start without one of these
    out = []
    i = 0
    n = len(text)
    in_double = False
    search = _SUBSTITUTION_CHARS.search
    while i < n:
        m = search(text, i)
        if m is None:
            break
        i = m.start()
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == '"':
            in_double = not in_double
            i += 1
            continue
        if c == "'" and not in_double:
            i = _skip_quoted(text, i)
            continue
        if c == "`":
            end = _skip_quoted(text, i)
            out.append((i, end, text[i + 1:end - 1] if text[end - 1:end] == "`" else text[i + 1:end]))
            i = end
            continue
        if c in "$<>" and text.startswith("(", i + 1):
            end = _skip_parens(text, i + 1)
            if not text.startswith("((", i + 1):
                out.append((i, end, text[i + 2:end - 1] if text[end - 1:end] == ")" else text[i + 2:end]))
            i = end
            continue
        i += 1
    return out


def _segments(script: str) -> list[tuple[str, str]]:
    """Split a script at control operators: [(command text, operator after it)]."""
    out: list[tuple[str, str]] = []
    buf: list[str] = []
    s = script
    n = len(s)
    i = 0
    at_word_start = True

    def flush(op: str) -> None:
        text = "".join(buf).strip()
        buf.clear()
        if text:
            out.append((text, op))
        elif out and op and out[-1][1] == ")":
            out[-1] = (out[-1][0], op)  # ``(a) | b``: the operator after a group applies to it

    search = _SEGMENT_CHARS.search
    while i < n:
        m = search(s, i)
        j = m.start() if m is not None else n
        if j > i:  # ordinary characters, appended at once
            buf.append(s[i:j])
            at_word_start = s[j - 1] in " \t"
            i = j
            if i >= n:
                break
        c = s[i]
        if c == "\\":
            if s.startswith("\n", i + 1):  # line continuation
                i += 2
                continue
            buf.append(s[i:i + 2])
            i += 2
            at_word_start = False
            continue
        if c in "'\"`":
            j = _skip_quoted(s, i)
            buf.append(s[i:j])
            i = j
            at_word_start = False
            continue
        if c in "$<>" and s.startswith("(", i + 1):
            j = _skip_parens(s, i + 1)
            buf.append(s[i:j])
            i = j
            at_word_start = False
            continue
        if c == "#" and at_word_start:
            j = s.find("\n", i)
            i = n if j < 0 else j
            continue
        if c == "\n":
            flush(";")
            i += 1
            at_word_start = True
            continue
        two = s[i:i + 2]
        if two in ("&&", "||", "|&", ";;"):
            flush(two)
            i += 2
            at_word_start = True
            continue
        if c in "|;&":
            if c == "&" and (s[i - 1:i] in (">", "<") or s.startswith(">", i + 1)):
                buf.append(c)  # 2>&1, &> file: a redirection, not a background operator
                i += 1
                continue
            flush(c)
            i += 1
            at_word_start = True
            continue
        if c == "(" or (c == "{" and at_word_start):
            flush(";")  # subshells and groups: their commands are ordinary commands here
            i += 1
            at_word_start = True
            continue
        if c == ")" or (c == "}" and at_word_start):
            flush(")")
            i += 1
            continue
        buf.append(c)
        at_word_start = c in " \t"
        i += 1
    flush("")
    return out


_MASK = re.compile(r"\0\d+\0")


def _command(text: str, subs: list | None = None) -> Command | None:
    # A substitution is one word however many blanks it holds: hide it from the tokeniser.
    subs = _scan_substitutions(text) if subs is None else subs
    masked = text
    for k, (start, end, _inner) in reversed(list(enumerate(subs))):
        masked = masked[:start] + f"\0{k}\0" + masked[end:]
    words = split_words(masked)
    if subs:
        originals = {f"\0{k}\0": text[start:end] for k, (start, end, _inner) in enumerate(subs)}
        words = [_MASK.sub(lambda m: originals.get(m.group(), m.group()), w) if "\0" in w else w for w in words]
    assignments = []
    while words and words[0] in _KEYWORDS:
        words.pop(0)
    while words and _ASSIGNMENT.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        assignments.append((name, value))
    words = [w for w in words if "<<" not in w or not HEREDOC_WORD.match(w)]
    if not words and not assignments:
        return None
    return Command(words, text, assignments)


def pipelines(script: str) -> tuple[tuple[Command, ...], ...]:
    """Every pipeline of ``script``, then those of the scripts nested in it.

    Remembered per script: a dozen Dockerfile policies read the same RUN lines, and splitting
    shell words is the costliest thing they do (docker-python: 16k splits became 1.4k).
    The result is shared, so it is made of tuples.
    """
    return _pipelines_cached(script)


@functools.lru_cache(maxsize=4096)
def _pipelines_cached(script: str) -> tuple[tuple[Command, ...], ...]:
    return tuple(tuple(p) for p in _pipelines(script, 0))


def _pipelines(script: str, _depth: int = 0) -> list[list[Command]]:
    if not script or _depth > 8:
        return []
    found: list[list[Command]] = []
    nested: list[str] = []
    current: list[Command] = []
    for text, op in _segments(script):
        cmd, inners, inner = _simple_command(text)
        nested.extend(inners)
        if cmd is not None:
            current.append(cmd)
            if inner is not None:
                nested.append(inner)
        if op not in ("|", "|&"):
            if current:
                found.append(current)
            current = []
    if current:
        found.append(current)
    for inner in nested:
        found.extend(_pipelines(inner, _depth + 1))
    return found


@functools.lru_cache(maxsize=8192)
def _simple_command(text: str) -> tuple[Command | None, tuple[str, ...], str | None]:
    """One segment's command, the scripts of its substitutions and its ``sh -c`` script.

    Remembered per text, as scripts are: a command is read from its text alone, and the same
    commands come back in many scripts (docker-python: 735 commands in 19 distinct scripts, 98
    distinct commands). Identical commands are one shared :class:`Command`, never changed.
    """
    subs = _scan_substitutions(text)
    cmd = _command(text, subs)
    return cmd, tuple(inner for _s, _e, inner in subs), (shell_c_script(cmd) if cmd is not None else None)


def command_of(text: str) -> Command | None:
    """The simple command ``text`` is (a segment of a script, as :class:`Command.text` holds it),
    read once per text."""
    return _simple_command(text)[0]


def commands(script: str) -> tuple[Command, ...]:
    return tuple(c for p in pipelines(script) for c in p)


def shell_c_script(cmd: Command) -> str | None:
    """The script of ``sh -c 'script'`` (any POSIX shell, flags before -c allowed)."""
    argv = cmd.argv
    if not argv or _basename(argv[0]) not in SHELLS:
        return None
    for i, word in enumerate(argv[1:], 1):
        if not word.startswith("-") or word == "--":
            return None
        if "c" in word[1:] and not word.startswith("--"):
            return argv[i + 1] if i + 1 < len(argv) else None
    return None


def is_shell(argv: list[str]) -> bool:
    """``bash``, ``sh -e``, ``sudo bash -``: a shell that reads its script from stdin."""
    if not argv or _basename(argv[0]) not in SHELLS:
        return False
    for word in argv[1:]:
        if word in ("-", "--"):
            return True
        if word.startswith("-") and not word.startswith("--"):
            if "c" in word[1:]:
                return False  # -c: the script is an argument, stdin is data
            continue
        if word.startswith("--"):
            continue
        return False  # bash script.sh: runs a file, not stdin
    return True


_INTERPRETERS = lazy_re(r"^(?:python[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|php[\d.]*)$")
_PYTHON_SAFE_FLAGS = frozenset({"-", "-u", "-B", "-q", "-I", "-s", "-S", "-E", "-O", "-OO", "-X"})


def runs_stdin(argv: list[str]) -> bool:
    """A shell (see :func:`is_shell`) or an interpreter that executes the code on its stdin:
    ``python3``, ``python3 -``, ``perl``, ``node`` (not ``python3 -m json.tool``, ``perl -e``)."""
    if is_shell(argv):
        return True
    if not argv or not _INTERPRETERS.match(_basename(argv[0])):
        return False
    return all(word in _PYTHON_SAFE_FLAGS for word in argv[1:])
