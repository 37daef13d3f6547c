import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The import graph of our TypeScript sources, type imports included (`ts.preProcessFile` reads every
 * import, export-from and `import()` without type-checking). Lint holds each folder to the layers below
 * it (eslint.config.mjs); this adds what a per-import rule cannot see: a cycle between files.
 */
const ROOT = resolve(__dirname, '../../..');
const FOLDERS = ['contract', 'lib', 'providers', 'db', 'services', 'api', 'activities', 'workflows', 'worker', 'scripts', 'bench', 'test'];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importGraph(): Map<string, string[]> {
  const files = new Set(FOLDERS.flatMap((folder) => sources(join(ROOT, folder))));
  const target = (from: string, specifier: string): string | undefined => {
    if (!specifier.startsWith('.')) return undefined;
    const base = resolve(dirname(from), specifier);
    return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => files.has(candidate));
  };
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles.map(({ fileName }) => target(file, fileName)).filter((to): to is string => to !== undefined);
    graph.set(relative(ROOT, file), [...new Set(targets.map((to) => relative(ROOT, to)))]);
  }
  return graph;
}

/** One cycle of the graph as a path `a → b → … → a`, or undefined (depth-first; recursion as deep as the longest import chain). */
function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Top-level folders as nodes; test/support is its own (bench uses it, the tests use bench). */
function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const folderOf = (file: string) => (file.startsWith('test/support/') ? 'test/support' : file.split('/')[0]);
  const folders = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const edges = folders.get(folderOf(from)) ?? new Set<string>();
    for (const to of targets) if (folderOf(to) !== folderOf(from)) edges.add(folderOf(to));
    folders.set(folderOf(from), edges);
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges]]));
}

describe('import graph', () => {
  const graph = importGraph();

  it('reads the sources it checks', () => {
    expect(graph.get('workflows/integration.ts')).toEqual(expect.arrayContaining(['contract/lifecycle.ts']));
    expect(graph.size).toBeGreaterThan(200);
  });

  it('has no cycle between files, type imports included', () => {
    expect(findCycle(graph)?.join(' → ')).toBeUndefined();
  });

  it('has no cycle between folders', () => {
    expect(findCycle(folderGraph(graph))?.join(' → ')).toBeUndefined();
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([['d', ['a']], ['a', ['b']], ['b', ['c', 'e']], ['c', ['a']], ['e', []]]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(new Map([['a', ['b']], ['b', []]]))).toBeUndefined();
  });
});
