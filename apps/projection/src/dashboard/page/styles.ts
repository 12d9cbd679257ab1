/**
 * The dashboard's stylesheet. Served from memory like the page (the image ships `dist/` only,
 * and tsc copies no .css). Dark by default for a wall screen, light on request or by system
 * preference; state colours never carry meaning alone (every pill also says its state).
 */
export const DASHBOARD_CSS = `
:root {
  --bg: #0b1017;
  --panel: #121a24;
  --panel-2: #0e151e;
  --line: #223041;
  --text: #dbe4ee;
  --muted: #8696a8;
  --accent: #58a6ff;
  --ok: #3fb950;
  --ok-bg: rgba(63, 185, 80, 0.14);
  --warn: #e3b341;
  --warn-bg: rgba(227, 179, 65, 0.15);
  --bad: #ff6b61;
  --bad-bg: rgba(255, 107, 97, 0.16);
  --idle: #6e7b8b;
  --idle-bg: rgba(110, 123, 139, 0.16);
  --fresh: rgba(88, 166, 255, 0.28);
  --chassis: linear-gradient(180deg, #19232f, #111821);
  --leds-bg: rgba(0, 0, 0, 0.3);
  --radius: 10px;
  --sans: system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif;
  --mono: ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', 'Liberation Mono', monospace;
  color-scheme: dark;
}
@media (prefers-color-scheme: light) {
  :root:not([data-theme='dark']) {
    --bg: #eef2f6; --panel: #ffffff; --panel-2: #f6f8fa; --line: #d5dde6; --text: #17212c;
    --muted: #5b6b7c; --accent: #0969da; --ok: #1a7f37; --ok-bg: rgba(26, 127, 55, 0.1);
    --warn: #9a6700; --warn-bg: rgba(191, 135, 0, 0.14); --bad: #cf222e;
    --bad-bg: rgba(207, 34, 46, 0.1); --idle: #6e7781; --idle-bg: rgba(110, 119, 129, 0.12);
    --fresh: rgba(9, 105, 218, 0.18); --chassis: linear-gradient(180deg, #f7f9fb, #e9eef3);
    --leds-bg: #2b3440;
    color-scheme: light;
  }
}
:root[data-theme='light'] {
  --bg: #eef2f6; --panel: #ffffff; --panel-2: #f6f8fa; --line: #d5dde6; --text: #17212c;
  --muted: #5b6b7c; --accent: #0969da; --ok: #1a7f37; --ok-bg: rgba(26, 127, 55, 0.1);
  --warn: #9a6700; --warn-bg: rgba(191, 135, 0, 0.14); --bad: #cf222e;
  --bad-bg: rgba(207, 34, 46, 0.1); --idle: #6e7781; --idle-bg: rgba(110, 119, 129, 0.12);
  --fresh: rgba(9, 105, 218, 0.18); --chassis: linear-gradient(180deg, #f7f9fb, #e9eef3);
  --leds-bg: #2b3440;
  color-scheme: light;
}

* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); }
body { font: 15px/1.45 var(--sans); font-variant-numeric: tabular-nums; min-height: 100vh; }
a { color: var(--accent); }
code, .mono { font-family: var(--mono); font-size: 0.92em; }
[hidden] { display: none !important; }
.sr-only {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
.skip { position: absolute; left: -999px; top: 8px; }
.skip:focus { left: 8px; z-index: 10; background: var(--panel); padding: 6px 10px; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }

/* Top bar */
.top {
  display: flex; align-items: center; flex-wrap: wrap; gap: 8px 20px; padding: 10px 24px;
  background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 5;
}
.brand { display: flex; align-items: center; gap: 10px; font-weight: 700; font-size: 20px; letter-spacing: 0.02em; }
.logo { width: 30px; height: 30px; color: var(--accent); }
.logo-led.a { fill: var(--ok); } .logo-led.b { fill: var(--warn); } .logo-led.c { fill: var(--accent); }
.picker { display: flex; align-items: center; gap: 8px; min-width: 0; max-width: 100%; }
.picker label { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: 0.08em; }
select, .theme {
  font: inherit; color: var(--text); background: var(--panel-2); border: 1px solid var(--line);
  border-radius: 8px; padding: 6px 10px;
}
select { min-width: 280px; max-width: 100%; font-weight: 600; }
.theme { margin-left: auto; cursor: pointer; font-size: 13px; }
.link {
  display: inline-flex; align-items: center; gap: 8px; padding: 4px 12px; border-radius: 999px;
  font-size: 13px; font-weight: 600; background: var(--idle-bg); color: var(--muted);
}
.link .dot { width: 10px; height: 10px; }
.link[data-state='live'] { background: var(--ok-bg); color: var(--ok); }
.link[data-state='live'] .dot { background: var(--ok); animation: pulse 2s ease-in-out infinite; }
.link[data-state='connecting'] .dot, .link[data-state='reconnecting'] .dot { background: var(--warn); }
.link[data-state='reconnecting'] { background: var(--warn-bg); color: var(--warn); }
.link[data-state='stopped'] { background: var(--bad-bg); color: var(--bad); }
.link[data-state='stopped'] .dot { background: var(--bad); }
.updated { color: var(--muted); font-size: 13px; }
.auth { display: flex; gap: 8px; align-items: center; font-size: 13px; color: var(--warn); }
.auth input, .auth button {
  font: inherit; color: var(--text); background: var(--panel-2); border: 1px solid var(--warn);
  border-radius: 6px; padding: 4px 8px;
}
.auth button { cursor: pointer; }
.error-text { color: var(--bad); font-size: 13px; }

main { padding: 18px 24px 8px; }

/* Tiles */
.summary { margin-bottom: 18px; }
.summary > .status:empty { display: none; }
.summary > .status { color: var(--bad); }
.tiles {
  list-style: none; margin: 0; padding: 0; display: grid; gap: 14px;
  grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
}
.tile {
  background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 12px 16px; display: flex; flex-direction: column; border-top: 4px solid var(--idle);
}
.tile.ok { border-top-color: var(--ok); }
.tile.warn { border-top-color: var(--warn); }
.tile.bad { border-top-color: var(--bad); background: linear-gradient(180deg, var(--bad-bg), var(--panel) 70%); }
.tile.info { border-top-color: var(--accent); }
.tile.stale { border-top-color: var(--idle); border-top-style: dashed; }
.tile.stale .tile-value { color: var(--muted); }
.tile-label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.08em; }
.tile-value { font-size: 34px; font-weight: 700; line-height: 1.15; }
.tile.bad .tile-value { color: var(--bad); }
.tile-detail { color: var(--muted); font-size: 13px; }

/* Cards */
.columns { display: grid; grid-template-columns: minmax(0, 4fr) minmax(0, 3fr); gap: 18px; align-items: start; }
@media (max-width: 1400px) { .columns { grid-template-columns: minmax(0, 1fr); } }
.column { display: flex; flex-direction: column; gap: 18px; min-width: 0; }
.card {
  background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 14px 18px 16px; min-width: 0;
}
.card > .body { overflow-x: auto; }
.card-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; margin-bottom: 10px; }
.card-head h2 { margin: 0; font-size: 18px; }
.hint { color: var(--muted); font-size: 13px; }
.status { font-size: 13px; color: var(--muted); margin-left: auto; }
.status.error { color: var(--bad); font-weight: 600; }
.no-pool { max-width: 720px; margin: 40px auto; }
.loading, .empty { color: var(--muted); margin: 6px 0; }
.ok-text { color: var(--ok); margin: 6px 0; }
.more { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.sub { color: var(--muted); font-size: 12.5px; }
.subhead { font-size: 14px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }

/* Tables */
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th {
  font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em;
  font-weight: 600; border-bottom-width: 2px;
}
tbody th { font-weight: 600; }
tbody tr:last-child > * { border-bottom: 0; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tr.bad > * { background: var(--bad-bg); }
tr.bad > th:first-child { box-shadow: inset 4px 0 0 var(--bad); }
tr.warn > th:first-child { box-shadow: inset 4px 0 0 var(--warn); }
.warn-text { color: var(--warn); font-weight: 600; }
.host-name { display: block; }
/* The host table fits its card at 1440 px with a host behind: lag seconds and report ages
   wrap under their number, and a long host address breaks rather than widening the card. */
table.hosts th, table.hosts td { padding: 6px 6px; }
table.hosts thead th { white-space: normal; }
table.hosts tbody th { min-width: 7.5em; }
table.hosts .lag .sub { display: block; }
.host .sub { display: block; }
.host .sub .mono { overflow-wrap: anywhere; }
.sub-label { font-size: 10.5px; text-transform: uppercase; letter-spacing: 0.05em; opacity: 0.85; white-space: nowrap; }
tr.stale > * { color: var(--muted); }
.stale-note {
  margin: 0 0 8px; padding: 6px 10px; border-radius: 6px; font-size: 13px;
  background: var(--idle-bg); color: var(--text); border-left: 4px dashed var(--idle);
}
.fresh { animation: fresh 2.4s ease-out 1; }

/* Pills, dots, badges */
.pill {
  display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 700;
  text-transform: lowercase; white-space: nowrap; background: var(--idle-bg); color: var(--idle);
}
.pill.ok, .pill.forwarding, .pill.running, .pill.completed, .pill.allow { background: var(--ok-bg); color: var(--ok); }
.pill.warn, .pill.pending, .pill.requested, .pill.prepared, .pill.activated { background: var(--warn-bg); color: var(--warn); }
.pill.bad, .pill.down, .pill.aborted, .pill.drop, .pill.reject, .pill.deny { background: var(--bad-bg); color: var(--bad); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--idle); margin: 0 5px 0 10px; vertical-align: middle; }
.dot.forwarding { background: var(--ok); } .dot.pending { background: var(--warn); } .dot.down { background: var(--bad); }
.badge, .tag {
  display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 6px;
  border: 1px solid var(--line); color: var(--muted); white-space: nowrap;
}
.badge { text-transform: uppercase; letter-spacing: 0.06em; font-weight: 700; }
.badge.kind-external { color: var(--accent); border-color: var(--accent); }
.badge.kind-private { color: var(--muted); }
.badge.kind-overlay { color: var(--ok); border-color: var(--ok); }
.badge.disabled { color: var(--warn); border-color: var(--warn); margin-left: 6px; }
.tag { font-family: var(--mono); }
.policy { display: inline-flex; flex-wrap: wrap; gap: 4px; }
.policy .tag { font-family: var(--sans); white-space: normal; }
.tag.policy-on { color: var(--accent); border-color: var(--accent); }
.tag.policy-off { opacity: 0.75; }
.tag.acl-deny { color: var(--bad); border-color: var(--bad); }

/* The switch */
.switch {
  display: flex; flex-direction: column; gap: 14px; padding: 14px; border-radius: 12px;
  background: var(--chassis); border: 1px solid var(--line);
  box-shadow: inset 0 1px 0 rgba(255, 255, 255, 0.04), 0 6px 18px rgba(0, 0, 0, 0.25);
}
.segment { background: var(--panel-2); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 8px; }
.segment-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.segment-head h3 { margin: 0 6px 0 0; font-size: 17px; }
.tally { margin-left: auto; font-size: 13px; color: var(--muted); }
.tally .dot:first-child { margin-left: 0; }
.uplinks { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; padding: 0; font-size: 13px; }
.uplinks.private { color: var(--muted); }
/* An overlay network's tunnel mesh: a drawing beside a table of its hosts */
.mesh { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; margin: 8px 0; }
.mesh-drawing { margin: 0; flex: 0 0 220px; font-size: 12px; color: var(--muted); }
.mesh-drawing svg { width: 220px; height: 220px; display: block; }
.mesh-hosts { flex: 1 1 320px; }
.tunnel { stroke-width: 2.5; }
.tunnel.up { stroke: var(--ok); }
.tunnel.down { stroke: var(--bad); stroke-dasharray: 6 4; }
.tunnel.converging { stroke: var(--warn); stroke-dasharray: 2 3; }
.tunnel.unknown { stroke: var(--idle); stroke-dasharray: 2 3; }
.mesh-node circle { fill: var(--panel); stroke: var(--ok); stroke-width: 2; }
.mesh-node.partial circle, .mesh-node.converging circle { stroke: var(--warn); }
.mesh-node.down circle { stroke: var(--bad); }
.mesh-node.unreported circle { stroke: var(--idle); }
.mesh-node text { fill: var(--text); font: 600 11px var(--sans); }
.pill.idle { background: var(--idle-bg); color: var(--idle); }
.missing, .bad-text { color: var(--bad); font-size: 13px; }
.uplink {
  display: inline-flex; gap: 6px; align-items: baseline; border: 1px solid var(--line);
  border-radius: 6px; padding: 2px 8px; background: var(--panel);
}
.uplink b { font-family: var(--mono); font-weight: 600; color: var(--accent); }
.uplink.missing { border-color: var(--bad); background: var(--bad-bg); }
.uplink.missing b { color: var(--bad); }
.uplink-host { color: var(--muted); }
.panel {
  list-style: none; display: flex; flex-wrap: wrap; gap: 4px; margin: 6px 0 8px; padding: 6px;
  border-radius: 6px; background: var(--leds-bg);
}
.led {
  width: 18px; height: 13px; border-radius: 3px; background: var(--idle);
  box-shadow: inset 0 -3px 0 rgba(0, 0, 0, 0.25);
}
.led.forwarding { background: var(--ok); box-shadow: 0 0 6px var(--ok), inset 0 -3px 0 rgba(0, 0, 0, 0.2); }
.led.pending { background: var(--warn); animation: blink 1s steps(2, start) infinite; }
.led.down { background: var(--bad); }
.led-more { color: var(--muted); font-size: 12px; }
table.ports td, table.ports th { padding: 4px 10px; }

/* VMs */
.vifs { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.vifs li { display: flex; gap: 10px; flex-wrap: wrap; align-items: baseline; }
.vifs .dot { margin: 0; }
.migrating { display: block; color: var(--warn); font-size: 13px; font-weight: 600; }

/* Migrations */
.migrations { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 10px; }
.migration { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; background: var(--panel-2); }
.migration.aborted { border-color: var(--bad); }
.migration.completed { opacity: 0.85; }
.migration-head { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.route { color: var(--muted); }
.steps { list-style: none; display: grid; grid-template-columns: repeat(4, 1fr); gap: 4px; margin: 8px 0 2px; padding: 0; }
.step {
  text-align: center; font-size: 12px; font-weight: 600; padding: 3px 4px; border-radius: 4px;
  background: var(--idle-bg); color: var(--muted); border-bottom: 3px solid transparent;
}
.step.done { background: var(--ok-bg); color: var(--ok); border-bottom-color: var(--ok); }
.step.current { background: var(--warn-bg); color: var(--warn); border-bottom-color: var(--warn); animation: pulse 1.4s ease-in-out infinite; }
.step.failed { background: var(--bad-bg); color: var(--bad); border-bottom-color: var(--bad); }
.step.skipped { opacity: 0.4; text-decoration: line-through; }
.reason { color: var(--bad); margin: 4px 0 0; font-size: 13px; }

/* Policy: default per network, security groups, address sets */
.defaults { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline; margin: 0 0 10px; }
.default { white-space: nowrap; }
.members, .group-rules { list-style: none; margin: 0; padding: 0; }
.group-rules li { display: flex; flex-wrap: wrap; gap: 4px 8px; align-items: baseline; }
.address-sets { margin: 0; padding-left: 18px; }
.address-sets li { margin: 2px 0; overflow-wrap: anywhere; }
.address-sets b { margin-right: 8px; }

/* Advice, mirrors */
.advice, .mirrors { margin: 0; padding-left: 18px; }
.mirror-problems { margin: 2px 0 4px; padding-left: 18px; color: var(--muted); font-size: 13px; }
.advice li { margin: 4px 0; }
.advice li::marker { color: var(--warn); }

.foot { color: var(--muted); font-size: 12.5px; padding: 8px 24px 18px; }

@keyframes pulse { 50% { opacity: 0.55; } }
@keyframes blink { to { opacity: 0.35; } }
@keyframes fresh { from { background: var(--fresh); } to { background: transparent; } }
@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation: none !important; }
}
/* Phones: the top bar stacks, the picker takes a line of its own, nothing is wider than it. */
@media (max-width: 640px) {
  .top { padding: 8px 12px; gap: 8px 12px; }
  .picker { flex: 1 1 100%; }
  select { min-width: 0; flex: 1 1 auto; }
  .theme { margin-left: 0; }
  main { padding: 12px 10px 8px; }
  .card { padding: 12px 12px 14px; }
  .switch { padding: 6px; }
  .segment { padding: 8px 8px 6px; }
  .tiles { grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 10px; }
  .tile-value { font-size: 26px; }
}
@media (min-width: 2200px) { body { font-size: 17px; } .tile-value { font-size: 42px; } }
`;
