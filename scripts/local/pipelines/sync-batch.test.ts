import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { repositoryRoot } from '../../../functions/shared/assets';
import { useFreshDatabase } from '../../testing/stack';

/**
 * The runner imports the embedded stack (ESM-only packages), which jest's CommonJS
 * runtime cannot load, so it runs the way `npm run local` does: under tsx, in a
 * child process, against the test stack's database and S3 (startStack reuses them),
 * exiting when done as cli.ts does.
 */
const run = promisify(execFile);
const root = repositoryRoot();

async function runLocal(args: string[], env: Record<string, string> = {}) {
  const script = [
    "import { syncBatchPipeline } from './scripts/local/pipelines/sync-batch';",
    `syncBatchPipeline.run(${JSON.stringify(args)}).then((result) =>`,
    "  process.stdout.write(JSON.stringify(result.json) + '\\n' + JSON.stringify(result.text), () => process.exit(0)));",
  ].join('\n');
  const { stdout } = await run(join(root, 'node_modules/.bin/tsx'), ['-e', script], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...env,
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  // Powertools writes EMF metrics to stdout as well; the result is the last two lines.
  const lines = stdout.trim().split('\n');
  return {
    json: JSON.parse(lines.at(-2)!) as Record<string, unknown>,
    text: JSON.parse(lines.at(-1)!) as string,
  };
}

describe('npm run local -- sync-batch', () => {
  it('runs the handler against the built-in fake and returns the result JSON', async () => {
    const databaseUrl = await useFreshDatabase('sync_local');
    const { json, text } = await runLocal(['--channels', '2', '--videos-per-channel', '60', '--seed', '11']);
    expect(json).toMatchObject({ status: 'success', channels: 2, rows: { channels: 2, videos: 120 } });
    // 1 channels call + 2 × 2 pages + ceil(120/50) videos calls
    expect(json.quotaUnits).toBe(1 + 4 + 3);
    expect(text).toContain('minimum possible 8');

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM youtube_videos');
      expect(rows[0].n).toBe(120);
    } finally {
      await client.end();
    }
  });

  it('syncs only --channel-ids, reports unknown ones, and reports a rejected key as a failed run', async () => {
    await useFreshDatabase('sync_local');
    const unknown = await runLocal([
      '--channels',
      '1',
      '--videos-per-channel',
      '5',
      '--channel-ids',
      'UCunknown',
    ]);
    expect(unknown.json).toMatchObject({ status: 'partial', channels: 0, missingChannels: ['UCunknown'] });

    // An "external" server that rejects the key: the fake itself, started by the runner, is
    // not used once YOUTUBE_API_KEY is set, so point at a closed port to prove the override.
    const external = await runLocal(['--channel-ids', 'UCany'], {
      YOUTUBE_API_ROOT_URL: 'http://127.0.0.1:9/',
      YOUTUBE_API_KEY: 'k',
      YOUTUBE_MAX_ATTEMPTS: '2',
    });
    expect(external.json).toMatchObject({
      status: 'failed',
      error: { name: 'YouTubeUnavailableError' },
      quotaUnits: 2,
    });
  });
});
