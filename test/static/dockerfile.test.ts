/**
 * The Dockerfile, read as instructions: multi-stage, pinned LTS base, npm ci / npm ci --omit=dev, non-root,
 * NODE_ENV=production, exec-form CMD, and a .dockerignore that sends what the COPYs need and nothing else.
 * (hadolint and a real `docker build` run in the GitHub workflow.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dockerignoreFilter from '@balena/dockerignore';
import { DockerfileParser, Env, From, type Copy } from 'dockerfile-ast';
import { REPO } from './helpers/helm';

interface Instruction {
  op: string;
  /** The arguments without the flags. */
  args: string;
  /** Its flags (--from=deps → from: 'deps'). */
  flags: Record<string, string>;
  line: number;
}
interface Stage {
  image: string;
  alias?: string;
  instructions: Instruction[];
  /** What its ENV instructions set. */
  env: Record<string, string>;
}

/** The stages of a Dockerfile, parsed by dockerfile-ast (continuations, comments, ENV forms handled there). */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const op = instruction.getKeyword().toUpperCase();
    const line = instruction.getRange().start.line + 1;
    if (op === 'FROM' && instruction instanceof From) {
      const from = instruction;
      const image = from.getImage();
      if (image === null) throw new Error(`line ${line}: bad FROM`);
      stages.push({ image, alias: from.getBuildStage() ?? undefined, instructions: [], env: {} });
    } else if (stages.length === 0) {
      if (op !== 'ARG') throw new Error(`line ${line}: ${op} before FROM`);
    } else {
      const stage = stages[stages.length - 1];
      const flags = 'getFlags' in instruction ? (instruction as Copy).getFlags() : [];
      stage.instructions.push({
        op,
        args: instruction.getArgumentsContent() ?? '',
        flags: Object.fromEntries(flags.map((flag) => [flag.getName(), flag.getValue() ?? ''])),
        line,
      });
      if (op === 'ENV' && instruction instanceof Env) {
        for (const property of instruction.getProperties()) stage.env[property.getName()] = property.getValue() ?? '';
      }
    }
  }
  return stages;
}

function envOf(stage: Stage): Record<string, string> {
  return stage.env;
}

/** Stages a stage builds on: its FROM chain through aliases. */
function lineage(stages: Stage[], stage: Stage): Stage[] {
  const chain = [stage];
  let current = stage;
  for (;;) {
    const parent = stages.find((s) => s.alias === current.image);
    if (!parent || chain.includes(parent)) return chain;
    chain.push(parent);
    current = parent;
  }
}

interface CopyInstruction {
  from?: string;
  sources: string[];
  dest: string;
}
function copies(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      return { from: i.flags.from, sources: words.slice(0, -1), dest: words[words.length - 1] };
    });
}

/** Every problem of a Dockerfile against the requirements; empty when it meets them all. */
export function dockerfileProblems(text: string): string[] {
  const problems: string[] = [];
  const stages = parseDockerfile(text);
  const aliases = new Set(stages.map((s) => s.alias).filter(Boolean));
  if (stages.length < 2) problems.push('not multi-stage');
  const final = stages[stages.length - 1];
  const all = (stage: Stage) => lineage(stages, stage).flatMap((s) => s.instructions);

  for (const stage of stages) {
    if (aliases.has(stage.image)) continue;
    const m = /^([\w./-]+):(\d+)\.(\d+)\.(\d+)(-[\w.-]+)?(@sha256:[a-f0-9]{64})?$/.exec(stage.image);
    if (!m) {
      problems.push(`FROM ${stage.image} is not pinned to an exact version`);
      continue;
    }
    const name = m[1].split('/').pop();
    const major = Number(m[2]);
    if (name === 'node' || name === 'nodejs') {
      if (major < 24 || major % 2 !== 0) problems.push(`FROM ${stage.image}: not a current LTS Node (even major >= 24)`);
      if (!/slim|distroless|alpine/.test(stage.image)) problems.push(`FROM ${stage.image}: not a slim or distroless image`);
    }
  }

  const runs = (stage: Stage) => all(stage).filter((i) => i.op === 'RUN').map((i) => i.args);
  const buildStage = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
  if (!buildStage) problems.push('no stage runs npm run build');
  else if (!runs(buildStage).some((r) => /\bnpm ci\b(?!.*--omit=dev)/.test(r))) {
    problems.push('the build stage does not install every dependency with npm ci');
  }
  const depsStage = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args)));
  if (!depsStage) problems.push('no stage runs npm ci --omit=dev');

  const finalCopies = copies(final);
  const copiedFrom = (source: RegExp, stage?: Stage) =>
    finalCopies.some((c) => (stage ? c.from === stage.alias : c.from === undefined) && c.sources.some((s) => source.test(s)));
  if (depsStage && !copiedFrom(/node_modules/, depsStage)) problems.push('the runtime does not take node_modules from the --omit=dev stage');
  if (buildStage && !copiedFrom(/dist/, buildStage)) problems.push('the runtime does not take dist/ from the build stage');
  if (!copiedFrom(/^sql\/?$/)) problems.push('the runtime does not contain sql/');
  // The simulator, the benchmark, the demo and the example are development tools: never in the production image.
  const devOnly = /kalshi-sim|(^|\/)(sim|bench|demo|examples|build)(\/|$)/;
  for (const c of finalCopies) {
    for (const source of c.sources.filter((s) => devOnly.test(s))) problems.push(`the runtime copies ${source} (not service code)`);
  }
  if (runs(final).some((r) => /\bnpm (ci|install)\b/.test(r)) && final !== depsStage) {
    problems.push('the runtime stage installs packages itself');
  }

  // lineage lists the final stage first, so the last USER of the first stage that has one is the effective one.
  const effectiveUser = lineage(stages, final)
    .map((s) => [...s.instructions].reverse().find((i) => i.op === 'USER'))
    .find(Boolean);
  if (!effectiveUser) problems.push('the final stage sets no USER');
  else if (/^(root|0)(:|$)/.test(effectiveUser.args)) problems.push(`the final USER is root (${effectiveUser.args})`);

  const env = Object.assign({}, ...lineage(stages, final).reverse().map(envOf)) as Record<string, string>;
  if (env.NODE_ENV !== 'production') problems.push('NODE_ENV is not production in the final stage');

  const finalCmd = lineage(stages, final)
    .map((s) => [...s.instructions].reverse().find((i) => i.op === 'CMD'))
    .find(Boolean);
  if (!finalCmd) problems.push('no CMD');
  else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(finalCmd.args);
    } catch {
      parsed = undefined;
    }
    if (JSON.stringify(parsed) !== JSON.stringify(['node', 'dist/main.js'])) {
      problems.push(`CMD is not the exec form ["node","dist/main.js"]: ${finalCmd.args}`);
    }
  }
  const entrypoint = lineage(stages, final)
    .flatMap((s) => s.instructions)
    .find((i) => i.op === 'ENTRYPOINT');
  if (entrypoint && !entrypoint.args.startsWith('[')) problems.push('ENTRYPOINT in shell form (signals would not reach node)');
  return problems;
}

/** Whether Docker leaves `file` out of the build context under these .dockerignore patterns (@balena/dockerignore). */
export function dockerIgnored(patterns: string[], file: string): boolean {
  return dockerignoreFilter().add(patterns).ignores(file);
}

const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(REPO, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('Dockerfile', () => {
  test('meets every requirement', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  test('has build, production-dependency, simulator and runtime stages on a pinned Node LTS', () => {
    const stages = parseDockerfile(dockerfile);
    expect(stages.map((s) => s.alias)).toEqual(expect.arrayContaining(['build', 'deps', 'sim', 'runtime']));
    expect(stages[stages.length - 1].alias).toBe('runtime');
    const bases = stages.map((s) => s.image).filter((image) => !stages.some((s) => s.alias === image));
    expect(bases).toHaveLength(1);
    expect(bases[0]).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
  });

  test('the checks catch what they are for', () => {
    // The runtime is the last stage: the last occurrence is the runtime's (the sim stage has a USER line too).
    const broken = (from: string, to: string) => {
      const at = dockerfile.lastIndexOf(from);
      expect(at).toBeGreaterThanOrEqual(0);
      return dockerfileProblems(dockerfile.slice(0, at) + to + dockerfile.slice(at + from.length));
    };
    expect(broken('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js')).toEqual([expect.stringMatching(/exec form/)]);
    expect(broken('CMD ["node", "dist/main.js"]', 'CMD ["npm", "start"]')).toEqual([expect.stringMatching(/exec form/)]);
    expect(broken('USER 1000:1000', 'USER root')).toEqual([expect.stringMatching(/root/)]);
    expect(broken('USER 1000:1000', '')).toEqual([expect.stringMatching(/no USER/)]);
    expect(broken('node:24.21.0-bookworm-slim', 'node:24-bookworm-slim')).toEqual([expect.stringMatching(/not pinned/)]);
    expect(broken('node:24.21.0-bookworm-slim', 'node:23.11.0-bookworm-slim')).toEqual([expect.stringMatching(/LTS/)]);
    expect(broken('.npm npm ci --omit=dev', '.npm npm ci')).toEqual(expect.arrayContaining([expect.stringMatching(/--omit=dev/)]));
    expect(broken('ENV NODE_ENV=production\n# Everything', '# Everything')).toEqual([expect.stringMatching(/NODE_ENV/)]);
    expect(broken('COPY sql ./sql', '')).toEqual([expect.stringMatching(/sql/)]);
    expect(broken('COPY sql ./sql', 'COPY sql ./sql\nCOPY --from=build /app/packages/kalshi-sim/dist ./packages/kalshi-sim/dist')).toEqual([
      expect.stringMatching(/runtime copies .*kalshi-sim/),
    ]);
    expect(broken('COPY sql ./sql', 'COPY sql ./sql\nCOPY bench ./bench')).toEqual([expect.stringMatching(/runtime copies bench/)]);
    expect(dockerfileProblems('FROM node:24.21.0-bookworm-slim\nCMD ["node", "dist/main.js"]\n')).toEqual(
      expect.arrayContaining(['not multi-stage']),
    );
  });
});

describe('what the production image holds', () => {
  test('dist/ is the service only: tsconfig.build.json compiles src/, which holds no simulator, bench, demo or example', () => {
    const build = JSON.parse(readFileSync(path.join(REPO, 'tsconfig.build.json'), 'utf8')) as { include: string[]; compilerOptions: { rootDir: string } };
    expect([build.include, build.compilerOptions.rootDir]).toEqual([['src'], 'src']);
    const tools = readdirSync(path.join(REPO, 'src')).filter((name) => /^(sim|bench|demo|examples)$/.test(name));
    expect(tools).toEqual([]);
  });

  test('the production dependencies carry no link to the simulator or the example, and the runtime copies none of their code', () => {
    const stages = parseDockerfile(dockerfile);
    const deps = stages.find((s) => s.alias === 'deps');
    const install = deps?.instructions.find((i) => i.op === 'RUN' && i.args.includes('--omit=dev'))?.args ?? '';
    expect(install).toMatch(/rm node_modules\/@kalshi-ingestor\/kalshi-sim node_modules\/@kalshi-ingestor\/activity-watcher/);
    const runtime = stages[stages.length - 1];
    const sources = copies(runtime).flatMap((c) => c.sources);
    expect(sources.filter((s) => /sim|bench|demo|example/.test(s))).toEqual([]);
    const sim = stages.find((s) => s.alias === 'sim');
    const simCmd = sim?.instructions.find((i) => i.op === 'CMD')?.args;
    expect(simCmd).toBe('["node", "packages/kalshi-sim/dist/main.js"]');
  });
});

describe('.dockerignore', () => {
  const contextSources = parseDockerfile(dockerfile)
    .flatMap(copies)
    .filter((c) => c.from === undefined)
    .flatMap((c) => c.sources);

  test('sends every file the Dockerfile copies from the context', () => {
    expect(contextSources).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'src', 'sql']));
    for (const source of contextSources) {
      expect([source, dockerIgnored(dockerignore, source)]).toEqual([source, false]);
      expect([`${source}/x.ts`, dockerIgnored(dockerignore, `${source}/x.ts`)]).toEqual([`${source}/x.ts`, false]);
    }
  });

  test('keeps out dependencies, build output, git, secrets, the tools and everything else', () => {
    for (const file of [
      'node_modules/x/index.js',
      'dist/main.js',
      'build/bench/main.js',
      '.git/HEAD',
      'test/unit/a.test.ts',
      'helm/kalshi-ingestor/values.yaml',
      '.env',
      'packages/kalshi-sim/src/key.pem',
      'packages/kalshi-sim/dist/main.js',
      'bench/main.ts',
      'demo/main.ts',
      'examples/activity-watcher/src/index.ts',
    ]) {
      expect([file, dockerIgnored(dockerignore, file)]).toEqual([file, true]);
    }
  });
});
