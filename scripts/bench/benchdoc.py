"""Splice one generated section into docs/benchmarks.md, between its markers.

The bench scripts' inline Python imports this (they run it with PYTHONPATH set to this
directory): `splice(doc, "lock-bytes", section, before="lock-accuracy")`.
"""


def splice(doc, name, section, before=None):
    """Replace the `name` section of `doc` with `section` (which carries its markers); a
    new section goes in front of the `before` section when there is one, else at the end."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    try:
        text = open(doc).read()
    except OSError:
        text = "# Benchmarks\n"
    anchor = f"<!-- {before}:start -->" if before else None
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    elif anchor and anchor in text:
        head, rest = text.split(anchor, 1)
        text = head + section + "\n\n" + anchor + rest
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    with open(doc, "w") as fh:
        fh.write(text)
