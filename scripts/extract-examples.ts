// npm run extract-examples: every JSON block of every docs era becomes a
// committed fixture under test/fixtures/docs-examples/ (see
// scripts/lib/docs-examples.ts for how blocks are found and mapped).
import path from 'node:path';
import { parseCli, runMain, UsageError } from './lib/cli.ts';
import {
  adhocSource,
  buildFixtures,
  bundleResolver,
  diffFixtures,
  DOC_SOURCES,
  extractBlocks,
  FIXTURES_DIR,
  readDocsFile,
  writeFixtures,
} from './lib/docs-examples.ts';
import { ROOT, SHARED } from './lib/paths.ts';

const HELP = `Usage: npm run extract-examples [-- options]

Finds every JSON block (fenced or bare) in the User Admin API docs of each
era and writes it as a fixture under test/fixtures/docs-examples/<era>/,
with test/fixtures/docs-examples/manifest.json recording for each block its
file, line, heading, operation, role (request, or response and status),
and, when the docs text is not JSON, the raw text, the repaired text and
why. Blocks that cannot be mapped are listed with the reason.

Eras (files relative to --shared):
${DOC_SOURCES.map((s) => `  ${s.era.padEnd(9)} ${s.file}`).join('\n')}

Options:
  --shared DIR   reference material to read (default: ${path.relative(ROOT, SHARED) || '.'})
  --out DIR      write the fixtures there instead of ${path.relative(ROOT, FIXTURES_DIR)}
  --check        write nothing; exit 1 when the committed fixtures differ
                 from a fresh extraction (lists the differing files)
  --file PATH    extract one docs file and print its blocks as JSON
  --era NAME     with --file: the era label to use (default: adhoc)
  --help         show this text

The output is deterministic: running it twice on the same input gives
byte-identical files.
`;

runMain('extract-examples', async () => {
  const { values } = parseCli('npm run extract-examples', {
    shared: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    file: { type: 'string' },
    era: { type: 'string' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.era !== undefined && values.file === undefined) throw new UsageError('--era only applies with --file (see npm run extract-examples --help)');
  if (values.file !== undefined) {
    if (values.check || values.out !== undefined || values.shared !== undefined) {
      throw new UsageError('--file prints one file\'s blocks; it cannot be combined with --check, --out or --shared');
    }
    const era = values.era ?? 'adhoc';
    if (!/^[a-z0-9][a-z0-9-]*$/.test(era)) throw new UsageError(`--era must be lower-case letters, digits and dashes, got "${era}"`);
    const file = path.resolve(values.file);
    let text: string;
    try {
      text = readDocsFile(file);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const blocks = extractBlocks(text, adhocSource(file, era, text), bundleResolver());
    process.stdout.write(JSON.stringify(blocks, null, 2) + '\n');
    return 0;
  }
  const shared = path.resolve(values.shared ?? SHARED);
  const { manifest, files } = buildFixtures(shared);
  const out = path.resolve(values.out ?? FIXTURES_DIR);
  if (values.check) {
    const problems = diffFixtures(out, files);
    if (problems.length) {
      process.stderr.write(`extract-examples: ${problems.length} fixture file(s) differ from a fresh extraction (run npm run extract-examples):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    process.stdout.write(`extract-examples: ${files.size} files up to date (${manifest.counts.blocks} blocks)\n`);
    return 0;
  }
  const { written, removed } = writeFixtures(out, files);
  const c = manifest.counts;
  process.stdout.write(
    `extract-examples: ${c.blocks} blocks from ${manifest.sources.length} files: ${c.valid} JSON, ${c.repaired} repaired, ${c.invalid} not repairable, ${c.unmapped} unmapped\n` +
      `extract-examples: ${written.length} file(s) written, ${removed.length} removed, in ${path.relative(process.cwd(), out) || '.'}\n`,
  );
  for (const u of manifest.unmapped) process.stdout.write(`  unmapped ${u.id}: ${u.reason}\n`);
  return 0;
});
