import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BEGIN_MARKER,
  END_MARKER,
  moduleDocs,
  renderModuleDocs,
  spliceDocs,
  staleReadmes,
} from './module-docs';

const modulesDir = path.resolve(__dirname, '..', '..', 'infrastructure', 'terraform', 'modules');

const VARIABLES = `
variable "name" {
  type        = string
  description = "Function folder; deployed as <name>-<environment>."
}

variable "vpc_config" {
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  description = "Private subnets | security groups."
  default     = null
}

variable "schedule_times_jst" {
  type        = list(string)
  description = "Daily run times."
  default     = ["00:00", "12:00"]
}

variable "tags" {
  type        = map(string)
  description = "Extra tags."
  default     = { Team = "data" }
}
`;

const OUTPUTS = `
output "function_name" {
  description = "Deployed name."
  value       = aws_lambda_function.this.function_name
}
`;

describe('module READMEs (repository)', () => {
  it('have inputs and outputs tables that match their variables and outputs (run `npm run docs:terraform`)', async () => {
    expect((await staleReadmes(modulesDir)).map((f) => path.relative(modulesDir, f))).toEqual([]);
  });

  it('cover every module, each with one generated section', async () => {
    const docs = await moduleDocs(modulesDir);
    expect(docs.map((d) => path.basename(d.dir))).toEqual(
      expect.arrayContaining(['lambda-function', 'postgres', 'state-machine', 'schedule', 'db-migration']),
    );
    for (const d of docs) expect(d.current.split(BEGIN_MARKER)).toHaveLength(2);
  });
});

describe('renderModuleDocs', () => {
  it('lists inputs with type, default (or required) and description, sorted by name', async () => {
    const section = await renderModuleDocs({ 'variables.tf': VARIABLES, 'outputs.tf': OUTPUTS });
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `name` | `string` | required | Function folder; deployed as &lt;name>-&lt;environment>. |',
      '| `schedule_times_jst` | `list(string)` | `["00:00", "12:00"]` | Daily run times. |',
      '| `tags` | `map(string)` | `{ Team = "data" }` | Extra tags. |',
      '| `vpc_config` | `object({ subnet_ids = list(string), security_group_ids = list(string) })` | `null` | Private subnets \\| security groups. |',
      '| `function_name` | Deployed name. |',
    ]);
    expect(section.startsWith(BEGIN_MARKER)).toBe(true);
    expect(section.endsWith(END_MARKER)).toBe(true);
  });

  it('says None for a module without inputs or outputs', async () => {
    const section = await renderModuleDocs({ 'main.tf': '' });
    expect(section).toContain('## Inputs\n\nNone.');
    expect(section).toContain('## Outputs\n\nNone.');
  });
});

describe('spliceDocs', () => {
  it('replaces only the generated section and keeps the hand-written text around it', () => {
    const readme = `# m\n\nIntro.\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\n## Tests\n\nText.\n`;
    expect(spliceDocs(readme, `${BEGIN_MARKER}\nnew\n${END_MARKER}`)).toBe(
      `# m\n\nIntro.\n\n${BEGIN_MARKER}\nnew\n${END_MARKER}\n\n## Tests\n\nText.\n`,
    );
  });

  it('appends the section to a README that has none', () => {
    expect(spliceDocs('# m\n\nIntro.\n', 'SECTION')).toBe('# m\n\nIntro.\n\nSECTION\n');
  });
});

describe('drift (planted module)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'module-docs-'));
    mkdirSync(path.join(dir, 'm'));
    writeFileSync(path.join(dir, 'm', 'variables.tf'), VARIABLES);
    writeFileSync(path.join(dir, 'm', 'outputs.tf'), OUTPUTS);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a README whose tables no longer match a changed variable, and not once regenerated', async () => {
    const readme = path.join(dir, 'm', 'README.md');
    writeFileSync(
      readme,
      spliceDocs('# m\n', await renderModuleDocs({ 'variables.tf': VARIABLES, 'outputs.tf': OUTPUTS })),
    );
    expect(await staleReadmes(dir)).toEqual([]);

    writeFileSync(
      path.join(dir, 'm', 'variables.tf'),
      VARIABLES.replace('Daily run times.', 'Run times in JST.'),
    );
    expect(await staleReadmes(dir)).toEqual([readme]);

    const [docs] = await moduleDocs(dir);
    writeFileSync(readme, docs?.expected ?? '');
    expect(readFileSync(readme, 'utf8')).toContain('Run times in JST.');
    expect(await staleReadmes(dir)).toEqual([]);
  });

  it('documents variables linked in from another file, like the shared definitions', async () => {
    writeFileSync(
      path.join(dir, 'm', 'environment.tf'),
      'variable "environment" {\n  type = string\n  description = "dev or prd."\n}\n',
    );
    const [docs] = await moduleDocs(dir);
    expect(docs?.expected).toContain('| `environment` | `string` | required | dev or prd. |');
  });

  it('reports a module without a README', async () => {
    expect(await staleReadmes(dir)).toEqual([path.join(dir, 'm', 'README.md')]);
  });
});
