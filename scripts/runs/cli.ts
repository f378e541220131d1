/**
 * Entry point of `npm run runs -- <command>` (the commands are in commands.ts). stdout
 * carries only the result (a table, a URL, or with --json the API's JSON); the SDK's and
 * the in-process API's chatter goes to stderr.
 */
import { reserveStdout } from '../local/io';
import { runRuns } from './commands';

const print = reserveStdout();
void runRuns(process.argv.slice(2), { stdout: print, stderr: (text) => process.stderr.write(text) }).then(
  (code) => {
    // Exit once stdout has drained, so a piped JSON document is never cut short.
    process.stdout.write('', () => process.exit(code));
  },
);
