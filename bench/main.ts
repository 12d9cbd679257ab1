import { parseArgs } from 'node:util';
import { type Bench, type BenchOptions } from './support/bench.js';

/** One line per bench: `npm run bench -- <name>` loads `bench/<name>.bench.ts`. */
const BENCHES: Record<string, () => Promise<Bench>> = {
  append: async () => (await import('./append.bench.js')).appendBench,
  commands: async () => (await import('./commands.bench.js')).commandsBench,
  converge: async () => (await import('./converge.bench.js')).convergeBench,
  policy: async () => (await import('./policy.bench.js')).policyBench,
  project: async () => (await import('./project.bench.js')).projectBench,
  migration: async () => (await import('./migration.bench.js')).migrationBench,
  soak: async () => (await import('./soak.bench.js')).soakBench,
  history: async () => (await import('./history.bench.js')).historyBench,
  'ovn-peer': async () => (await import('./ovn-peer.bench.js')).ovnPeerBench,
  pools: async () => (await import('./pools.bench.js')).poolsBench,
};

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function usage(): string {
  return `usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options] [--help]`;
}

function optionsHelp(options: BenchOptions): string {
  return Object.entries(options)
    .map(([name, o]) => {
      const value = o.type === 'string' ? ' <value>' : '';
      const fallback = o.default === undefined ? '' : ` (default ${String(o.default)})`;
      return `  --${name}${value}  ${o.description}${fallback}`;
    })
    .join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : BENCHES[name];
  if (load === undefined) {
    console.error(name === undefined ? usage() : `unknown bench "${name}"\n${usage()}`);
    return 2;
  }
  const bench = await load();
  const options: BenchOptions = {
    ...bench.options,
    help: { type: 'boolean', description: 'print the options and exit' },
  };
  let args;
  try {
    args = parseArgs({ args: rest, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage()}\n${optionsHelp(options)}`);
    return 2;
  }
  if (args.help === true) {
    console.log(`${bench.name}: ${bench.description}\n${usage()}\n${optionsHelp(options)}`);
    return 0;
  }

  const controller = new AbortController();
  const stop = () => {
    console.error('stopping: finishing the current operations and cleaning up');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const viaNpm = process.env.npm_lifecycle_event === 'bench';
  const command = `${viaNpm ? 'npm run bench --' : 'node dist/bench/main.js'} ${argv.join(' ')}`;
  await bench.run({
    databaseUrl: process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    args,
    command,
    signal: controller.signal,
  });
  return controller.signal.aborted ? 130 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
