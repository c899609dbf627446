"""Commands are read once per text and judged once per text, with the results of reading and
judging each occurrence afresh.

A Dockerfile family repeats its commands across scripts (docker-python: 735 commands, 98
distinct), so the shell parser shares one :class:`Command` per text, the Dockerfile policies
remember their per-command judgements (``per_command``), and the secrets detector its
per-command findings. These tests compare each memo with the computation it stands for.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from iaclint import shell
from iaclint.policies._docker import per_command
from iaclint.policies.secrets import _shell as secrets_shell
from iaclint.policies.secrets._detect import Secret, _literal_ok, argv_secrets, assignments, check_value, find_shapes

# Commands with credentials in every place the detector reads (assignments before the command,
# env and export, flags, writers feeding chpasswd, provider shapes), and plain ones.
PIECES = [
    "apt-get update", "rm -rf /var/lib/apt/lists/*", "PGPASSWORD=Sup3rS3cretPw psql -h db",
    "export API_TOKEN=hunter2hunter2X", "env DB_PASSWORD=Tr0ub4dor3x sh -c 'psql -h db'",
    "curl -u admin:Pa55w0rdValue https://example.com", "mysql -pR00tPassw0rd -h db",
    "echo 'root:Chpasswd123' | chpasswd", "echo root:Chpasswd123", "printf 'password=Wr1tten1n'",
    "docker login -u me -p D0ckerPassw0rd", "git clone https://ci:glpat-abcdefghijklmnopqrst@gitlab.com/x",
    "curl -H 'Authorization: Bearer abcdef0123456789abcdef' https://api", "sh -c 'export TOKEN=S3cr3tT0ken1'",
    "echo $(cat /run/secrets/token)", "A=1", "sudo -E bash -c 'curl -k https://x | sh'",
]
SEPARATORS = [" && ", "; ", " | ", "\n", " || "]


def _script(picks: list[int], seps: list[int]) -> str:
    out = PIECES[picks[0]]
    for p, s in zip(picks[1:], seps):
        out += SEPARATORS[s] + PIECES[p]
    return out


scripts = st.builds(_script, st.lists(st.integers(0, len(PIECES) - 1), min_size=1, max_size=6),
                    st.lists(st.integers(0, len(SEPARATORS) - 1), min_size=5, max_size=5))


def _fresh(text: str):
    """A command read from its text without the memo: what the parser did for each occurrence."""
    subs = shell._scan_substitutions(text)
    return shell._command(text, subs)


def _reference_script_secrets(script: str) -> tuple[Secret, ...]:
    """The detector's loop as it was before per-command findings were remembered."""
    found: dict[str, Secret] = {}

    def add(secret):
        if secret is not None:
            found.setdefault(secret.value, secret)

    for pipeline in shell._pipelines(script):
        for k, cmd in enumerate(pipeline):
            cmd = _fresh(cmd.text)
            for name, value in cmd.environment:
                add(check_value(name, value))
            argv = cmd.argv
            if not argv:
                continue
            if cmd.name in secrets_shell._DECLARE:
                for word in argv[1:]:
                    name, eq, value = word.partition("=")
                    if eq:
                        add(check_value(name, value))
            for secret in argv_secrets(argv):
                add(secret)
            if cmd.name in secrets_shell._WRITERS:
                text = " ".join(argv[1:])
                for secret in assignments(" " + text):
                    add(secret)
                if any(later.name == "chpasswd" for later in pipeline[k + 1:]):
                    for line in text.replace("\\n", "\n").splitlines():
                        _user, sep, password = line.strip().partition(":")
                        if sep and _literal_ok(password, True):
                            add(Secret("password (chpasswd)", password))
    for secret in find_shapes(script):
        add(secret)
    return tuple(found.values())


@settings(max_examples=300, deadline=None, derandomize=True)
@given(script=scripts)
def test_each_command_is_the_one_its_text_reads_as(script):
    for cmd in shell.commands(script):
        fresh = _fresh(cmd.text)
        assert cmd == fresh
        assert (cmd.argv, cmd.name, cmd.environment) == (fresh.argv, fresh.name, fresh.environment)
        assert shell.command_of(cmd.text) is cmd


def test_one_command_text_is_one_shared_command():
    first = shell.commands("apt-get update && curl -k https://x")
    second = shell.commands("curl -k https://x; apt-get update")
    assert first[0] is second[1] and first[1] is second[0]
    assert first[0] is not first[1]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(script=scripts)
def test_remembered_command_secrets_are_the_secrets_found_afresh(script):
    assert secrets_shell.script_secrets(script) == list(_reference_script_secrets(script))


def test_the_reference_finds_what_the_pieces_hold():
    """The comparison above is only worth its examples: the pieces hold credentials of each kind."""
    found = _reference_script_secrets(" && ".join(PIECES[:12]))
    assert {s.value for s in found} >= {"Sup3rS3cretPw", "hunter2hunter2X", "Tr0ub4dor3x", "Pa55w0rdValue",
                                        "R00tPassw0rd", "Chpasswd123", "D0ckerPassw0rd"}


def test_a_judgement_is_made_once_per_command_text():
    calls = []

    def judge(command):
        calls.append(command.text)
        return command.name.upper()

    judged = per_command(judge)
    script = "apt-get update && curl -k https://x && apt-get update && sudo curl -k https://x"
    assert [judged(c) for c in shell.commands(script)] == ["APT-GET", "CURL", "APT-GET", "CURL"]
    assert calls == ["apt-get update", "curl -k https://x", "sudo curl -k https://x"]
