// The command behind `npm run diff` (scripts/diff.ts is its entry point):
// breaking and non-breaking changes of the bundle since a git ref (rules in
// scripts/lib/diff.ts), and --release-check: whether package.json's version
// is a big enough semver step from the last release tag (diff-release.ts).
// Output goes through `io` so tests can run it in-process.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, parseCli, runTool } from './cli.ts';
import { diffSpecs, formatChanges, type Change } from './diff.ts';
import { checkRelease, requiredBump } from './diff-release.ts';
import { BUNDLE_JSON, ROOT } from './paths.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const STDIO: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

const BUNDLE_IN_GIT = 'generated/openapi.json';

export const HELP = `Usage: npm run diff -- <git-ref> [--json] [--head FILE] [--repo DIR]
       npm run diff -- --base FILE [--head FILE] [--json]
       npm run diff -- --release-check [--repo DIR]

Compares the bundle (generated/openapi.json, or --head FILE) with the one
at <git-ref> (git show <git-ref>:${BUNDLE_IN_GIT}) or in --base FILE, and
lists breaking changes, then non-breaking ones, each for operations,
requests, responses and named schemas.

A request may only accept more than before and a response may only promise
more: removed operations, parameters, fields or status codes, narrowed
request types, widened response types (null, new enum values), new required
request fields and changed enums are breaking.

  --base FILE        the old bundle as a file instead of a git ref
  --head FILE        the new bundle (default generated/openapi.json of --repo)
  --repo DIR         the git repository to read refs from (default: this checkout)
  --json             print the changes as JSON
  --release-check    check package.json's version against the newest v* tag:
                     a breaking change needs a major bump (minor before 1.0.0),
                     other API changes a minor one (patch before 1.0.0)
  --help             show this text

Exit status: 0 no breaking change (release check: version fine),
1 breaking changes found (release check: version too small),
2 bad arguments or unreadable input (unknown ref, not an OpenAPI file).
`;

async function git(repo: string, args: string[]) {
  return runTool('git', ['-C', repo, ...args]);
}

function parseBundle(text: string, from: string): any {
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${from} is not JSON: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || typeof doc.openapi !== 'string' || !/^3\.[01]\./.test(doc.openapi)) {
    throw new UsageError(`${from} is not an OpenAPI 3.0/3.1 document`);
  }
  return doc;
}

/** Where relative paths start: npm runs scripts from the package root but says where the user was (INIT_CWD). */
const userPath = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

function readBundleFile(file: string): any {
  const abs = userPath(file);
  if (!existsSync(abs)) throw new UsageError(`no such file: ${file}`);
  return parseBundle(readFileSync(abs, 'utf8'), file);
}

async function readAtRef(repo: string, ref: string, file: string): Promise<string> {
  const inside = await git(repo, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0) throw new UsageError(`${repo} is not a git repository`);
  const commit = await git(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (commit.code !== 0) throw new UsageError(`unknown git ref "${ref}"`);
  const shown = await git(repo, ['show', `${commit.stdout.trim()}:${file}`]);
  if (shown.code !== 0) throw new UsageError(`${ref} has no ${file}`);
  return shown.stdout;
}

async function releaseCheck(repo: string, io: Io): Promise<number> {
  const tags = await git(repo, ['tag', '--list', 'v[0-9]*', '--sort=-v:refname', '--merged', 'HEAD']);
  if (tags.code !== 0) throw new UsageError(`${repo} is not a git repository`);
  const tag = tags.stdout.split('\n').map((t) => t.trim()).find(Boolean);
  const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
  if (!tag) {
    io.out(`release check: no release tag (v*) yet; version ${pkg.version} is the first release, nothing to compare.\n`);
    return 0;
  }
  const old = parseBundle(await readAtRef(repo, tag, BUNDLE_IN_GIT), `${tag}:${BUNDLE_IN_GIT}`);
  const oldVersion: string = JSON.parse(await readAtRef(repo, tag, 'package.json')).version;
  const changes = diffSpecs(old, readBundleFile(path.join(repo, BUNDLE_IN_GIT)));
  const problem = (() => {
    try {
      return checkRelease(oldVersion, pkg.version, changes);
    } catch (err) {
      return (err as Error).message;
    }
  })();
  const breaking = changes.filter((c) => c.severity === 'breaking').length;
  if (problem) {
    io.out(formatChanges(changes, tag) + '\n');
    io.err(`release check: ${problem}\n`);
    return 1;
  }
  io.out(
    `release check: ${pkg.version} is fine after ${tag} (${oldVersion}): ${breaking} breaking, ${changes.length - breaking} non-breaking change(s), ` +
      `${requiredBump(changes, oldVersion)} bump needed at least.\n`,
  );
  return 0;
}

/** Runs the command; returns the exit code, throws UsageError (exit 2) for bad arguments or input. */
export async function diffMain(argv: string[], io: Io = STDIO): Promise<number> {
  const { values, positionals } = parseCli(
    'npm run diff',
    {
      base: { type: 'string' },
      head: { type: 'string' },
      repo: { type: 'string' },
      json: { type: 'boolean' },
      'release-check': { type: 'boolean' },
    },
    argv,
    true,
  );
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const repo = values.repo ? userPath(values.repo) : ROOT;
  if (values['release-check']) {
    if (positionals.length > 0 || values.base || values.head || values.json) throw new UsageError('--release-check takes no ref, --base, --head or --json (see npm run diff --help)');
    return releaseCheck(repo, io);
  }
  if (positionals.length > 1) throw new UsageError(`expected one git ref, got ${positionals.length}: ${positionals.join(' ')} (see npm run diff --help)`);
  if (positionals.length === 1 && values.base) throw new UsageError('give a git ref or --base FILE, not both (see npm run diff --help)');
  if (positionals.length === 0 && !values.base) throw new UsageError('missing the git ref to compare with (see npm run diff --help)');
  if (values.repo && values.base) throw new UsageError('--repo only applies to a git ref (see npm run diff --help)');

  const ref = positionals[0];
  const before = ref ? parseBundle(await readAtRef(repo, ref, BUNDLE_IN_GIT), `${ref}:${BUNDLE_IN_GIT}`) : readBundleFile(values.base!);
  const after = readBundleFile(values.head ?? (values.repo ? path.join(repo, BUNDLE_IN_GIT) : BUNDLE_JSON));
  const changes: Change[] = diffSpecs(before, after);
  const breaking = changes.some((c) => c.severity === 'breaking');
  if (values.json) {
    io.out(JSON.stringify({ against: ref ?? values.base, breaking: changes.filter((c) => c.severity === 'breaking'), nonBreaking: changes.filter((c) => c.severity === 'non-breaking') }, null, 2) + '\n');
  } else {
    io.out(formatChanges(changes, ref ?? values.base!) + '\n');
  }
  return breaking ? 1 : 0;
}
