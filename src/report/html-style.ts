// The stylesheet and the one small script of report.html, inlined: the file
// must open anywhere with no network. Colours are the Okabe–Ito palette
// (readable with the common colour-vision deficiencies); every status also has
// its mark and word (✓ passed, ✗ failed, ⚠ warning, – skipped).
// https://jfly.uni-koeln.de/color/

export const CSS = `
:root {
  --bg: #f5f6f8; --card: #ffffff; --text: #1d2127; --muted: #5b6470; --border: #d8dde3; --soft: #eef1f4;
  --pass: #00704f; --pass-bg: #e3f3ec; --fail: #b83d00; --fail-bg: #fbe9df; --warn: #8a5800; --warn-bg: #fdf1d6;
  --skip: #5b6470; --skip-bg: #eceef1; --up: #0072b2; --down: #e69f00; --add-bg: #e1eefa; --del-bg: #fbe6d8;
  --link: #0062a3;
  --mono: ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Liberation Sans", "DejaVu Sans", Arial, sans-serif;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15181c; --card: #1d2126; --text: #e4e7eb; --muted: #9aa4af; --border: #353b43; --soft: #262b31;
    --pass: #4fd1a5; --pass-bg: #123328; --fail: #ff9b66; --fail-bg: #3a2114; --warn: #f0c45a; --warn-bg: #3a2e12;
    --skip: #9aa4af; --skip-bg: #2a2f36; --up: #56b4e9; --down: #e69f00; --add-bg: #14304a; --del-bg: #3d2410; --link: #7cc4f5;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0; color: var(--text); font: 15px/1.55 var(--sans); -webkit-font-smoothing: antialiased; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 28px 64px; }
h1 { font-size: 26px; margin: 0; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 22px 0 8px; }
h3.first { margin-top: 0; }
p { margin: 6px 0 12px; }
a { color: var(--link); }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
code { background: var(--soft); padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
pre { margin: 8px 0; padding: 10px 12px; background: var(--soft); border-radius: 6px; overflow-x: auto; line-height: 1.45; }
.muted { color: var(--muted); }
.small { font-size: 13px; }
header.top { display: flex; gap: 20px; align-items: flex-start; justify-content: space-between; flex-wrap: wrap; margin-bottom: 18px; }
.brand { font-size: 13px; color: var(--muted); letter-spacing: .06em; text-transform: uppercase; font-weight: 600; }
.verdict { display: flex; gap: 16px; align-items: center; padding: 18px 22px; border-radius: 10px; border: 1px solid var(--border); background: var(--card); margin: 14px 0 18px; border-left-width: 6px; }
.verdict.fail { border-left-color: var(--fail); }
.verdict.pass, .verdict.warn { border-left-color: var(--pass); }
.verdict .big { font-size: 30px; font-weight: 700; width: 50px; height: 50px; border-radius: 50%; display: grid; place-items: center; flex: none; }
.verdict.fail .big { background: var(--fail-bg); color: var(--fail); }
.verdict.pass .big, .verdict.warn .big { background: var(--pass-bg); color: var(--pass); }
.verdict .line { font-size: 20px; font-weight: 600; }
.chips { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.chip { display: inline-flex; gap: 5px; align-items: center; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 500; background: var(--soft); white-space: nowrap; }
.s-pass { color: var(--pass); } .s-fail { color: var(--fail); } .s-warn { color: var(--warn); } .s-skip { color: var(--skip); }
.chip .age { font-weight: 400; opacity: .8; } .stale { color: var(--warn); }
.chip.s-pass { background: var(--pass-bg); } .chip.s-fail { background: var(--fail-bg); } .chip.s-warn { background: var(--warn-bg); } .chip.s-skip { background: var(--skip-bg); }
.meta { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 14px; margin-bottom: 8px; }
.meta .card { margin: 0; }
nav.toc { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 14px; margin: 4px 0 20px; padding: 0 2px; }
nav.toc a { text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
section.card, .card { background: var(--card); border: 1px solid var(--border); border-radius: 10px; padding: 18px 22px; margin: 0 0 18px; }
.lead { color: var(--muted); margin: 0 0 12px; font-size: 14px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:hover { background: var(--soft); }
.table-wrap { overflow-x: auto; }
.matrix td:first-child { font-weight: 600; white-space: nowrap; }
.matrix td.cell { white-space: nowrap; font-size: 14px; }
.matrix tr.group-start td { border-top: 2px solid var(--border); }
.status { white-space: nowrap; font-weight: 600; font-size: 13.5px; }
.failure { border-left: 4px solid var(--fail); padding: 4px 0 4px 14px; margin: 14px 0 18px; }
.failure .title { font-weight: 600; }
.failure .msg { margin: 4px 0; overflow-wrap: anywhere; }
.diff { padding: 8px 0; }
.diff span { display: block; padding: 0 12px; white-space: pre; }
.diff .d-add { background: var(--add-bg); }
.diff .d-del { background: var(--del-bg); }
.diff .d-hunk { color: var(--up); }
.diff .d-file { color: var(--muted); font-weight: 600; }
svg.chart { width: 100%; height: auto; display: block; margin: 6px 0 8px; font-family: var(--sans); }
svg.chart text { fill: var(--text); }
svg.chart .mig { font-family: var(--mono); }
svg.chart .tgt, svg.chart .tick, svg.chart .note { fill: var(--muted); }
svg.chart .note { font-style: italic; }
svg.chart .value { font-size: 11px; fill: var(--muted); }
svg.chart .grid { stroke: var(--border); stroke-width: 1; }
svg.chart .band { fill: var(--soft); opacity: .55; }
svg.chart .bar-up, .legend-up { fill: var(--up); }
svg.chart .bar-down, .legend-down { fill: var(--down); }
svg.chart .fail-text { fill: var(--fail); font-weight: 600; }
svg.chart .warn-text { fill: var(--warn); font-weight: 600; }
details { margin: 6px 0; }
details > summary { cursor: pointer; font-size: 14px; }
details > summary::marker { color: var(--link); }
details[open] > summary { margin-bottom: 6px; }
.declared { border-left: 4px solid var(--warn); padding: 2px 0 2px 14px; margin: 10px 0; }
ul.tight { margin: 4px 0; padding-left: 20px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 18px; align-items: center; margin: 0 0 12px; font-size: 14px; }
.filters input[type=search] { font: inherit; padding: 5px 10px; border: 1px solid var(--border); border-radius: 6px; min-width: 260px; background: var(--card); color: var(--text); }
.filters select { font: inherit; padding: 4px 8px; border: 1px solid var(--border); border-radius: 6px; background: var(--card); color: var(--text); }
.filters label { display: inline-flex; gap: 5px; align-items: center; }
#results td.msg { overflow-wrap: anywhere; width: 50%; }
#results td.mig { overflow-wrap: anywhere; min-width: 170px; max-width: 260px; }
#results td { font-size: 13.5px; }
#results tr[hidden] { display: none; }
.lock-table td.locks { min-width: 300px; }
.lock { display: block; font-family: var(--mono); font-size: 12px; white-space: nowrap; }
table.lint td:nth-child(1) { width: 1%; }
table.lint td:nth-child(2) { width: 34%; }
.where { overflow-wrap: anywhere; }
pre.stmt { white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 2px; padding: 6px 10px; font-size: 12px; max-height: 14em; overflow-y: auto; }
footer { color: var(--muted); font-size: 13px; margin-top: 24px; }
@media print { nav.toc, .filters { display: none; } section.card { break-inside: avoid-page; } }
`;

/**
 * The results filter. Runs only with JS on; the controls are `hidden` until
 * it does, so with JS off the page shows every row and no dead controls.
 */
export const SCRIPT = `(function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.hidden = false;
  var rows = Array.prototype.slice.call(document.querySelectorAll("#results tbody tr"));
  var search = form.querySelector("input[type=search]");
  var command = form.querySelector("select");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var shown = document.getElementById("shown");
  function apply() {
    var q = search.value.trim().toLowerCase();
    var wanted = {};
    boxes.forEach(function (b) { wanted[b.value] = b.checked; });
    var n = 0;
    rows.forEach(function (r) {
      var ok = wanted[r.getAttribute("data-status")] && (!command.value || r.getAttribute("data-command") === command.value) &&
        (!q || r.textContent.toLowerCase().indexOf(q) !== -1);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " shown";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();`;
