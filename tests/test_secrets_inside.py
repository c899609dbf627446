"""The Terraform secrets policies look for input values inside a computed secret through an index
(policies.secrets._tf.Inside): it must answer exactly as testing every value in turn would."""

from hypothesis import given, settings
from hypothesis import strategies as st

from iaclint.policies.secrets._tf import INSIDE_MIN, Inside

# Few characters, some outside ASCII, and values drawn on a few stems: values overlap, repeat,
# share their first 8 characters (one stem is exactly 8 long) at the same or another length, are
# prefixes of each other and are longer than the text.
CHARS = "ab:é😀"
STEM = st.sampled_from(["", "ab", "abababab", "é😀:aé😀:a"])
VALUE = st.builds(lambda stem, tail: stem + tail, STEM, st.text(alphabet=CHARS, max_size=12))
TEXT = st.text(alphabet=CHARS, max_size=30)


@st.composite
def values_and_text(draw):
    values = draw(st.lists(VALUE, max_size=8))
    text = draw(TEXT)
    for _ in range(draw(st.integers(0, 2)) if values else 0):  # plant values, or pieces of them
        v = draw(st.sampled_from(values))
        start = draw(st.integers(0, len(v)))
        piece = v[start:draw(st.integers(start, len(v)))] if draw(st.booleans()) else v
        at = draw(st.integers(0, len(text)))
        text = text[:at] + piece + text[at:]
    return values, text


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(values_and_text())
def test_index_answers_as_testing_every_value(case):
    values, text = case
    expected = any(len(v) >= INSIDE_MIN and v in text for v in values)
    inside = Inside(values)
    assert inside.any_in(text) == expected
    assert inside.in_windows(text) == expected  # the index, which any_in leaves for many values


def test_inside_examples():
    inside = Inside(["12345678", "abcdefgh-longer", "abcdefgh-other", "short", "Pässwörd€2024", "x" * 40])
    assert inside.any_in("12345678")  # exactly 8 long, the whole text
    assert inside.any_in("postgres://u:12345678@host")  # neither at the start nor at the end
    assert not inside.any_in("1234567")
    assert inside.any_in("..abcdefgh-other")  # at the very end, second of its first 8 characters
    assert not inside.any_in("abcdefgh-long")  # the text is shorter than the value
    assert not inside.any_in("a short one")  # under 8 characters: only ever an exact match
    assert inside.any_in('{"p": "Pässwörd€2024"}')
    assert not inside.any_in("x" * 39)
    assert not Inside([]).any_in("anything at all")
    many = Inside([f"value-{i:04d}" for i in range(2000)])  # enough values for the index
    assert many.any_in("x=value-1999;") and not many.any_in("x=value-2000;")
