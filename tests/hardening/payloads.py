"""The dangerous strings: every one goes into every text slot of the hostile spec set.

Each holds, where it makes sense, code that would create a file named
``CANARY`` in the working directory if it ever ran (``CANARY_CODE``), wrapped
in a different attempt to leave a Python string, docstring or comment, a
Markdown/HTML page, a Jinja template, a YAML document or a Mermaid label.
"""

from __future__ import annotations

CANARY = "CANARY"
CANARY_CODE = "__import__('pathlib').Path('CANARY').touch()"
C = CANARY_CODE

# name -> text. Names are short ASCII words: they become spec keys.
PAYLOADS: dict[str, str] = {
    # -- Python: strings, docstrings, comments, f-strings ----------------------------------
    "bare": C,
    "tripledouble": f'"""; {C}; """',
    "triplesingle": f"'''; {C}; '''",
    "double": f'"; {C}; "',
    "single": f"'; {C}; '",
    "quotesonly": '"""\'\'\'"\'""""""',
    "edgequote": f'"{C}"',
    "backslashquote": f'\\"; {C}; #\\',
    "trailingbackslash": "ends with a backslash \\",
    "escapes": "\\N{BULLET} \\u0041 \\x41 \\0 \\n \\t \\\\ \\'",
    "newline": f"line one\n{C}\n",
    "cr": f"a lone CR\r{C}\rend",
    "crlf": f"crlf\r\n{C}\r\n",
    "nul": f"nul\x00{C}\x00",
    "controls": "bell\x07 esc\x1b[31m del\x7f nel\x85 bom\ufeff vt\x0b ff\x0c",
    "linesep": f"u2028\u2028{C}\u2029u2029",
    "fstring": f"{{{C}}} f'{{{C}}}' {{0}} {{x!r:>{{w}}}}",
    "comment": f"# comment\n{C}  # noqa\n#",
    "indent": f"    indented first\n  {C}\n\tand a tab",
    "spaces": "trailing spaces   \n   \nwhitespace-only line above  ",
    "blank": "\n\nleading and trailing blank lines\n\n",
    # -- templates ---------------------------------------------------------------------------
    "jinja": "{{ 7*7 }} {{ config }} {% if true %}x{% endif %} {# c #} {% raw %}{{ r }}",
    "jinjacode": "{{ cycler.__init__.__globals__.os.popen('touch CANARY').read() }}",
    # -- HTML, Markdown, links ------------------------------------------------------------
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)><svg onload=alert(3)>",
    "attrs": '" onmouseover="alert(4)" x=\' onfocus=\'alert(5)',
    "links": '[x](javascript:alert(6)) javascript:alert(7) <a href="javascript:alert(8)">a</a> '
    "data:text/html,<script>alert(9)</script> https://example.com/ok_(x)",
    "markdown": "| a | b |\n|---|---|\n`tick` ``` fence ``` *em* __strong__\n# heading\n- item\n"
    "1. item\n> quote <!-- comment --> {: onclick=alert(10) } [^1] ~~s~~",
    "backticks": "``` \n``x`` ` `````",
    # -- YAML, JSON -----------------------------------------------------------------------
    "yaml": "key: value # comment\n&anchor *alias !!python/object/apply:os.system ['touch CANARY']"
    "\n---\n...\n%YAML 1.2\n? complex\n- item",
    "yamlwords": "yes",
    "yamlnumber": "1.10",
    "yamlnull": "~",
    "json": '{"a": [1, {"b": null}]}, "x": "y"',
    # -- Mermaid, invisible text, paths, Unicode -------------------------------------------
    "mermaid": '"]) --> x["<b>"] %% ` -.-> |a|',
    "bidi": "\u202eevil\u202c \u2066x\u2069 \u200bzero",
    "path": "../../etc/passwd /etc/passwd C:\\Windows\\con.txt NUL ./. ..",
    "unicode": "😀 e\u0301 ｆｕｌｌ ﬁ ℌ 𝔞 日本語 \ue000 \U000e0041",
    "shell": "$(touch CANARY) `touch CANARY` ; touch CANARY | touch CANARY && touch CANARY",
}

# Every payload, for slots that take a list (tags, owners, labels, ...).
ALL = list(PAYLOADS.values())
