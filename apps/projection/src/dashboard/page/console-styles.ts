/**
 * The console's styles (issue 22): its pages, the history log, search, rates and sparklines,
 * appended to the dashboard's stylesheet. Every table scrolls inside its card, never the page,
 * so the page fits 390 px.
 */
export const CONSOLE_CSS = `
.nav { display: flex; gap: 12px; font-weight: 600; font-size: 14px; }
.nav a { text-decoration: none; }
.search { display: flex; gap: 6px; flex: 1 1 260px; max-width: 420px; min-width: 0; }
.search input, .history-filter input {
  font: inherit; font-size: 14px; color: var(--text); background: var(--panel-2);
  border: 1px solid var(--line); border-radius: 8px; padding: 5px 10px; min-width: 0; flex: 1 1 auto;
}
.search button, .history-filter button {
  font: inherit; font-size: 14px; color: var(--text); background: var(--panel-2);
  border: 1px solid var(--accent); border-radius: 8px; padding: 5px 12px; cursor: pointer;
}
.console { display: flex; flex-direction: column; gap: 18px; }
.page { max-width: 1400px; }
.page-head { display: flex; align-items: baseline; flex-wrap: wrap; gap: 6px 16px; margin-bottom: 10px; }
.page-head h2 { margin: 0; font-size: 22px; overflow-wrap: anywhere; }
.page-kind { color: var(--muted); font-size: 14px; text-transform: uppercase; letter-spacing: 0.08em; margin-right: 4px; }
.back { font-size: 13px; }
.page-history { font-size: 13px; margin-left: auto; }
.page-link { text-decoration: none; }
.page-link:hover { text-decoration: underline; }
.scroll { overflow-x: auto; max-width: 100%; }
.facts {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 8px 18px;
  margin: 0 0 6px;
}
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.06em; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.digest { font-size: 12px; }
.held { margin: 8px 0; }
.bonds { margin: 0; padding-left: 18px; }
.history-filter { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin: 0 0 12px; }
.history-filter label { display: flex; gap: 6px; align-items: center; color: var(--muted); font-size: 13px; flex: 1 1 180px; min-width: 0; }
table.history td.objects { min-width: 12em; }
.objects .page-link, .objects .mono { margin-right: 6px; white-space: nowrap; }
.diff { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.diff-object { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; background: var(--panel-2); }
.diff-fields { margin: 6px 0 0; padding-left: 18px; font-size: 13.5px; }
.diff-fields li { overflow-wrap: anywhere; }
.diff-fields .field { color: var(--accent); margin-right: 8px; }
.diff-fields .from { color: var(--bad); }
.diff-fields .to { color: var(--ok); }
.event-data { margin-top: 12px; }
.event-data pre { overflow-x: auto; max-width: 100%; background: var(--panel-2); padding: 8px; border-radius: 6px; }
.hits { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.hits li { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
table.rates th, table.rates td { padding: 6px 6px; }
table.rates .rate { color: var(--text); }
.trend { color: var(--accent); padding-top: 4px; padding-bottom: 2px; }
.spark { display: block; }
.measuring { font-style: italic; }
.fabric-figure { margin: 0; }
.fabric-scroll { overflow: auto; max-width: 100%; max-height: 70vh; border: 1px solid var(--line); border-radius: 8px; }
table.fabric { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 13.5px; }
.fabric th, .fabric td { vertical-align: top; text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); border-right: 1px solid var(--line); background: var(--panel); min-width: 11em; }
.fabric thead th { position: sticky; top: 0; z-index: 1; }
.fabric .fabric-host, .fabric .fabric-corner { position: sticky; left: 0; z-index: 2; min-width: 8.5em; }
.fabric thead .fabric-corner { z-index: 3; color: var(--muted); font-size: 12px; font-weight: 400; }
.fabric td.missing, .fabric td.idle { background: var(--panel-2); }
.fabric .fabric-sub, .fabric .fabric-uplink { display: block; }
.fabric-sub { color: var(--muted); font-size: 12px; font-weight: 400; }
.fabric-uplink { font-weight: 600; }
.fabric-tunnels { list-style: none; margin: 4px 0 0; padding: 0; display: flex; flex-direction: column; gap: 2px; }
.fabric-tunnel { border-left: 4px solid var(--idle); padding-left: 6px; white-space: nowrap; }
.fabric-tunnel .tunnel-state { font-size: 12px; font-weight: 600; }
.fabric-tunnel.up { border-color: var(--ok); } .fabric-tunnel.up .tunnel-state { color: var(--ok); }
.fabric-tunnel.down, .fabric-tunnel.unreachable { border-color: var(--bad); border-left-style: dashed; }
.fabric-tunnel.down .tunnel-state, .fabric-tunnel.unreachable .tunnel-state { color: var(--bad); }
.fabric-tunnel.converging { border-color: var(--warn); } .fabric-tunnel.converging .tunnel-state { color: var(--warn); }
.fabric-figure figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
@media (max-width: 640px) { .fabric th, .fabric td { min-width: 9em; } .fabric .fabric-host, .fabric .fabric-corner { min-width: 6.5em; } }
.more-history { margin-top: 10px; }
@media (max-width: 640px) {
  .nav { order: 3; }
  .search { flex: 1 1 100%; max-width: none; }
  .page-head h2 { font-size: 19px; }
  .facts { grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
}
`;
