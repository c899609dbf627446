"""iaclint.parsers.pyyaml: yaml imported with its reader's NON_PRINTABLE pattern compiled on first use.

Each check runs in a fresh interpreter: this one has imported yaml already.
"""

import json
import subprocess
import sys

PROBE = """
import json, re, sys
compile_before = re.compile
from iaclint.parsers.pyyaml import yaml
from iaclint.parsers import kubernetes
pattern = yaml.reader.Reader.NON_PRINTABLE
resources, diagnostics = kubernetes.parse("apiVersion: v1\\nkind: Pod\\nmetadata: {name: caf\\u00e9}\\n", "p.yaml")
out = {
    "restored": re.compile is compile_before,
    "lazy": type(pattern).__name__,
    "compiled_by_c_loader": "search" in vars(pattern),
    "c_loader": kubernetes.LOADER is not yaml.SafeLoader,
    "names": [r.name for r in resources],
    "diagnostics": len(diagnostics),
}
# the pure-Python reader still refuses a control character, and still reads printable text
try:
    yaml.load("a: \\x07", Loader=yaml.SafeLoader)
    out["refused"] = False
except yaml.reader.ReaderError:
    out["refused"] = True
out["printable"] = yaml.load("a: caf\\u00e9 \\U0001F600", Loader=yaml.SafeLoader)
print(json.dumps(out))
"""


def _run(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_yaml_imports_with_the_reader_pattern_left_for_first_use():
    out = _run(PROBE)
    assert out["restored"], "re.compile must be the real one again after the import"
    assert out["lazy"] == "LazyPattern"
    assert out["names"] == ["café"] and out["diagnostics"] == 0
    if out["c_loader"]:
        assert not out["compiled_by_c_loader"], "libyaml never needs the pattern"
    assert out["refused"] is True
    assert out["printable"] == {"a": "café \U0001F600"}


def test_the_pattern_is_the_one_pyyaml_compiles():
    # When a PyYAML release changes the pattern, the import compiles it again (correct, slower):
    # this test says so, so that the text here can follow.
    out = _run("import json, yaml\n"
               "from iaclint.parsers.pyyaml import NON_PRINTABLE\n"
               "p = yaml.reader.Reader.NON_PRINTABLE\n"
               "print(json.dumps([type(p).__name__, p.pattern == NON_PRINTABLE, p.flags & ~32]))\n")
    assert out == ["Pattern", True, 0]


def test_an_earlier_import_of_yaml_is_left_as_it_is():
    out = _run("import json, yaml\n"
               "from iaclint.parsers.pyyaml import yaml as ours\n"
               "print(json.dumps([ours is yaml, type(yaml.reader.Reader.NON_PRINTABLE).__name__]))\n")
    assert out == [True, "Pattern"]
