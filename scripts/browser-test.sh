#!/usr/bin/env bash
# The HTML reports in a real browser. Headless Chromium (Debian's package, installed if missing)
# loads a report of every kind (a phased run, a sweep, a plan, a breakpoint, a claims file's verdicts) and this checks that
#   - the page logs nothing to the console: no script error, no load its security policy blocked
#     (a control page with a blocked load must be caught, or the check itself is broken);
#   - every chart (<svg class="chart">) in the DOM Chromium built has drawn marks, and the page
#     has every chart its kind should have;
#   - what a planner reads is readable: every point and whisker inside its plot (nothing below
#     zero), every reference line (SLO, 100 %) drawn and off the floor, every label inside the
#     chart, hatched heat-map cells keyed, and an overloaded sweep's seconds drawn off the scale
#     (markers at the edge) so its milliseconds stay readable;
#   - a screenshot of a chart of each kind, alone (report.html#id), is not blank (pixel spread, PIL).
# Called by scripts/test.sh; HEADROOM_BROWSER_TESTS=0 skips it.
#   scripts/browser-test.sh [--screenshots DIR]   shoots every chart, keeps cropped PNGs (docs/images/)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${HEADROOM_BROWSER_TESTS:-1}" = 0 ]; then
    echo "browser-test: skipped (HEADROOM_BROWSER_TESTS=0)"
    exit 0
fi
keep=""
if [ "${1:-}" = "--screenshots" ]; then
    keep=$(realpath -m "${2:?--screenshots DIR}")
    mkdir -p "$keep"
fi
start=$SECONDS

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
/usr/bin/python3 -c 'import PIL' >/dev/null 2>&1 || need+=(python3-pil)
if [ ${#need[@]} -gt 0 ]; then
    echo "browser-test: installing ${need[*]} from Debian's packages"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
py=/usr/bin/python3
headroom=${HEADROOM:-.build/debug/headroom}
[ -x "$headroom" ] || swift build --product headroom

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# One Chromium, headless, with a private profile; waited for by its PID (killed by the trap on failure).
browse() {
    timeout 90 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$work/profile" --enable-logging=stderr --v=0 "$@" </dev/null &
    local pid=$!
    pids+=("$pid")
    wait "$pid"
}

# The reports: short runs check drawing, not numbers; the screenshots for docs/ use the settings of
# README's tour (5 replications, 2-minute horizons).
reps=2 horizon=30s warmup=5s claims_horizon=10s
if [ -n "$keep" ]; then reps=5 horizon=2min warmup=20s claims_horizon=1min; fi
# One report command, its output kept; a failure says which and why. Exit status 1 (an SLO or a
# plan that fails) still writes the page.
report() {
    local name=$1; shift
    local rc=0
    "$headroom" "$@" >"$work/$name.out" 2>&1 || rc=$?
    if [ "$rc" -gt 1 ]; then
        echo "browser-test: FAIL: headroom $1 exited $rc:"
        tail -5 "$work/$name.out"
        exit 1
    fi
}
report run run models/examples/phases.yaml --replications "$reps" --html "$work/run.html"
report sweep sweep models/examples/two-tier.yaml --vary rate=100/s...200/s:25/s --vary pools.prisma.size=5,10 \
    --replications "$reps" --horizon "$horizon" --warmup "$warmup" --output-dir "$work/sweep" --html "$work/sweep.html"
report sweep-report report "$work/sweep"
cmp -s "$work/sweep.html" "$work/sweep/report.html" || { echo "browser-test: FAIL: headroom report DIR differs from sweep --html"; exit 1; }
report plan plan models/examples/two-tier.yaml --slo 'p95<250ms' --slo 'timeouts<1%' --vary database.cores=2,4,6,8 --vary pools.prisma.size=5,10,20 \
    --cost 'database.cores*50 + pools.prisma.size' --replications "$reps" --horizon "$horizon" --warmup "$warmup" \
    --html "$work/plan.html"
report breakpoint breakpoint models/examples/two-tier.yaml --slo 'p95<250ms' --vary rate --replications "$reps" \
    --horizon "$horizon" --warmup "$warmup" --format json --output "$work/breakpoint.json" --html "$work/breakpoint.html"
report breakpoint-report report "$work/breakpoint.json" -o "$work/breakpoint-report.html"
# An overloaded sweep (400/s is past the database's 215/s, a pool of 2 past its own): seconds beside
# milliseconds, whiskers from 2 replications reaching below zero. Its settings are fixed (the
# screenshots' too): with a 2-minute horizon every database request at 400/s ends in the 10 s
# acquire timeout, only cache hits succeed (p95 4 ms, outlined as mostly failed in the heat map),
# and no point is off the scale; at 30 s the queue is still growing and its seconds are drawn.
report overloaded sweep models/examples/two-tier.yaml --vary rate=100/s,200/s,400/s --vary pools.prisma.size=2,10 \
    --replications 2 --horizon 30s --warmup 5s --output-dir "$work/overloaded" --html "$work/overloaded.html"
cmp -s "$work/breakpoint.html" "$work/breakpoint-report.html" || { echo "browser-test: FAIL: headroom report FILE.json differs from breakpoint --html"; exit 1; }
report audit verify models/claims/vendor.claims.yaml --points 2 --replications "$reps" --horizon "$claims_horizon" \
    --format json --output "$work/audit.json" --html "$work/audit.html"
report audit-report report "$work/audit.json" -o "$work/audit-report.html"
echo "browser-test: reports written in $((SECONDS - start)) s"

cat > "$work/control.html" <<'EOF'
<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head>
<body><img src="http://example.invalid/blocked.png"><svg class="chart" data-kind="control"><rect class="mark"/></svg></body></html>
EOF

# The DOM Chromium dumped -> `chart ID KIND MARKS`, `shot ID HEIGHT` (a window as tall as the chart,
# for a screenshot of it alone) and `fail WHY` lines. Arguments: the dump, then the chart ids expected.
cat > "$work/dom.py" <<'EOF'
import html.parser, sys

def num(v, default=0.0):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default

class Charts(html.parser.HTMLParser):
    """Charts, their marks, and what the page promises about them: every mark inside the plot
    (nothing drawn below zero or off the edge), every reference (an SLO line) drawn and clear of
    the floor, every label inside the chart, a key for hatched empty heat-map cells."""
    def __init__(self):
        super().__init__()
        self.charts, self.depth, self.figure, self.text = [], 0, None, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "figure":
            self.figure = a.get("id")
        if tag == "svg" and "chart" in classes:
            box = (a.get("viewbox") or "0 0 0 0").split()
            plot = [num(v) for v in (a.get("data-plot") or "").split()]
            self.charts.append({"id": self.figure, "kind": a.get("data-kind"), "marks": 0, "height": float(box[3]),
                                "width": float(box[2]), "plot": plot if len(plot) == 4 else None,
                                "references": int(a.get("data-references") or 0), "drawn_references": 0,
                                "offscale": 0, "empty": 0, "empty_key": 0, "problems": []})
            self.depth = 1
        elif self.depth:
            c = self.charts[-1]
            if tag == "svg":
                self.depth += 1
            if "mark" in classes:
                c["marks"] += 1
            if "offscale" in classes:
                c["offscale"] += 1
            if "empty" in classes:
                c["empty"] += 1
            if "legend-empty" in classes:
                c["empty_key"] += 1
            plot = c["plot"]
            if plot:
                left, top, right, bottom = plot
                if tag == "circle" and "mark" in classes:
                    cy = num(a.get("cy"))
                    if cy < top - 1 or cy > bottom + 1:
                        c["problems"].append("a point at y=%g outside the plot [%g, %g]" % (cy, top, bottom))
                if tag == "line" and ("ci" in classes or "ci-clipped" in classes):
                    for y in (num(a.get("y1")), num(a.get("y2"))):
                        if y < top - 1 or y > bottom + 1:
                            c["problems"].append("a whisker reaching y=%g outside the plot [%g, %g] (below zero?)" % (y, top, bottom))
                if tag == "line" and "reference" in classes:
                    c["drawn_references"] += 1
                    y = num(a.get("y1"))
                    if bottom - y < 0.1 * (bottom - top):
                        c["problems"].append("a reference line on the floor of the plot (y=%g, plot %g..%g)" % (y, top, bottom))
            if tag == "text" and "rotate" not in (a.get("transform") or ""):
                self.text = (num(a.get("x")), num(a.get("font-size"), 12), a.get("text-anchor") or "start", "")
            if tag == "tspan" and self.text is not None and self.text[3]:
                # A wrapped label: each line is measured on its own (the widest counts).
                x, size, anchor, t = self.text
                self.text = (x, size, anchor, t + "\n")
    def handle_data(self, data):
        if self.text is not None:
            x, size, anchor, t = self.text
            self.text = (x, size, anchor, t + data)
    def handle_endtag(self, tag):
        if tag == "text" and self.text is not None and self.charts:
            x, size, anchor, t = self.text
            self.text = None
            # A label's width, generously estimated (0.55 em per character): it must fit the chart.
            w = max(len(line) for line in t.split("\n")) * size * 0.55
            lo = x if anchor == "start" else x - w / 2 if anchor == "middle" else x - w
            c = self.charts[-1]
            if lo < -1 or lo + w > c["width"] + 1:
                c["problems"].append("the label %r runs past the chart's edge (x %.0f..%.0f of %.0f)" % (t, lo, lo + w, c["width"]))
        if tag == "svg" and self.depth:
            self.depth -= 1

p = Charts()
p.feed(open(sys.argv[1], encoding="utf-8").read())
ids = {c["id"] for c in p.charts}
offscale_wanted = [w[len("offscale:"):] for w in sys.argv[2:] if w.startswith("offscale:")]
for c in p.charts:
    print("chart", c["id"], c["kind"], c["marks"])
    if c["marks"] == 0:
        print("fail", "chart #%s (%s) drew no marks" % (c["id"], c["kind"]))
    for why in c["problems"][:3]:
        print("fail", "chart #%s: %s" % (c["id"], why))
    if c["drawn_references"] < c["references"]:
        print("fail", "chart #%s: %d of its %d reference lines (SLO, 100%%) drawn" % (c["id"], c["drawn_references"], c["references"]))
    if c["empty"] and not c["empty_key"]:
        print("fail", "chart #%s: hatched cells without a key" % c["id"])
    if c["id"] in offscale_wanted and not c["offscale"]:
        print("fail", "chart #%s: an overloaded point should be drawn off the scale, at the edge" % c["id"])
    if c["id"]:
        print("shot", c["id"], int(c["height"] * 1004 / 1000 + 140), c["kind"])
for want in sys.argv[2:]:
    if want.startswith("offscale:"):
        continue
    if want not in ids:
        print("fail", "no chart #" + want)
if not p.charts:
    print("fail", "no chart at all")
EOF

# A screenshot -> `ok` or why it is blank; with a second argument, a copy cropped to the ink.
cat > "$work/png.py" <<'EOF'
import sys
from PIL import Image, ImageChops, ImageStat
img = Image.open(sys.argv[1]).convert("RGB")
grey = img.convert("L")
spread = ImageStat.Stat(grey).stddev[0]
inked = sum(grey.histogram()[:200]) / (img.width * img.height)
print("ok" if spread > 8 and inked > 0.005 else "blank (grey stddev %.1f, %.2f%% dark pixels)" % (spread, inked * 100))
if len(sys.argv) > 2:
    box = ImageChops.difference(img, Image.new("RGB", img.size, (255, 255, 255))).getbbox()
    if box:
        l, t, r, b = box
        img.crop((max(0, l - 16), max(0, t - 16), min(img.width, r + 16), min(img.height, b + 16))).save(sys.argv[2], optimize=True)
EOF

failures=0
fail() { echo "browser-test: FAIL: $*"; failures=$((failures + 1)); }

# Console messages of one page (any message: the pages have no script, so it is an error or a blocked load).
console() {
    browse --dump-dom "file://$1" >"$1.dom" 2>"$1.log" || { echo "Chromium failed on $1"; return; }
    grep -E "CONSOLE" "$1.log" || true
}

[ -n "$(console "$work/control.html")" ] || fail "the control page's blocked load was not reported: the console check is broken"

declare -A expected=(
    [run]="latency throughput utilization pool-waits timeline-load timeline-latency timeline-pools latency-vs-load"
    [sweep]="sweep-latency sweep-throughput sweep-utilization sweep-pool-waits heatmap"
    [overloaded]="sweep-latency sweep-throughput sweep-utilization heatmap offscale:sweep-latency"
    [plan]="frontier-1 plan-grid"
    [breakpoint]="breakpoint-1 breakpoint-throughput breakpoint-utilization breakpoint-saturation"
    [audit]="audit-vendor region-vendor.p95 region-vendor.throughput region-vendor.capacity region-vendor.peak.p95"
    [audit-report]="audit-vendor region-vendor.p95 region-vendor.throughput region-vendor.capacity region-vendor.peak.p95"
)
charts=0
shots=0
declare -A shot_kinds=()
for page in run sweep overloaded plan breakpoint audit audit-report; do
    file="$work/$page.html"
    messages=$(console "$file")
    [ -z "$messages" ] || fail "$page.html logged to the console: $messages"
    # shellcheck disable=SC2086
    "$py" "$work/dom.py" "$file.dom" ${expected[$page]} >"$file.charts"
    echo "browser-test: $page.html: $(awk '$1 == "chart" {printf "%s:%s:%s ", $2, $3, $4}' "$file.charts")"
    while read -r why; do fail "$page.html: $why"; done < <(awk '$1 == "fail" {$1 = ""; print substr($0, 2)}' "$file.charts")
    charts=$((charts + $(grep -c '^chart ' "$file.charts" || true)))
    [ "$page" = audit-report ] && continue # the same chart as audit.html, from the JSON file
    # A chart alone, in a window as tall as the chart: not blank. One chart per kind (all with --screenshots).
    while read -r id height kind; do
        if [ -z "$keep" ]; then
            [ -z "${shot_kinds[$kind]:-}" ] || continue
            shot_kinds[$kind]=1
        fi
        png="$work/$page-$id.png"
        name=$id; [ "$page" = overloaded ] && name="overloaded-$id"
        browse --screenshot="$png" --window-size=1280,"$height" "file://$file#$id" >/dev/null 2>&1 || { fail "$page.html#$id: no screenshot"; continue; }
        shots=$((shots + 1))
        verdict=$("$py" "$work/png.py" "$png" ${keep:+"$keep/$name.png"})
        [ "$verdict" = ok ] || fail "$page.html#$id screenshot is $verdict"
    done < <(awk '$1 == "shot" {print $2, $3, $4}' "$file.charts")
done

if [ "$failures" -gt 0 ]; then
    echo "browser-test: $failures failure(s)"
    exit 1
fi
echo "browser-test: ok: $charts charts with marks, $shots screenshots non-blank, no console messages ($((SECONDS - start)) s)"
