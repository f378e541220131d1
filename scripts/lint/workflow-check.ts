/**
 * Offline checks of one GitHub Actions workflow: @action-validator/core (schema of
 * workflows, globs, job references) and full-SHA pinning of every third-party action.
 */
import { validateWorkflow, type ValidationError } from '@action-validator/core';

export function describeError(e: ValidationError): string {
  const where =
    'path' in e && e.path
      ? ` at ${e.path}`
      : 'location' in e && e.location
        ? ` at line ${e.location.line}`
        : '';
  return `${e.title}${where}${e.detail ? `: ${e.detail}` : ''}`;
}

/** `uses:` references not pinned to a 40-hex commit SHA (local ./ and docker:// excepted). */
export function unpinnedActions(source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    const m = /^\s*(?:-\s*)?uses:\s*["']?([^"'\s#]+)/.exec(line);
    const ref = m?.[1];
    if (!ref || ref.startsWith('./') || ref.startsWith('docker://')) return;
    if (!/@[0-9a-f]{40}$/.test(ref)) out.push(`line ${i + 1}: ${ref} is not pinned to a full commit SHA`);
  });
  return out;
}

/** Every problem of a workflow source; empty when valid. */
export function checkWorkflow(source: string): string[] {
  const state = validateWorkflow(source);
  return [...state.errors.map(describeError), ...unpinnedActions(source)];
}
