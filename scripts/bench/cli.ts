/**
 * `npm run bench -- <name> [options]`. Benchmarks print ratios against a ceiling
 * measured in the same run on the same machine; they never fail a build on time.
 */
type Bench = { run(args: string[]): Promise<void> };

const benches: Record<string, () => Promise<Bench>> = {
  'cold-start': () => import('./cold-start'),
  'csv-processor': () => import('./csv-processor'),
  'sync-batch': () => import('./sync-batch'),
};

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const load = name ? benches[name] : undefined;
  if (!load) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join('|')}> [options]\n`);
    process.exit(2);
  }
  await (await load()).run(rest);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
