#!/usr/bin/env python3
"""The documentation checks CI runs first (Python stdlib only; no build needed):

  1. README.md has at most 300 lines (it is the front door; reference goes to docs/).
  2. Every relative link in README.md and docs/*.md resolves to a file in the repository, and every #anchor
     to a heading of its target page, by GitHub's rules (lower case; punctuation but '-' and '_' dropped;
     spaces to '-'; a repeated heading gets -1, -2, ...). Pages that other work is writing are named in
     PENDING: a link to one of them passes while it does not exist yet (with a note), and is checked once it does.
  3. docs/performance.md is the render of the committed benchmark JSON (bench/render-performance.py --check).
  4. --commands FILE: writes every `./rnnport ...` command line shown in a code block of those pages to FILE,
     one per line as "page:line<TAB>JSON list of arguments", for .ci/DocCommands.java to dry-parse with the
     CLI's own picocli spec; --spark-commands FILE the same for `./rnnport-spark ...`. Lines are joined at a trailing backslash, split at && ; | and cut at a #
     comment, then split as the shell would (shlex).

Usage: python3 .ci/check-docs.py [--commands FILE]      exit 1 when a check fails, naming page, line and link
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import unicodedata
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_README_LINES = 300
# pages other branches are writing now (issue 27's rnnport-fit); remove a name once its page has landed, and the
# check covers it like any other
PENDING = set()

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def pages():
    return ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read().splitlines()


def fenced_lines(lines, inside):
    """(line number, text) of the lines inside (or outside) fenced code blocks, the fences left out."""
    fenced = False
    for n, line in enumerate(lines, 1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced == inside:
            yield n, line


def prose_lines(lines):
    return fenced_lines(lines, False)


def code_lines(lines):
    return fenced_lines(lines, True)


def strip_inline_code(text):
    return re.sub(r"(`+)(.+?)\1", "", text)


def heading_text(raw):
    """The text GitHub renders for a heading: inline code keeps its content, links their text, emphasis goes."""
    t = re.sub(r"(`+)(.+?)\1", lambda m: m.group(2), raw)
    t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", t)
    t = re.sub(r"<[^>]+>", "", t)
    t = t.replace("**", "").replace("__", "")
    t = re.sub(r"(?<!\w)[*_](\S.*?\S|\S)[*_](?!\w)", r"\1", t)
    return t


def slug(text):
    """GitHub's anchor for a heading (github-slugger): lower case, drop all but letters, digits, marks,
    connector punctuation (_), '-' and spaces, then spaces to '-'."""
    out = []
    for c in text.lower():
        cat = unicodedata.category(c)
        if c == " ":
            out.append("-")
        elif c == "-" or cat[0] in "LNM" or cat == "Pc":
            out.append(c)
    return "".join(out)


def anchors(rel):
    seen = {}
    found = set()
    for _, line in prose_lines(read(rel)):
        m = HEADING.match(line)
        if m:
            s = slug(heading_text(m.group(2)))
            k = seen.get(s, 0)
            seen[s] = k + 1
            found.add(s if k == 0 else "%s-%d" % (s, k))
        for a in HTML_ANCHOR.findall(line):
            found.add(a)
    return found


def check_links(errors, notes):
    cache = {}
    for page in pages():
        for n, line in prose_lines(read(page)):
            for m in LINK.finditer(strip_inline_code(line)):
                target = m.group(3)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto:
                    continue
                path, _, frag = target.partition("#")
                path = urllib.parse.unquote(path)
                where = "%s:%d: link %s" % (page, n, target)
                if path:
                    resolved = os.path.normpath(os.path.join(os.path.dirname(page), path))
                    if resolved.startswith(".."):
                        errors.append(where + ": leaves the repository")
                        continue
                    full = os.path.join(ROOT, resolved)
                    if not os.path.exists(full):
                        if resolved in PENDING:
                            notes.add("%s (linked, not written yet: PENDING)" % resolved)
                            continue
                        errors.append(where + ": no such file " + resolved)
                        continue
                else:
                    resolved = page
                if frag:
                    if not resolved.endswith(".md") or os.path.isdir(os.path.join(ROOT, resolved)):
                        errors.append(where + ": an anchor into a file that is not a Markdown page")
                        continue
                    if resolved not in cache:
                        cache[resolved] = anchors(resolved)
                    if urllib.parse.unquote(frag) not in cache[resolved]:
                        errors.append("%s: no heading with anchor #%s in %s" % (where, frag, resolved))


def commands(prog="./rnnport"):
    """Every command line of prog in a code block: (where, argv after prog, error)."""
    out = []
    for page in pages():
        lines = list(code_lines(read(page)))
        i = 0
        while i < len(lines):
            n, text = lines[i]
            while text.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                text = text.rstrip()[:-1] + " " + lines[i][1].strip()
            i += 1
            if prog + " " not in text and not text.strip().endswith(prog):
                continue
            try:
                lex = shlex.shlex(text, posix=True, punctuation_chars=";&|")
                lex.whitespace_split = True
                lex.commenters = "#"
                tokens = list(lex)
            except ValueError as e:
                out.append(("%s:%d" % (page, n), None, str(e)))
                continue
            segment = []
            for tok in tokens + [";"]:
                if tok and set(tok) <= set(";&|"):
                    if segment and segment[0] == prog:
                        out.append(("%s:%d" % (page, n), segment[1:], None))
                    segment = []
                elif not segment and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", tok):
                    continue  # VAR=value before the command
                else:
                    segment.append(tok)
    return out


def main(argv):
    errors, notes = [], set()
    readme = read("README.md")
    if len(readme) > MAX_README_LINES:
        errors.append("README.md has %d lines, more than %d: move reference to docs/" % (len(readme),
                                                                                          MAX_README_LINES))
    check_links(errors, notes)
    perf = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "render-performance.py"), "--check"],
                          capture_output=True, text=True)
    if perf.returncode != 0:
        errors.append("docs/performance.md is not current:\n" + perf.stdout + perf.stderr)
    cmds = commands()
    spark = commands("./rnnport-spark")
    for option, found, prog in (("--commands", cmds, "./rnnport"), ("--spark-commands", spark, "./rnnport-spark")):
        if option in argv:
            with open(argv[argv.index(option) + 1], "w") as f:
                for where, args, err in found:
                    if err:
                        errors.append("%s: a %s line the shell could not split: %s" % (where, prog, err))
                    else:
                        f.write("%s\t%s\n" % (where, json.dumps(args)))
    for n in sorted(notes):
        print("note: " + n)
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        return 1
    print("docs: README.md %d lines (max %d); links and anchors of %d pages resolve; docs/performance.md is "
          "current; %d ./rnnport and %d ./rnnport-spark command lines in code blocks" % (
              len(readme), MAX_README_LINES, len(pages()), len(cmds), len(spark)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
