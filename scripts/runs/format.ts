import type { RunBody, RunPageBody, TriggerAcceptedBody } from '../../functions/runs-api/schemas';
import { jstIso } from '../../functions/shared/jst';
import { formatTable } from '../lib/table';

/**
 * What `npm run runs` prints for a person: the API's JSON as tables and lines. Times are
 * shown in JST (operators think in JST; the API's from/to take JST days), as
 * `2026-12-01 09:30:05`; --json gives the API's own UTC values.
 */
export function jstTime(iso: string | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return jstIso(at).slice(0, 19).replace('T', ' ');
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1_000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${pad(seconds % 60)}s`;
  return `${Math.floor(seconds / 3600)}h ${pad(Math.floor((seconds % 3600) / 60))}m`;
}

const count = (n: number | undefined) => (n === undefined ? '' : String(n));

/** One line, at most `max` characters: errors carry stack-like newlines and long causes. */
function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function runsTable(page: RunPageBody): string {
  if (page.runs.length === 0) return 'no runs match';
  const rows = page.runs.map((run) => [
    jstTime(run.startedAt),
    run.pipeline,
    run.runId,
    run.status,
    run.trigger,
    duration(run.durationMs),
    count(run.counts?.in),
    count(run.counts?.applied),
    count(run.counts?.failed),
    run.error ? oneLine(`${run.error.name}: ${run.error.message}`, 60) : '',
  ]);
  return formatTable(
    [
      'STARTED (JST)',
      'PIPELINE',
      'RUN ID',
      'STATUS',
      'TRIGGER',
      'DURATION',
      'IN',
      'APPLIED',
      'FAILED',
      'ERROR',
    ],
    rows,
    { align: 'left' },
  );
}

/** Every field of one run, one per line, the next things to look at last. */
export function runDetails(run: RunBody): string {
  const counts = Object.entries(run.counts ?? {})
    .filter(([, n]) => n !== undefined)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const rows: Array<[string, string | undefined]> = [
    ['pipeline', run.pipeline],
    ['run id', run.runId],
    ['status', run.status],
    ['trigger', run.trigger],
    ['started', `${jstTime(run.startedAt)} JST (${run.startedAt})`],
    ['ended', run.endedAt ? `${jstTime(run.endedAt)} JST (${run.endedAt})` : 'not yet'],
    ['duration', duration(run.durationMs) || undefined],
    ['counts', counts || undefined],
    ['error', run.error ? `${run.error.name}: ${run.error.message}` : undefined],
    ['execution', run.links.executionArn],
    ['request id', run.links.requestId],
    ['s3 keys', run.links.s3Keys?.join('\n') || undefined],
    ['log group', run.links.logGroup],
    ['logs', run.links.logsTail],
    ['console', run.links.console],
    ['updated', run.updatedAt],
  ];
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...present.map(([name]) => name.length));
  return present
    .map(([name, value]) =>
      value
        .split('\n')
        .map((line, i) => `${(i === 0 ? name : '').padEnd(width)}  ${line}`)
        .join('\n'),
    )
    .join('\n');
}

/** The accepted trigger, and the command that shows the run once the pipeline has started it. */
export function triggerAccepted(body: TriggerAcceptedBody, target: string): string {
  const from = new URL(body.poll, 'http://x').searchParams.get('from') ?? body.submittedAt;
  const head = [
    `${body.pipeline}: manual run requested (EventBridge event ${body.eventId}, Source ${body.source})`,
    `detail: ${JSON.stringify(body.detail)}`,
  ];
  // The local API has no EventBridge: it prints the event (and the local command) instead.
  if (body.eventId.startsWith('local-'))
    return [
      ...head,
      'locally the event is not delivered and nothing starts; the API printed how to run it',
    ].join('\n');
  return [
    ...head,
    'the run appears within seconds; follow it with:',
    `  npm run runs -- list --pipeline ${body.pipeline} --from ${from} ${target}`,
  ].join('\n');
}
