import { escapeHtml, page, table } from './html.ts';

export interface DashboardTrial {
  id: string;
  network: string;
  modality: string;
  fold: number;
  status: string;
  /** 0..1 */
  progress: number;
}

export interface DashboardExperiment {
  id: string;
  name: string;
  status: string;
  createdAt: string;
  trials: DashboardTrial[];
}

/**
 * The live dashboard: every experiment with its status, one progress bar per trial, and a link to
 * its report. Server-rendered; a small script re-fetches the page every few seconds while anything
 * runs and swaps the content in place (no external resources, no CDN).
 */
export function renderDashboard(
  experiments: DashboardExperiment[],
  options: { refreshMs?: number } = {},
): string {
  const running = experiments.some(
    (e) => e.status === 'RUNNING' || e.status === 'QUEUED' || e.status === 'PLANNED',
  );
  const sections = experiments.map((e) => {
    const done = e.trials.filter((t) => t.status === 'SUCCEEDED').length;
    const rows = e.trials.map((t) => [
      escapeHtml(t.network),
      escapeHtml(t.modality),
      String(t.fold),
      `<span class="status-${escapeHtml(t.status)}">${escapeHtml(t.status)}</span>`,
      `<div class="bar" data-trial="${escapeHtml(t.id)}" data-progress="${t.progress.toFixed(3)}"><span style="width:${(100 * Math.min(1, Math.max(0, t.progress))).toFixed(1)}%"></span></div>`,
    ]);
    return `<section class="experiment" data-experiment="${escapeHtml(e.id)}"><h2>${escapeHtml(e.name)} <span class="status-${escapeHtml(e.status)}">${escapeHtml(e.status)}</span></h2>
<p class="muted">${escapeHtml(e.id)} · created ${escapeHtml(e.createdAt)} · ${done}/${e.trials.length} trials done · <a href="/experiments/${encodeURIComponent(e.id)}/report">report</a> · <a href="/experiments/${encodeURIComponent(e.id)}/results">results (JSON)</a></p>
${table(['network', 'modality', 'fold', 'status', 'progress'], rows)}</section>`;
  });
  const body =
    sections.length === 0
      ? '<section><p>No experiments yet. Submit one with <code>spottune experiment submit</code> or <code>POST /experiments</code>.</p></section>'
      : sections.join('');
  const refresh = options.refreshMs ?? 5000;
  // Re-fetch while something is still running; same-origin request carries the session cookie.
  const script = running
    ? `setInterval(async()=>{try{const r=await fetch(location.href,{credentials:'same-origin'});if(!r.ok)return;const d=new DOMParser().parseFromString(await r.text(),'text/html');document.querySelector('main').replaceWith(d.querySelector('main'));}catch(e){console.warn('refresh failed',e)}},${refresh});`
    : '';
  return page('spottune', `${experiments.length} experiments`, `<div id="dashboard">${body}</div>`, script);
}
