/**
 * Keeps stdout for the command's result (one JSON document, a summary table): every
 * other write (Powertools logs, library chatter) is sent to stderr from now on.
 * Returns the only writer that still reaches stdout.
 */
export function reserveStdout(): (text: string) => void {
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) =>
    (process.stderr.write as (...a: unknown[]) => boolean)(chunk, ...rest)) as typeof process.stdout.write;
  // Powertools Logger and console hold their own references to the stream's write.
  console.log = (...args: unknown[]) => console.error(...args);
  console.info = (...args: unknown[]) => console.error(...args);
  return (text: string) => {
    realWrite(text);
  };
}
