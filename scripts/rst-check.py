#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""rst-check.py FILE...: parse each reStructuredText file with docutils
and print what it reports (malformed tables, broken markup, unknown
directives), one line each; exit 1 if anything was reported.

Documentation/ is plain reStructuredText, as the kernel's is, so that
docutils alone (python3-docutils) can check it without Sphinx."""

import io
import sys

import docutils.core


def check(path):
    """Return docutils' reports on @path, empty when it parses cleanly."""
    err = io.StringIO()
    with open(path, encoding="utf-8") as f:
        docutils.core.publish_doctree(
            f.read(), source_path=path,
            settings_overrides={"warning_stream": err, "report_level": 2,
                                "halt_level": 5})
    return err.getvalue()


def main():
    bad = 0
    for path in sys.argv[1:]:
        out = check(path)
        if out:
            sys.stdout.write(out)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
