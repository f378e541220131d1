import { readFile } from 'node:fs/promises';
import { assetPath } from '../../../functions/shared/assets';

/**
 * Renders a deployed ASL file the way Terraform's templatefile does, so the local
 * runner executes the very definition AWS runs, with ARNs of a local account.
 */
export const LOCAL_REGION = 'ap-northeast-1';
export const LOCAL_ACCOUNT = '000000000000';

export const localFunctionArn = (fn: string, environment: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn}-${environment}`;

export const localStateMachineArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

/** Fills `${name}` placeholders; a placeholder without a value is an error, as in Terraform. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  return template.replace(/\$\{([a-z_][a-z0-9_]*)\}/gi, (_, name: string) => {
    if (!(name in values)) throw new Error(`No value for template variable "${name}"`);
    return String(values[name]);
  });
}

/** Reads `functions/<file>` and returns the rendered definition as JSON. */
// Returns JSON as parsed (untyped): callers and tests read arbitrary ASL fields.
export async function renderAslFile(file: string, values: Record<string, string | number>) {
  return JSON.parse(renderTemplate(await readFile(assetPath(file), 'utf8'), values));
}
