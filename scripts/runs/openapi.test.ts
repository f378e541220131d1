import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';
import { ROUTES } from '../../functions/runs-api/api';
import { PIPELINES } from '../../functions/shared/runs-pipelines';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi';

/**
 * docs/runs-api.openapi.json is generated from the schemas the API validates with; this
 * fails when the committed document is not what the code generates now.
 */
describe('docs/runs-api.openapi.json', () => {
  // Compared as JSON: prettier (its layout) cannot load under jest's CommonJS, and
  // `npm run format:check` checks the layout of every file already.
  it('is what `npm run docs:openapi` generates (run it and commit the document when this fails)', () => {
    const committed = JSON.parse(readFileSync(join(repositoryRoot(), OPENAPI_PATH), 'utf8')) as unknown;
    expect(committed).toEqual(buildOpenApiDocument());
  });

  const document = buildOpenApiDocument() as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, unknown> };
  };

  it('is OpenAPI 3.1 with every route the API serves, and only those', () => {
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths)
      .flatMap(([path, item]) =>
        Object.keys(item)
          .filter((key) => key !== 'parameters')
          .map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    const served = ROUTES.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`).sort();
    expect(documented).toEqual(served);
  });

  it('resolves every $ref inside the document', () => {
    const refs: string[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object')
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') refs.push(child);
          else walk(child);
        }
    };
    walk(document);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of new Set(refs)) {
      expect(ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], document);
      expect({ ref, found: target !== undefined }).toEqual({ ref, found: true });
    }
    expect(JSON.stringify(document)).not.toMatch(/"\$(id|schema)"/);
  });

  it('documents one request body per pipeline with a manual trigger', () => {
    const triggerable = Object.values(PIPELINES).filter((p) => p.manualSource);
    const bodies = Object.keys(document.components.schemas).filter((id) => id.endsWith('Trigger'));
    expect(bodies.sort()).toEqual(
      triggerable
        .map((p) => `${p.name.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}Trigger`)
        .sort(),
    );
  });
});
