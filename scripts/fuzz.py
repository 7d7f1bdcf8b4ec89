#!/usr/bin/env python3
"""Mutation fuzzer for headroom's model loader, checker and engine (issue 13).

Mutates the bundled models (models/default.yaml, models/examples/*.yaml, models/seeds/*.yaml) and
runs `headroom check` on every mutant, and a short `headroom run` on every Kth mutant that checks,
each under a wall-clock timeout and an address-space limit. It counts:

  crashes       the process died of a signal (a Swift trap is SIGILL or SIGTRAP) or exited 70
                ("internal error"), or printed a stack trace
  slow checks   `check` took more than --check-seconds of CPU time (user + system)
  big checks    `check` peaked above --check-megabytes of resident memory
  slow runs     the short `run` took more than --run-seconds of CPU time
  big runs      the short `run` peaked above --check-megabytes of resident memory
  unlocated     an error about the model file that names no file:line:column, or an error that
                names no file at all
  refused runs  `check` accepted the model and the short `run` refused it (exit 64 or 65)

Targets (issue 13): 0 crashes, 0 slow or big checks, 0 unlocated errors. Every failing mutant is
written to --out (default fuzz-findings/) with the command that failed, so it can be replayed:
`scripts/fuzz.py --seed S --only I` re-creates mutant I of seed S.

Examples:
  scripts/fuzz.py --count 300 --seed 1                       # the CI slice (scripts/test.sh)
  scripts/fuzz.py --count 100000 --seed 2026 --jobs 2 \\
      --binary .build/release/headroom                       # the long run recorded in docs/fuzzing.md

Exit status: 0 when every target is met, 1 otherwise, 2 on a usage problem.
"""

import argparse
import json
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------------------------
# Mutations. Each takes (rng, text: bytes) and returns (name, bytes). They work on the text of a
# model, line by line where structure matters, so most mutants are still YAML and reach the
# decoder, the checker and the engine rather than stopping at the first syntax error.
# --------------------------------------------------------------------------------------------

KEY_LINE = re.compile(rb"^(\s*(?:- )?)([A-Za-z_][A-Za-z0-9_]*)(\s*:)(.*)$")
NUMBER = re.compile(rb"(?<![A-Za-z_])(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)")
UNIT_NUMBER = re.compile(rb"(\d+(?:\.\d+)?)(ns|us|ms|s|min|h|d|%|/s|/min|/h)\b")

SPECIAL_NUMBERS = [b"0", b"-1", b"-0", b"NaN", b".nan", b"nan", b"inf", b".inf", b"-.inf", b"-inf",
                   b"1e308", b"1e30", b"1e300", b"1.8e308", b"18446744073709551616",
                   b"9223372036854775807", b"9223372036854775808", b"-9223372036854775808",
                   b"99999999999999999999", b"4294967296", b"2147483648", b"1e-320", b"5e-324",
                   b"0.0000001", b"1e-9", b"0x10", b"1_000_000_000", b"1e15", b"1e18"]
NONSENSE_UNITS = [b"parsecs", b"fortnight", b"m", b"msms", b"%%", b"/fortnight", b"/0s", b"/-1s",
                  b"/", b"//s", b"s s", b"\xc2\xb5", b"ks", b"ms/s", b"/1e308s", b"/1e-320s", b"e",
                  b"e308", b" per nothing", b"rps rps", b"/ms/ms", b"x", b""]
UNICODE = ["\u00e9", "\u200b", "\u202e", "\u0301", "\ufeff", "\uffff", "\ue001", "\ue002", "\ue003",
           "\ue004", "\ue005", "\ue006", "\U0001F600", "\u4e2d\u6587", "\u0000", "\t", "\r", "\u2028",
           "\u00a0", "\u0085", "\ud7ff", "\U0010FFFF"]
INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\xbc",
                b"\xed\xa0\x80", b"\xc0\xaf", b"\xf8\x88\x80\x80\x80", b"\x80"]
TAGS = [b"!!str ", b"!!int ", b"!!float ", b"!!bool ", b"!!null ", b"!!binary ", b"!!map ", b"!!seq ",
        b"!!python/object:os.system ", b"!custom ", b"!<tag:yaml.org,2002:str> ", b"!!timestamp ",
        b"!!set ", b"!!omap "]
TYPE_SWAPS = [b"[1, 2]", b"[]", b"{}", b"{a: 1}", b"\"text\"", b"true", b"~", b"null", b"''", b"|\n  block",
              b"[[]]", b"{x: [1, {y: 2}]}", b"- 1", b"?", b"&a 1", b"*undefined"]


# No mutant is larger than this (a long list made longer again would take the fuzzer's memory).
MAX_MUTANT_BYTES = 8 * 1024 * 1024


def lines_of(text):
    return text.split(b"\n")


def key_lines(lines):
    return [i for i, l in enumerate(lines) if KEY_LINE.match(l)]


def indent(line):
    return len(line) - len(line.lstrip(b" "))


def block_end(lines, i):
    """Index after the block that starts at line i (the lines indented deeper than it)."""
    base = indent(lines[i].replace(b"- ", b"  ", 1))
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or indent(lines[j]) > base):
        j += 1
    return j


def mutate_delete_key(rng, text):
    lines = lines_of(text)
    ks = key_lines(lines)
    if not ks:
        return mutate_truncate(rng, text)
    i = rng.choice(ks)
    j = block_end(lines, i)
    return "delete_key", b"\n".join(lines[:i] + lines[j:])


def mutate_rename_key(rng, text):
    lines = lines_of(text)
    ks = key_lines(lines)
    if not ks:
        return mutate_truncate(rng, text)
    i = rng.choice(ks)
    m = KEY_LINE.match(lines[i])
    key = m.group(2)
    choice = rng.randrange(5)
    if choice == 0 and len(key) > 2:
        k = rng.randrange(len(key) - 1)
        key = key[:k] + key[k + 1:k + 2] + key[k:k + 1] + key[k + 2:]
    elif choice == 1:
        key = key + rng.choice([b"s", b"_x", b"2", b"\xc3\xa9"])
    elif choice == 2:
        key = key.upper()
    elif choice == 3:
        key = rng.choice([b"name", b"workload", b"network", b"steps", b"pools", b"database", b"cpu",
                          b"query", b"simulation", b"instances", b"endpoints", b"servers", b"rate"])
    else:
        key = key[: max(1, len(key) // 2)]
    lines[i] = m.group(1) + key + m.group(3) + m.group(4)
    return "rename_key", b"\n".join(lines)


def value_lines(lines):
    return [i for i, l in enumerate(lines) if KEY_LINE.match(l) and KEY_LINE.match(l).group(4).strip()]


def mutate_swap_type(rng, text):
    lines = lines_of(text)
    vs = value_lines(lines)
    if not vs:
        return mutate_truncate(rng, text)
    i = rng.choice(vs)
    m = KEY_LINE.match(lines[i])
    swap = rng.choice(TYPE_SWAPS)
    if swap.startswith(b"|\n") or swap.startswith(b"- "):
        pad = b" " * (indent(lines[i]) + 2)
        swap = swap.replace(b"\n  ", b"\n" + pad)
    lines[i] = m.group(1) + m.group(2) + m.group(3) + b" " + swap
    return "swap_type", b"\n".join(lines)


def numeric_positions(text):
    return [m for m in NUMBER.finditer(text)]


def mutate_special_number(rng, text):
    ms = numeric_positions(text)
    if not ms:
        return mutate_truncate(rng, text)
    m = rng.choice(ms)
    return "special_number", text[:m.start()] + rng.choice(SPECIAL_NUMBERS) + text[m.end():]


def mutate_unit(rng, text):
    ms = list(UNIT_NUMBER.finditer(text))
    if not ms:
        return mutate_special_number(rng, text)
    m = rng.choice(ms)
    if rng.random() < 0.5:
        new = m.group(1) + rng.choice(NONSENSE_UNITS)
    else:  # a huge or degenerate number with a real unit: 1e308s, 99999999999999999999d
        new = rng.choice(SPECIAL_NUMBERS) + m.group(2)
    return "unit_nonsense", text[:m.start()] + new + text[m.end():]


def mutate_unicode(rng, text):
    pos = rng.randrange(len(text) + 1)
    insert = "".join(rng.choice(UNICODE) for _ in range(rng.randint(1, 4)))
    return "unicode_or_nul", text[:pos] + insert.encode("utf-8", "surrogatepass") + text[pos:]


def mutate_deep_nesting(rng, text):
    lines = lines_of(text)
    vs = value_lines(lines)
    depth = rng.choice([50, 200, 1000, 5000, 20000])
    if rng.random() < 0.5:
        nested = b"[" * depth + b"1" + b"]" * depth
    else:
        nested = b"{a: " * depth + b"1" + b"}" * depth
    if not vs:
        return "deep_nesting", text + b"\nx: " + nested + b"\n"
    i = rng.choice(vs)
    m = KEY_LINE.match(lines[i])
    lines[i] = m.group(1) + m.group(2) + m.group(3) + b" " + nested
    return "deep_nesting", b"\n".join(lines)


def mutate_long_list(rng, text):
    """Lists and maps of 1,000 to 100,000 items: steps, stations, mix entries, list values."""
    n = rng.choice([1000, 5000, 20000, 100000])
    lines = lines_of(text)
    # A `steps:` list made long: its first item repeated.
    steps = [i for i, l in enumerate(lines) if l.strip() == b"steps:"]
    stations = [i for i, l in enumerate(lines) if l.strip() == b"stations:"]
    kind = rng.randrange(3)
    if kind == 0 and steps:
        i = rng.choice(steps)
        j = i + 1
        if j < len(lines) and lines[j].lstrip().startswith(b"- "):
            k = block_end(lines, j)
            item = lines[j:k]
            n = max(1, min(n, MAX_MUTANT_BYTES // max(1, len(b"\n".join(item)))))
            return "long_list", b"\n".join(lines[:j] + item * n + lines[j:])
    if kind == 1 and stations:
        i = rng.choice(stations)
        j = i + 1
        if j < len(lines) and KEY_LINE.match(lines[j]):
            m = KEY_LINE.match(lines[j])
            pad = m.group(1)
            rest = m.group(4)
            n = max(1, min(n, MAX_MUTANT_BYTES // (len(lines[j]) + 8)))
            extra = [pad + b"s%d" % s + b":" + rest for s in range(n)]
            return "long_map", b"\n".join(lines[:j] + extra + lines[j:])
    # Any value replaced by a long flow list or a long map.
    vs = value_lines(lines)
    if not vs:
        return "long_list", text + b"\nx: [" + b", ".join([b"1"] * n) + b"]\n"
    i = rng.choice(vs)
    m = KEY_LINE.match(lines[i])
    item = m.group(4).strip() or b"1"
    n = max(1, min(n, MAX_MUTANT_BYTES // (len(item) + 2)))
    if rng.random() < 0.5:
        value = b"[" + b", ".join([item] * n) + b"]"
    else:
        value = b"{" + b", ".join(b"k%d: 1" % s for s in range(n)) + b"}"
    lines[i] = m.group(1) + m.group(2) + m.group(3) + b" " + value
    return "long_list", b"\n".join(lines)


def mutate_truncate(rng, text):
    if not text:
        return "truncate", text
    return "truncate", text[:rng.randrange(len(text))]


def mutate_bit_flip(rng, text):
    data = bytearray(text)
    if not data:
        return "bit_flip", text
    for _ in range(rng.randint(1, 8)):
        p = rng.randrange(len(data))
        data[p] ^= 1 << rng.randrange(8)
    return "bit_flip", bytes(data)


def mutate_invalid_utf8(rng, text):
    pos = rng.randrange(len(text) + 1)
    return "invalid_utf8", text[:pos] + rng.choice(INVALID_UTF8) + text[pos:]


def mutate_tag(rng, text):
    lines = lines_of(text)
    vs = value_lines(lines)
    if not vs:
        return "yaml_tag", b"!!map\n" + text
    i = rng.choice(vs)
    m = KEY_LINE.match(lines[i])
    lines[i] = m.group(1) + m.group(2) + m.group(3) + b" " + rng.choice(TAGS) + m.group(4).strip()
    return "yaml_tag", b"\n".join(lines)


def mutate_merge_key(rng, text):
    lines = lines_of(text)
    maps = [i for i in key_lines(lines) if not KEY_LINE.match(lines[i]).group(4).strip()
            and i + 1 < len(lines) and indent(lines[i + 1]) > indent(lines[i])]
    if not maps:
        return "merge_key", b"base: &base {a: 1}\nother:\n  <<: *base\n" + text
    i = rng.choice(maps)
    m = KEY_LINE.match(lines[i])
    pad = b" " * indent(lines[i + 1])
    choice = rng.randrange(3)
    if choice == 0:  # anchor the map, merge it into a new sibling
        lines[i] = m.group(1) + m.group(2) + m.group(3) + b" &m" + m.group(4)
        j = block_end(lines, i)
        lines.insert(j, m.group(1) + m.group(2) + b"_copy:\n" + b" " * (indent(lines[i]) + 2) + b"<<: *m")
    elif choice == 1:
        lines.insert(i + 1, pad + b"<<: {extra: 1}")
    else:
        lines.insert(i + 1, pad + b"<<: [*missing, {a: 1}]")
    return "merge_key", b"\n".join(lines)


def alias_bomb(levels, fan):
    out = [b"a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for k in range(1, levels + 1):
        out.append(b"a%d: &a%d [" % (k, k) + b", ".join([b"*a%d" % (k - 1)] * fan) + b"]")
    return b"\n".join(out)


def mutate_alias(rng, text):
    lines = lines_of(text)
    choice = rng.randrange(4)
    if choice == 0:  # billion laughs at the top level
        return "alias_bomb", alias_bomb(rng.choice([3, 5, 9]), rng.choice([5, 10])) + b"\n" + text
    if choice == 1:  # a self-referencing alias
        return "recursive_alias", text + b"\nloop: &loop [*loop]\n"
    vs = value_lines(lines)
    if len(vs) < 2:
        return "alias_bomb", alias_bomb(9, 10) + b"\n" + text
    a, b = rng.sample(vs, 2)
    ma, mb = KEY_LINE.match(lines[a]), KEY_LINE.match(lines[b])
    if choice == 2:  # an ordinary anchor and alias between two values
        lines[a] = ma.group(1) + ma.group(2) + ma.group(3) + b" &v " + ma.group(4).strip()
        lines[b] = mb.group(1) + mb.group(2) + mb.group(3) + b" *v"
        return "alias", b"\n".join(lines)
    lines[b] = mb.group(1) + mb.group(2) + mb.group(3) + b" *nowhere"
    return "undefined_alias", b"\n".join(lines)


MUTATIONS = [mutate_delete_key, mutate_rename_key, mutate_swap_type, mutate_special_number, mutate_unit,
             mutate_unicode, mutate_deep_nesting, mutate_long_list, mutate_truncate, mutate_bit_flip,
             mutate_invalid_utf8, mutate_tag, mutate_merge_key, mutate_alias]


# --------------------------------------------------------------------------------------------
# Mutations of the measurement files (CSV, logs, JSON, ini, properties, URLs, Prometheus text,
# HdrHistogram tables) and of claims expressions (issue 23).
# --------------------------------------------------------------------------------------------

def mutate_duplicate_line(rng, text):
    """A line repeated (a key given twice in pgbouncer.ini, a row twice), or a URL parameter twice."""
    lines = lines_of(text)
    if not lines:
        return mutate_truncate(rng, text)
    if b"?" in text and b"=" in text and rng.random() < 0.3:  # a Prisma URL: a parameter repeated
        q = text.index(b"?")
        params = re.findall(rb"[A-Za-z_]+=[^&\s\"']*", text[q:])
        if params:
            extra = rng.choice(params).split(b"=")[0] + b"=" + rng.choice([b"5", b"0", b"-1", b"abc", b"1e300"])
            return "duplicate_parameter", text[:q + 1] + extra + b"&" + text[q + 1:]
    i = rng.randrange(len(lines))
    j = rng.randrange(len(lines) + 1)
    return "duplicate_line", b"\n".join(lines[:j] + [lines[i]] + lines[j:])


def mutate_negate_number(rng, text):
    """A figure made negative, or absurd: -4194 requests, a rate of -3/s, a mean of 1e300."""
    ms = numeric_positions(text)
    if not ms:
        return mutate_truncate(rng, text)
    m = rng.choice(ms)
    new = rng.choice([b"-" + m.group(1), b"-" + m.group(1), b"1e300", b"8.64e307", b"-0.5", b"0.5", b"1e-300"])
    return "negate_number", text[:m.start()] + new + text[m.end():]


def mutate_reencode(rng, text):
    """The file in another encoding: UTF-16 with or without a byte order mark, Latin-1, CRLF lines, a UTF-8 BOM."""
    choice = rng.randrange(5)
    if choice == 0:
        return "utf16", text.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-16-le", "utf-16-be"]))
    if choice == 1:  # a Latin-1 é somewhere in a line
        pos = rng.randrange(len(text) + 1)
        return "latin1", text[:pos] + b"caf\xe9" + text[pos:]
    if choice == 2:
        return "crlf", text.replace(b"\n", b"\r\n")
    if choice == 3:
        return "utf8_bom", b"\xef\xbb\xbf" + text
    pos = rng.randrange(len(text) + 1)
    return "nul_bytes", text[:pos] + b"\x00" * rng.randint(1, 3) + text[pos:]


def mutate_grow(rng, text, max_bytes=None):
    """The file made large: its data lines repeated up to 100 kB .. MAX_MUTANT_BYTES, or one very long line."""
    limit = max_bytes or MAX_MUTANT_BYTES
    target = rng.choice([100_000, 1_000_000, int(limit * 0.9)])
    lines = lines_of(text)
    if rng.random() < 0.2 or len(lines) < 3:
        pos = rng.randrange(len(text) + 1)
        return "long_line", text[:pos] + b"9" * max(1, target - len(text)) + text[pos:]
    body = lines[1:] if len(lines) > 1 else lines
    chunk = b"\n".join(body) + b"\n"
    n = max(1, target // max(1, len(chunk)))
    if text.lstrip().startswith(b"{"):  # JSON: many keys inside the top object (metrics, counters)
        close = text.rfind(b"}")
        extra = b"".join(b'"k%d": {"count": %d, "values": [1, 2.5, "x"]},' % (k, k) for k in range(max(1, target // 50)))
        brace = text.find(b"{")
        return "grow_json", text[:brace + 1] + extra + text[brace + 1:]
    return "grow", lines[0] + b"\n" + chunk * n


def mutate_deep_json(rng, text):
    depth = rng.choice([50, 101, 1000, 100000])
    if not text.lstrip().startswith(b"{"):
        return mutate_grow(rng, text)
    brace = text.find(b"{")
    nested = b"[" * depth + b"1" + b"]" * depth
    return "deep_json", text[:brace + 1] + b'"deep": ' + nested + b"," + text[brace + 1:]


MEASUREMENT_MUTATIONS = [mutate_special_number, mutate_negate_number, mutate_unicode, mutate_truncate, mutate_bit_flip,
                         mutate_invalid_utf8, mutate_duplicate_line, mutate_reencode, mutate_grow, mutate_deep_json,
                         mutate_duplicate_line, mutate_negate_number, mutate_reencode]

EXPRESSION_KEY = re.compile(rb"^(\s*(?:- )?(?:holds|read|correction|[A-Za-z_]+): ?)\"(.*)\"\s*$")


def mutate_expression(rng, text):
    """A claims expression made deep or long: nested parentheses, minus signs, calls, a long chain."""
    lines = lines_of(text)
    es = [i for i, l in enumerate(lines) if re.match(rb"^\s*(?:- )?(?:holds|read|correction): ", l)]
    if not es:
        return mutate_special_number(rng, text)
    i = rng.choice(es)
    m = re.match(rb"^(\s*(?:- )?(?:holds|read|correction): )(.*)$", lines[i])
    expr = m.group(2).strip().strip(b"\"'")
    n = rng.choice([10, 32, 33, 100, 2000, 30000, 100000])
    shape = rng.randrange(4)
    if shape == 0:
        new = b"(" * n + expr + b")" * n
    elif shape == 1:
        new = b"-" * n + b"(" + expr + b")"
    elif shape == 2:
        new = b"min(1, " * n + b"2" + b")" * n
    else:
        new = b" + ".join([b"1"] * n)
    if b"holds" in m.group(1) and not re.search(rb"<=|>=|=", new):
        new = new + b" = 1"
    lines[i] = m.group(1) + b'"' + new + b'"'
    return "deep_expression", b"\n".join(lines)


CLAIMS_MUTATIONS = MUTATIONS + [mutate_expression] * 4


def seeds(corpus="models"):
    """The files mutated: the bundled models (`check`, then a short `run`), the claims files
    (`verify`), or the measurement files the import and fit commands read."""
    if corpus == "claims":
        paths = sorted(glob.glob(os.path.join(ROOT, "models/seeds/*.claims.yaml")))
        paths += sorted(glob.glob(os.path.join(ROOT, "models/claims/*.claims.yaml")))
    elif corpus == "measurements":
        paths = [p for p in sorted(glob.glob(os.path.join(ROOT, "models/measurements/*")))
                 if measurement_command(os.path.basename(p))]
    else:
        paths = [os.path.join(ROOT, "models/default.yaml")]
        paths += sorted(glob.glob(os.path.join(ROOT, "models/examples/*.yaml")))
        paths += sorted(glob.glob(os.path.join(ROOT, "models/seeds/*.yaml")))
        # Claims files (*.claims.yaml) are not models.
        paths = [p for p in paths if not p.endswith(".claims.yaml")]
    return [(os.path.relpath(p, ROOT), open(p, "rb").read()) for p in paths]


def measurement_command(name):
    """The command that reads a measurement file (models/measurements/), or None."""
    if "pg_stat_statements" in name:
        return ["import", "pg-stat-statements"]
    if name.startswith(("k6-", "artillery-report", "pgbench-")) and not name.endswith(".csv"):
        return ["import", "load-test"]
    if name in ("pgbouncer.ini", "hikari.properties", "node-postgres-pool.json", "prisma.env"):
        return ["import", "pool"]
    if name.startswith("usl-"):
        return ["fit"]
    if name == "artillery-test.yml":  # an Artillery script as the offered load of a real report
        return ["import", "load-test", os.path.join(ROOT, "models/measurements/artillery-report.json"), "--profile"]
    if name.endswith((".prom", ".hgrm")):
        return ["check"]  # through a model that reads it (`empirical(file:)`), written beside it
    return None


def model_around_pool(fragment):
    """A model around what `import pool` printed: `check` must accept it (issue 23: a repeated key
    printed `server_connections: 20, server_connections: 5`, which check refuses)."""
    pools = "pools:\n  app: {size: 16, via: pgbouncer}\n" if "poolers:" in fragment else ""
    return ("name: round trip\nsimulation: {horizon: 10s, warmup: 1s, replications: 2}\n"
            "workload:\n  open: {rate: 10/s}\n  endpoint: tx\ndatabase: {cores: 2, max_connections: 500}\n"
            "endpoints:\n  tx:\n    steps:\n      - query: {time: 1ms}\n" + fragment + pools).encode()


def empirical_model(path):
    """A model whose one step draws from the measurement file at `path` (`.prom` or `.hgrm`)."""
    name = os.path.basename(path)
    form = "prometheus" if name.endswith(".prom") else "hdrhistogram, unit: ms"
    return ("workload: {open: {rate: 1/s}}\nendpoints:\n  e:\n    steps:\n"
            "      - cpu: empirical(file: %s, format: %s)\n" % (name, form)).encode()


def make_mutant(seed, index, corpus, kind_of_corpus="models"):
    """Mutant `index` of fuzzing seed `seed`: the same pair always gives the same bytes."""
    rng = random.Random(seed * 1_000_003 + index)
    source, text = corpus[rng.randrange(len(corpus))]
    kinds = []
    mutations = {"measurements": MEASUREMENT_MUTATIONS, "claims": CLAIMS_MUTATIONS}.get(kind_of_corpus, MUTATIONS)
    for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
        kind, mutated = rng.choice(mutations)(rng, text)
        if len(mutated) > MAX_MUTANT_BYTES:  # a long list of long lists: keep the fuzzer's own memory small
            break
        text = mutated
        kinds.append(kind)
    return source, "+".join(kinds) or "none", text


# --------------------------------------------------------------------------------------------
# Running the binary under limits.
# --------------------------------------------------------------------------------------------

def run_limited(argv, wall_seconds, address_space_bytes):
    """Runs argv under an address-space limit; returns
    (status, signal, cpu_seconds, wall_seconds, max_rss_bytes, stdout, stderr, timed_out).

    The limit is set by util-linux's `prlimit`, which execs the binary in place, and Python starts it
    with posix_spawn (no preexec function, no cwd, fds not closed): a forked copy of this process
    would otherwise count its pages in the child's peak resident size."""
    argv = ["prlimit", "--as=%d" % address_space_bytes, "--core=0", "--"] + argv
    start = time.monotonic()
    # Linux keeps a process's peak resident size across exec, and a child started by vfork or
    # posix_spawn inherits this process's own peak (the fuzzer's, 300 MB after a few thousand
    # mutants): ru_maxrss is then max(ours, the child's). The child's own peak (VmHWM of its new
    # address space) is read while it runs; ru_maxrss is taken when it is above our peak.
    parent_peak = vm_hwm("self")
    polled = 0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, close_fds=False,
                             env=CHILD_ENV)
        timed_out = False
        while True:
            polled = max(polled, vm_hwm(p.pid))
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > wall_seconds:
                timed_out = True
                os.kill(p.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.005)
        p.returncode = 0  # reaped above; keep Popen from waiting again
        wall = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        o = out.read(32 * 2**20).decode("utf-8", "replace")  # whole: `import pool`'s output is checked as a model
        e = err.read(200_000).decode("utf-8", "replace")
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    cpu = usage.ru_utime + usage.ru_stime
    rss = usage.ru_maxrss * 1024
    if rss <= parent_peak:
        rss = polled  # a lower bound: growth in the last 5 ms of a small process is not seen
    return code, sig, cpu, wall, rss, o, e, timed_out


def vm_hwm(pid):
    """Peak resident bytes of a process's current address space (0 if it is gone)."""
    try:
        with open("/proc/%s/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


# The binary's backtracer is kept (a crash's trace goes into the finding); no terminal colours.
CHILD_ENV = dict(os.environ, TERM="dumb")


LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): error: ")
FILE_ERROR = re.compile(r"^(?P<file>.+?): error: ")
TRACE = re.compile(r"Fatal error|Stack dump|Illegal instruction|Segmentation fault|Current stack trace|"
                   r"failed to allocate|internal error")


def unlocated_errors(path, stderr):
    """Errors about the model file that name no line and column."""
    bad = []
    for line in stderr.splitlines():
        if line.startswith(path + ": error: "):
            bad.append(line)
    return bad


class Tally:
    def __init__(self):
        self.counts = {k: 0 for k in ["mutants", "checks", "checks_ok", "checks_rejected", "runs", "crashes",
                                      "slow_checks", "big_checks", "slow_runs", "big_runs", "unlocated",
                                      "timeouts", "roundtrips", "refused_runs"]}
        self.check_cpu = []
        self.check_rss = []
        self.run_cpu = []
        self.run_rss = []
        self.by_kind = {}
        self.findings = []

    def add(self, key, n=1):
        self.counts[key] += n


def classify(kind, code, sig, stderr):
    if sig is not None and sig != signal.SIGKILL:
        return "crash"
    if code == 70 or TRACE.search(stderr):
        return "crash"
    return None


FILE_TOKEN = re.compile(r"[^\s`'\"]+\.(ya?ml|json|csv|log|ini|properties|env|prom|hgrm|txt)\b")


def unnamed_errors(path, stderr, corpus):
    """Errors (`error: ...`) that name no file: for models and measurements, not the mutant's; for
    claims files, no file at all (an error about a model the claims file cites names that model)."""
    name = os.path.basename(path)
    bad = []
    for l in stderr.splitlines():
        if not (l.startswith("error: ") or l.startswith("Error: ")) or name in l:
            continue
        if corpus == "claims" and FILE_TOKEN.search(l):
            continue
        if "--budget" in l:
            # A work-budget refusal is about the run the file asks for, not a place in it.
            continue
        bad.append(l)
    return bad


def judge(stage, kinds, path, outcome, cpu_limit, args, size=0):
    """The findings of one `check` or `run` of a mutant: a crash, a timeout, too much CPU or
    memory, an error about the model without file:line:column, an importer's error that does not
    name its file. Files of 1 MB or more have `cpu_limit` per MB (issue 23's target is about files
    under 1 MB; a large file's time grows with it)."""
    code, sig, cpu, wall, rss, err, timed_out = outcome
    cpu_limit = cpu_limit * max(1.0, size / 2**20)
    problems = []
    if classify(kinds, code, sig, err) or (sig == signal.SIGKILL and not timed_out):
        problems.append(("crash", stage, code, sig, err[-2000:]))
    if timed_out:
        problems.append(("timeout", stage, code, sig, ""))
    if cpu > cpu_limit or timed_out:
        problems.append(("slow_" + stage, stage, "%.2f s CPU, %.2f s wall" % (cpu, wall), None, ""))
    if rss > args.check_megabytes * 1024 * 1024:
        problems.append(("big_" + stage, stage, "%.0f MB" % (rss / 2**20), None, ""))
    bad = unlocated_errors(path, err) + unnamed_errors(path, err, args.corpus)
    if bad:
        problems.append(("unlocated", stage, code, None, "\n".join(bad[:5])))
    return problems


def fuzz_one(args, corpus, index, workdir, tally, lock):
    source, kinds, text = make_mutant(args.seed, index, corpus, args.corpus)
    if args.corpus == "models":
        path = os.path.join(workdir, "m%d.yaml" % index)
        argv = [args.binary, "check", path]
    else:
        # Beside a copy of its original, so that a claims file's relative model paths resolve.
        name = os.path.basename(source)
        path = os.path.join(workdir, os.path.dirname(source), "m%d-%s" % (index, name))
        if args.corpus == "claims":
            argv = [args.binary, "verify", path, "--points", "2", "--replications", "2", "--horizon", "3s",
                    "--threads", "1", "--budget", "3e6"]
        else:
            argv = [args.binary] + measurement_command(name) + [path]
            if argv[1] == "check":
                with open(path + ".yaml", "wb") as f:
                    f.write(empirical_model(path))
                argv[2] = path + ".yaml"
    with open(path, "wb") as f:
        f.write(text)
    problems = []
    limit = args.address_space_megabytes * 1024 * 1024
    code, sig, cpu, wall, rss, out, err, timed_out = run_limited(argv, args.timeout, limit)
    result = {"check_cpu": cpu, "check_rss": rss, "ran": False}
    # `verify` simulates (short horizons): it has the short run's CPU limit, not a check's.
    cpu_limit = args.run_seconds if args.corpus == "claims" else args.check_seconds
    problems += judge("check", kinds, path, (code, sig, cpu, wall, rss, err, timed_out), cpu_limit, args, len(text))
    if args.corpus == "measurements" and code == 0 and argv[1:3] == ["import", "pool"]:
        with open(path + ".rt.yaml", "wb") as f:
            f.write(model_around_pool(out))
        rt = run_limited([args.binary, "check", path + ".rt.yaml"], args.timeout, limit)
        os.unlink(path + ".rt.yaml")
        if rt[0] != 0:
            problems.append(("roundtrip", "check", rt[0], rt[1], out[:1000] + "\n" + rt[6][-1000:]))
    run = None
    if args.corpus == "models" and code == 0 and args.run_every > 0 and random.Random(index).randrange(args.run_every) == 0:
        run_argv = [args.binary, "run", path, "--replications", "2", "--horizon", "2s", "--warmup", "0s",
                    "--threads", "1", "--format", "json"]
        rcode, rsig, rcpu, rwall, rrss, rout, rerr, rtimed = run_limited(run_argv, args.run_timeout, limit)
        run = (rcpu, rrss)
        problems += judge("run", kinds, path, (rcode, rsig, rcpu, rwall, rrss, rerr, rtimed), args.run_seconds, args)
        if rcode in (64, 65):
            # `check` accepted the model and `run` refused it as bad input: the two disagree.
            problems.append(("refused_run", "run", rcode, None, rerr[-1000:]))
    with lock:
        if args.log:
            with open(args.log, "a") as f:
                f.write(json.dumps({"seed": args.seed, "index": index, "source": source, "kinds": kinds,
                                    "check_code": code, "check_cpu": round(cpu, 4), "check_rss": rss,
                                    "run_cpu": round(run[0], 4) if run else None, "run_rss": run[1] if run else None,
                                    "problems": [[p[0], p[1], str(p[2])] for p in problems]}) + "\n")
        t = tally
        t.add("mutants")
        t.add("checks")
        t.add("checks_ok" if code == 0 else "checks_rejected")
        t.check_cpu.append(cpu)
        t.check_rss.append(rss)
        if run:
            t.add("runs")
            t.run_cpu.append(run[0])
            t.run_rss.append(run[1])
        seen = set()
        for p in problems:
            key = {"crash": "crashes", "timeout": "timeouts", "slow_check": "slow_checks", "big_check": "big_checks",
                   "slow_run": "slow_runs", "big_run": "big_runs", "unlocated": "unlocated", "roundtrip": "roundtrips",
                   "refused_run": "refused_runs"}[p[0]]
            if (key, p[1]) in seen:
                continue
            seen.add((key, p[1]))
            t.add(key)
            t.by_kind.setdefault((key, kinds.split("+")[0]), 0)
            t.by_kind[(key, kinds.split("+")[0])] += 1
        if problems:
            t.findings.append((index, source, kinds, problems))
            if args.out:
                os.makedirs(args.out, exist_ok=True)
                keep = os.path.join(args.out, "mutant-%s%d-%d-%s" % ("" if args.corpus == "models" else args.corpus + "-",
                                                                    args.seed, index, os.path.basename(source)))
                shutil.copyfile(path, keep)
                with open(keep + ".txt", "w") as f:
                    f.write("seed %d mutant %d from %s by %s\n" % (args.seed, index, source, kinds))
                    for p in problems:
                        f.write("%s in %s: %s %s\n%s\n" % (p[0], p[1], p[2], p[3] or "", p[4]))
    os.unlink(path)
    if os.path.exists(path + ".yaml"):
        os.unlink(path + ".yaml")


def percentile(values, q):
    if not values:
        return 0.0
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def summarize(path, args):
    """The figures of a --log file: what `docs/fuzzing.md` records, from the mutants that finished."""
    rows = {}
    with open(path) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows[(r["seed"], r["index"])] = r
    if not rows:
        print("fuzz: %s has no mutants" % path)
        return 1
    values = sorted(rows.values(), key=lambda r: (r["seed"], r["index"]))
    indices = sorted(r["index"] for r in values)
    # Contiguous ranges of indices done (a run stopped early leaves a ragged end: two jobs in flight).
    ranges, first, last = [], indices[0], indices[0]
    for i in indices[1:]:
        if i != last + 1:
            ranges.append((first, last))
            first = i
        last = i
    ranges.append((first, last))
    count = {k: 0 for k in ["crash", "slow_check", "big_check", "unlocated", "slow_run", "big_run", "timeout", "roundtrip",
                            "refused_run"]}
    for r in values:
        for kind in set(p[0] for p in r["problems"]):
            count[kind] += 1
    check_cpu = [r["check_cpu"] for r in values]
    check_rss = [r["check_rss"] for r in values]
    runs = [r for r in values if r["run_cpu"] is not None]
    print("fuzz log %s: %d mutants (seeds %s; indices %s)" % (
        path, len(values), ",".join(str(s) for s in sorted(set(r["seed"] for r in values))),
        ", ".join("%d-%d" % r for r in ranges[:10]) + (" ..." if len(ranges) > 10 else "")))
    print("  checks: %d accepted, %d rejected with errors; short runs: %d" % (
        sum(1 for r in values if r["check_code"] == 0), sum(1 for r in values if r["check_code"] != 0), len(runs)))
    print("  crashes: %d   slow checks: %d   big checks: %d   unlocated errors: %d   slow runs: %d   big runs: %d   timeouts: %d   fragments check refuses: %d   runs refusing a checked model: %d" % (
        count["crash"], count["slow_check"], count["big_check"], count["unlocated"], count["slow_run"], count["big_run"], count["timeout"],
        count["roundtrip"], count["refused_run"]))
    print("  check CPU s: median %.3f, p99 %.3f, max %.3f; check peak RSS MB: median %.0f, p99 %.0f, max %.0f" % (
        percentile(check_cpu, 0.5), percentile(check_cpu, 0.99), max(check_cpu),
        percentile(check_rss, 0.5) / 2**20, percentile(check_rss, 0.99) / 2**20, max(check_rss) / 2**20))
    if runs:
        print("  run CPU s: median %.3f, max %.3f; run peak RSS MB: median %.0f, max %.0f" % (
            percentile([r["run_cpu"] for r in runs], 0.5), max(r["run_cpu"] for r in runs),
            percentile([r["run_rss"] for r in runs], 0.5) / 2**20, max(r["run_rss"] for r in runs) / 2**20))
    for r in values:
        if r["problems"]:
            print("  mutant %d (%s, %s): %s" % (r["index"], r["source"], r["kinds"],
                                                "; ".join("%s in %s %s" % tuple(p) for p in r["problems"])))
    failed = sum(count.values())
    return 1 if failed else 0


def self_test(args):
    """Negative controls for the oracle: each made-up outcome must give exactly its finding, and a
    clean outcome none, or the fuzzer could pass vacuously (a run of 0 findings proves nothing if
    the judge cannot find)."""
    path = "/tmp/w/m7.yaml"
    ok = (0, None, 0.1, 0.1, 20 * 2**20, "", False)
    cases = [
        ("clean", ok, "models", []),
        ("clean rejection", (65, None, 0.1, 0.1, 2**20, path + ":3:5: error: `pools.db.size`: must be at least 1", False), "models", []),
        ("signal", (None, signal.SIGSEGV, 0.1, 0.1, 2**20, "", False), "models", ["crash"]),
        ("trap text", (70, None, 0.1, 0.1, 2**20, "Fatal error: Index out of range", False), "models", ["crash"]),
        ("slow", (0, None, 99.0, 99.0, 2**20, "", False), "models", ["slow_check"]),
        ("big", (0, None, 0.1, 0.1, 5 * 2**30, "", False), "models", ["big_check"]),
        ("timeout", (None, signal.SIGKILL, 1.0, 120.0, 2**20, "", True), "models", ["timeout", "slow_check"]),
        ("no line", (65, None, 0.1, 0.1, 2**20, path + ": error: something is wrong", False), "models", ["unlocated"]),
        ("no file", (65, None, 0.1, 0.1, 2**20, "error: something is wrong", False), "models", ["unlocated"]),
        ("claims naming its model", (65, None, 0.1, 0.1, 2**20, "error: models/x.yaml:3:1: bad", False), "claims", []),
        ("claims naming nothing", (65, None, 0.1, 0.1, 2**20, "error: bad", False), "claims", ["unlocated"]),
        ("a budget refusal", (64, None, 0.1, 0.1, 2**20, "error: this verification would simulate about 3e06 operations: ... or pass --budget 3.1e06", False), "claims", []),
    ]
    failures = 0
    for name, outcome, corpus, expected in cases:
        args.corpus = corpus
        got = sorted(p[0] for p in judge("check", "test", path, outcome, args.check_seconds, args))
        if got != sorted(expected):
            failures += 1
            print("fuzz self-test: %s: expected %s, got %s" % (name, sorted(expected), got))
    print("fuzz self-test: %d of %d oracle cases right" % (len(cases) - failures, len(cases)))
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=300, help="mutants to try (default 300)")
    ap.add_argument("--start", type=int, default=0, help="first mutant index (default 0)")
    ap.add_argument("--only", type=int, help="replay one mutant index: print it and its outcome")
    ap.add_argument("--indices", help="comma-separated mutant indices to run (instead of --start/--count)")
    ap.add_argument("--seed", type=int, default=1, help="fuzzing seed: the same seed makes the same mutants")
    ap.add_argument("--corpus", choices=["models", "claims", "measurements"], default="models",
                    help="what to mutate: the bundled models (check, then a short run; default), the claims files "
                    "(verify at 2 points, 3 s horizons) or the measurement files (import pg-stat-statements, "
                    "import load-test, import pool, fit scalability, and check of a model whose step draws from a mutated "
                    "Prometheus or HdrHistogram file)")
    ap.add_argument("--binary", default=None, help="headroom binary (default: .build/release/headroom, else .build/debug/headroom)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants in parallel (default 2)")
    ap.add_argument("--run-every", type=int, default=4, help="short `run` on one in N of the mutants that check (0: never)")
    ap.add_argument("--check-seconds", type=float, default=5.0, help="CPU seconds a check may take (target)")
    ap.add_argument("--check-megabytes", type=float, default=1024, help="resident MB a check or run may peak at (target)")
    ap.add_argument("--run-seconds", type=float, default=8.0, help="CPU seconds the short run may take")
    ap.add_argument("--timeout", type=float, default=120.0, help="wall seconds before a check is killed (generous: a loaded machine stretches wall time; the targets are in CPU time)")
    ap.add_argument("--run-timeout", type=float, default=240.0, help="wall seconds before a run is killed")
    ap.add_argument("--address-space-megabytes", type=int, default=3072, help="RLIMIT_AS of each process")
    ap.add_argument("--out", default="fuzz-findings", help="directory for failing mutants ('' for none)")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    ap.add_argument("--max-bytes", type=int, default=MAX_MUTANT_BYTES, help="largest mutant in bytes (default 8 MiB; "
                    "the long run of the measurement files uses 64 MiB - 1, the importers' limit)")
    ap.add_argument("--log", default=None, help="append one JSON line per mutant to this file (index, mutation, "
                    "check/run CPU and peak RSS, findings): a long run stopped early still has its figures, and "
                    "--summarize recomputes them")
    ap.add_argument("--summarize", default=None, metavar="LOG", help="print the figures of a --log file (any number "
                    "of runs appended to it) and exit")
    ap.add_argument("--self-test", action="store_true", help="check that the oracle flags each kind of finding on "
                    "made-up outcomes (and nothing on a clean one), then exit")
    args = ap.parse_args()
    globals()["MAX_MUTANT_BYTES"] = args.max_bytes
    if args.self_test:
        return self_test(args)
    if args.summarize:
        return summarize(args.summarize, args)

    if args.binary is None:
        for candidate in [".build/release/headroom", ".build/debug/headroom"]:
            if os.access(os.path.join(ROOT, candidate), os.X_OK):
                args.binary = os.path.join(ROOT, candidate)
                break
    if not args.binary or not os.access(args.binary, os.X_OK):
        print("fuzz.py: no headroom binary; build it (swift build) or pass --binary", file=sys.stderr)
        return 2
    args.binary = os.path.abspath(args.binary)
    corpus = seeds(args.corpus)

    if args.only is not None:
        source, kinds, text = make_mutant(args.seed, args.only, corpus, args.corpus)
        sys.stdout.buffer.write(b"# mutant %d of seed %d: %s by %s\n" % (args.only, args.seed, source.encode(), kinds.encode()))
        sys.stdout.buffer.write(text[:4000] + (b"\n...\n" if len(text) > 4000 else b"\n"))
        args.count, args.start = 1, args.only

    import threading
    lock = threading.Lock()
    tally = Tally()
    workdir = tempfile.mkdtemp(prefix="headroom-fuzz-")
    if args.corpus != "models":
        shutil.copytree(os.path.join(ROOT, "models"), os.path.join(workdir, "models"))
    started = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            indices = ([int(x) for x in args.indices.split(",")] if args.indices
                       else range(args.start, args.start + args.count))
            futures = [pool.submit(fuzz_one, args, corpus, i, workdir, tally, lock) for i in indices]
            for n, f in enumerate(futures, 1):
                f.result()
                if not args.quiet and sys.stderr.isatty():
                    c = tally.counts
                    sys.stderr.write("\r%d/%d mutants, %d crashes, %d slow, %d big, %d unlocated  " % (
                        n, args.count, c["crashes"], c["slow_checks"] + c["slow_runs"], c["big_checks"] + c["big_runs"],
                        c["unlocated"]))
        if not args.quiet and sys.stderr.isatty():
            sys.stderr.write("\n")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.monotonic() - started

    c = tally.counts
    print("fuzz: %s, seed %d, mutants %d..%d, %s, %.0f s wall, %d jobs" % (
        args.corpus, args.seed, args.start, args.start + args.count - 1, os.path.relpath(args.binary, ROOT), elapsed, args.jobs))
    print("  checks: %d (%d accepted, %d rejected with errors); short runs: %d" % (
        c["checks"], c["checks_ok"], c["checks_rejected"], c["runs"]))
    print("  crashes: %d   checks past %.0f s CPU: %d   checks past %.0f MB: %d   unlocated errors: %d" % (
        c["crashes"], args.run_seconds if args.corpus == "claims" else args.check_seconds, c["slow_checks"],
        args.check_megabytes, c["big_checks"], c["unlocated"]))
    print("  runs past %.0f s CPU: %d   runs past %.0f MB: %d   killed at the wall-clock limit: %d   import pool fragments check refuses: %d   runs refusing a checked model: %d" % (
        args.run_seconds, c["slow_runs"], args.check_megabytes, c["big_runs"], c["timeouts"], c["roundtrips"], c["refused_runs"]))
    print("  check CPU s: median %.3f, p99 %.3f, max %.3f; check peak RSS MB: median %.0f, p99 %.0f, max %.0f" % (
        percentile(tally.check_cpu, 0.5), percentile(tally.check_cpu, 0.99), max(tally.check_cpu or [0]),
        percentile(tally.check_rss, 0.5) / 2**20, percentile(tally.check_rss, 0.99) / 2**20,
        max(tally.check_rss or [0]) / 2**20))
    if tally.run_cpu:
        print("  run CPU s: median %.3f, max %.3f; run peak RSS MB: median %.0f, max %.0f" % (
            percentile(tally.run_cpu, 0.5), max(tally.run_cpu), percentile(tally.run_rss, 0.5) / 2**20,
            max(tally.run_rss) / 2**20))
    for (key, kind), n in sorted(tally.by_kind.items()):
        print("  %s after %s: %d" % (key, kind, n))
    for index, source, kinds, problems in sorted(tally.findings)[:20]:
        print("  mutant %d (%s, %s): %s" % (index, source, kinds, "; ".join("%s in %s %s" % (p[0], p[1], p[2]) for p in problems)))
        if args.only is not None:
            for p in problems:
                print(p[4])
    failed = (c["crashes"] + c["slow_checks"] + c["big_checks"] + c["unlocated"] + c["timeouts"] + c["slow_runs"] + c["big_runs"]
              + c["roundtrips"] + c["refused_runs"])
    if failed and args.out:
        print("  failing mutants written to %s/ (replay one: scripts/fuzz.py --seed %d --only INDEX)" % (args.out, args.seed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
