// npm run diff -- <git-ref> | --base FILE | --release-check: see
// scripts/lib/diff-cli.ts (the command) and scripts/lib/diff.ts (the rules).
import { runMain } from './lib/cli.ts';
import { diffMain } from './lib/diff-cli.ts';

runMain('diff', () => diffMain(process.argv.slice(2)));
