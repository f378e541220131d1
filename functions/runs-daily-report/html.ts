import type { RunStatus } from '../shared/runs-ledger';
import { formatCounts, formatDuration, formatJst } from '../runs-stream-processor/format';
import type { DailyReport, DayStatus, ReportRun } from './report';

/**
 * The daily report as one self-contained HTML page (inline CSS, no scripts, no external
 * assets: it opens from S3, a presigned URL or a local file alike). Labels are Japanese and
 * English; a status is told by its colour, a symbol and its name, never by colour alone.
 * Everything from the ledger goes through `escapeHtml`.
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

interface StatusStyle {
  symbol: string;
  ja: string;
  en: string;
  background: string;
  color: string;
}

/** Colours with at least 4.5:1 contrast for their text. */
export const STATUS_STYLES: Record<DayStatus, StatusStyle> = {
  SUCCEEDED: { symbol: '✓', ja: '成功', en: 'Succeeded', background: '#1a7f37', color: '#ffffff' },
  PARTIAL: { symbol: '◐', ja: '一部失敗', en: 'Partial', background: '#f2c744', color: '#3b2e00' },
  FAILED: { symbol: '✗', ja: '失敗', en: 'Failed', background: '#c62828', color: '#ffffff' },
  TIMED_OUT: { symbol: '◷', ja: 'タイムアウト', en: 'Timed out', background: '#8e3a00', color: '#ffffff' },
  RUNNING: { symbol: '▶', ja: '実行中', en: 'Running', background: '#1f5fbf', color: '#ffffff' },
  NONE: { symbol: '–', ja: '実行なし', en: 'No runs', background: '#e6e8eb', color: '#3d434a' },
};

const STATUS_ORDER: readonly DayStatus[] = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'TIMED_OUT', 'RUNNING', 'NONE'];

const label = (ja: string, en: string) => `${escapeHtml(ja)} <span class="en">/ ${escapeHtml(en)}</span>`;

function badge(status: DayStatus, count?: number): string {
  const s = STATUS_STYLES[status];
  const n = count === undefined ? '' : ` <strong>${count}</strong>`;
  return `<span class="status s-${status.toLowerCase()}"><span aria-hidden="true">${s.symbol}</span> ${escapeHtml(s.en)} <span class="ja">${escapeHtml(s.ja)}</span>${n}</span>`;
}

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];
function dayHeading(date: string): string {
  const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()]!;
  return `${escapeHtml(date.slice(5))} <span class="wd">(${weekday})</span>`;
}

function link(url: string | undefined, text: string): string {
  // Only the https console URLs the report builds; anything else stays text.
  return url && /^https:\/\//.test(url) ? `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>` : '';
}

function latestRow(p: DailyReport['pipelines'][number]): string {
  const run = p.latest;
  const name = `<th scope="row"><span class="pipeline">${escapeHtml(p.pipeline)}</span><span class="summary">${escapeHtml(p.summary)}</span></th>`;
  if (!run)
    return `<tr data-pipeline="${escapeHtml(p.pipeline)}">${name}<td>${badge('NONE')}</td><td colspan="5" class="muted">—</td></tr>`;
  return `<tr data-pipeline="${escapeHtml(p.pipeline)}">${name}
<td>${badge(run.status)}</td>
<td>${escapeHtml(formatJst(run.startedAt))}</td>
<td>${run.durationMs === undefined ? '—' : escapeHtml(formatDuration(run.durationMs))}</td>
<td>${escapeHtml(formatCounts(run.counts))}</td>
<td>${escapeHtml(run.trigger)}</td>
<td><code class="id">${escapeHtml(run.runId)}</code> ${link(run.consoleUrl, 'console')}</td>
</tr>`;
}

function gridRow(p: DailyReport['pipelines'][number]): string {
  const cells = p.days
    .map((d) => {
      const s = STATUS_STYLES[d.status];
      const count = d.tally.runs ? `<span class="n">${d.tally.runs}</span>` : '';
      const title = `${d.date} ${s.en} / ${s.ja}${d.tally.runs ? ` (${d.tally.runs})` : ''}`;
      return `<td class="cell s-${d.status.toLowerCase()}" data-status="${d.status}" title="${escapeHtml(title)}"><span aria-hidden="true">${s.symbol}</span><span class="sr">${escapeHtml(s.en)}</span>${count}</td>`;
    })
    .join('');
  return `<tr data-pipeline="${escapeHtml(p.pipeline)}"><th scope="row">${escapeHtml(p.pipeline)}</th>${cells}</tr>`;
}

function failureItem(run: ReportRun): string {
  return `<li class="failure" data-pipeline="${escapeHtml(run.pipeline)}">
<div class="head">${badge(run.status)} <strong>${escapeHtml(run.pipeline)}</strong> <code class="id">${escapeHtml(run.runId)}</code></div>
<dl>
<dt>${label('エラー', 'Error')}</dt><dd>${run.error ? `<strong>${escapeHtml(run.error.name)}</strong>: ${escapeHtml(run.error.message)}` : '<span class="muted">—</span>'}</dd>
<dt>${label('開始 / 終了', 'Started / ended')}</dt><dd>${escapeHtml(formatJst(run.startedAt))} → ${run.endedAt ? escapeHtml(formatJst(run.endedAt)) : '—'}</dd>
<dt>${label('件数', 'Counts')}</dt><dd>${escapeHtml(formatCounts(run.counts))}</dd>
<dt>${label('ログ', 'Logs')}</dt><dd>${run.logsTail.map((cmd) => `<code class="cmd">${escapeHtml(cmd)}</code>`).join('')}</dd>
${run.consoleUrl ? `<dt>${label('コンソール', 'Console')}</dt><dd>${link(run.consoleUrl, run.consoleUrl)}</dd>` : ''}
${run.s3Keys?.length ? `<dt>S3</dt><dd>${run.s3Keys.map((k) => `<code>${escapeHtml(k)}</code>`).join(' ')}</dd>` : ''}
</dl>
</li>`;
}

const CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI","Hiragino Sans","Noto Sans CJK JP","Noto Sans JP",sans-serif;color:#1f2328;background:#f6f8fa}
body{margin:0;padding:24px;line-height:1.5}
main{max-width:1100px;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 4px}
h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
.en{color:#57606a;font-weight:normal}
.meta{color:#57606a;margin:0 0 12px}
.totals{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.totals .status{font-size:.95rem}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d0d7de}
th,td{padding:6px 10px;border-bottom:1px solid #d0d7de;text-align:left;vertical-align:top;font-size:.9rem}
thead th{background:#eaeef2;font-size:.8rem}
th[scope=row]{white-space:nowrap}
.pipeline{display:block;font-weight:600}
.summary{display:block;color:#57606a;font-weight:normal;font-size:.8rem;white-space:normal}
.status{display:inline-block;border-radius:12px;padding:1px 10px;white-space:nowrap;font-weight:600;font-size:.85rem}
.status .ja{font-weight:normal}
.grid td.cell{text-align:center;font-size:1rem;font-weight:700;min-width:64px;border:2px solid #fff}
.grid .n{font-size:.75rem;font-weight:normal;margin-left:4px}
.grid thead th{text-align:center}
.wd{font-weight:normal}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
${STATUS_ORDER.map((s) => `.s-${s.toLowerCase()}{background:${STATUS_STYLES[s].background};color:${STATUS_STYLES[s].color}}`).join('\n')}
.legend{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0 0;padding:0;list-style:none}
ul.failures{list-style:none;padding:0;margin:0}
li.failure{background:#fff;border:1px solid #d0d7de;border-left:6px solid #c62828;padding:10px 14px;margin:0 0 10px}
li.failure dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:8px 0 0}
li.failure dt{color:#57606a;font-size:.85rem}
li.failure dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.82rem}
code.cmd{display:block;background:#f6f8fa;border:1px solid #d0d7de;padding:2px 6px;margin:2px 0;overflow-wrap:anywhere}
code.id{color:#57606a}
.muted{color:#57606a}
a{color:#0a58ca}
footer{margin-top:28px;color:#57606a;font-size:.8rem}
`;

export function renderReportHtml(report: DailyReport): string {
  const totals = (['SUCCEEDED', 'PARTIAL', 'FAILED', 'TIMED_OUT', 'RUNNING'] as RunStatus[])
    .filter((s) => report.totals[s] > 0)
    .map((s) => badge(s, report.totals[s]))
    .join('');
  const days = report.pipelines[0]?.days ?? [];
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>パイプライン実行レポート / Pipeline runs ${escapeHtml(report.date)} (${escapeHtml(report.environment)})</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>パイプライン実行レポート <span class="en">/ Pipeline runs</span> — ${escapeHtml(report.date)} (JST)</h1>
<p class="meta">${label('環境', 'Environment')}: <strong>${escapeHtml(report.environment)}</strong> · ${label('作成', 'Generated')}: ${escapeHtml(formatJst(report.generatedAt))}</p>
<div class="totals" aria-label="totals">${report.totals.runs === 0 ? `<span class="muted">${label('この日の実行なし', 'No runs on this day')}</span>` : `<span>${label('実行数', 'Runs')}: <strong>${report.totals.runs}</strong></span>${totals}`}</div>

<h2>${label('直近の実行', 'Latest run')}</h2>
<table class="latest">
<thead><tr><th>${label('パイプライン', 'Pipeline')}</th><th>${label('状態', 'Status')}</th><th>${label('開始 (JST)', 'Started (JST)')}</th><th>${label('所要時間', 'Duration')}</th><th>${label('件数', 'Counts')}</th><th>${label('起動', 'Trigger')}</th><th>${label('実行 ID', 'Run ID')}</th></tr></thead>
<tbody>
${report.pipelines.map(latestRow).join('\n')}
</tbody>
</table>

<h2>${label(`過去${days.length}日間`, `Last ${days.length} days`)}</h2>
<table class="grid">
<thead><tr><th>${label('パイプライン', 'Pipeline')}</th>${days.map((d) => `<th scope="col">${dayHeading(d.date)}</th>`).join('')}</tr></thead>
<tbody>
${report.pipelines.map(gridRow).join('\n')}
</tbody>
</table>
<ul class="legend" aria-label="legend"><li><strong>${label('凡例', 'Legend')}:</strong></li>${STATUS_ORDER.map((s) => `<li>${badge(s)}</li>`).join('')}<li class="muted">${label('数字は実行回数、色はその日で最も悪い状態', 'number: runs; colour: the worst status of the day')}</li></ul>

<h2>${label('失敗した実行', 'Failures')} (${report.failures.length})</h2>
${report.failures.length ? `<ul class="failures">\n${report.failures.map(failureItem).join('\n')}\n</ul>` : `<p class="muted">${label('この日の失敗はありません', 'No failures on this day')}</p>`}

<footer>pipeline-runs-${escapeHtml(report.environment)} · ${escapeHtml(report.range.from)} – ${escapeHtml(report.range.to)} (UTC) · reports/${escapeHtml(report.date)}.json</footer>
</main>
</body>
</html>
`;
}
