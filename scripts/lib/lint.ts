// Linting: Redocly checks the split sources (so problems point at the file
// you edit), Spectral checks the bundle people download. Both must report
// nothing: any error or warning fails.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleInto } from './bundle.ts';
import { runTool, stripToolNoise } from './cli.ts';
import { BIN, ROOT, SPEC_ROOT } from './paths.ts';

export interface Problem {
  tool: 'redocly' | 'spectral';
  severity: 'error' | 'warning' | 'info' | 'hint';
  rule: string;
  message: string;
  file: string;
  line: number;
  pointer: string;
}

export interface LintOptions {
  /** Root of the split spec; defaults to openapi/openapi.yaml. */
  specRoot?: string;
  /** An already bundled file to give Spectral; by default a fresh bundle is made in a temp dir. */
  bundle?: string;
  /** Config files, so tests can lint fixtures with the project's rules. */
  redoclyConfig?: string;
  spectralRuleset?: string;
}

function parseJsonOutput(tool: string, text: string): any {
  const start = text.search(/[[{]/);
  try {
    return JSON.parse(text.slice(start));
  } catch {
    throw new Error(`${tool} did not produce a report:\n${stripToolNoise(text)}`);
  }
}

export async function redoclyLint(specRoot: string, config: string): Promise<Problem[]> {
  const res = await runTool(BIN('redocly'), ['lint', specRoot, '--format=json', `--config=${config}`], { cwd: ROOT });
  const report = parseJsonOutput('redocly lint', res.stdout || res.stderr);
  return (report.problems ?? []).map((p: any): Problem => {
    const loc = p.location?.[0] ?? {};
    return {
      tool: 'redocly',
      severity: p.severity === 'error' ? 'error' : 'warning',
      rule: p.ruleId,
      message: p.message,
      file: path.relative(ROOT, path.resolve(ROOT, loc.source?.ref ?? specRoot)),
      line: loc.start?.line ?? 0,
      pointer: loc.pointer ?? '',
    };
  });
}

const SPECTRAL_SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

export async function spectralLint(bundle: string, ruleset: string): Promise<Problem[]> {
  const res = await runTool(BIN('spectral'), ['lint', bundle, '--format', 'json', '--ruleset', ruleset, '--fail-severity', 'error'], { cwd: ROOT });
  if (res.stdout.trim() === '' && res.code !== 0) {
    throw new Error(`spectral lint failed:\n${stripToolNoise(res.stderr)}`);
  }
  const report = res.stdout.includes('No results with a severity') ? [] : parseJsonOutput('spectral lint', res.stdout);
  return report.map((p: any): Problem => ({
    tool: 'spectral',
    severity: SPECTRAL_SEVERITY[p.severity] ?? 'error',
    rule: p.code,
    message: p.message,
    file: path.relative(ROOT, p.source ?? bundle),
    line: (p.range?.start?.line ?? -1) + 1,
    pointer: '#/' + (p.path ?? []).map((s: unknown) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/'),
  }));
}

export async function lintAll(opts: LintOptions = {}): Promise<Problem[]> {
  const specRoot = opts.specRoot ?? SPEC_ROOT;
  const redoclyConfig = opts.redoclyConfig ?? path.join(ROOT, 'redocly.yaml');
  const spectralRuleset = opts.spectralRuleset ?? path.join(ROOT, '.spectral.yaml');
  let tmp: string | undefined;
  try {
    let bundle = opts.bundle;
    const redocly = redoclyLint(specRoot, redoclyConfig);
    if (!bundle) {
      tmp = mkdtempSync(path.join(os.tmpdir(), 'synapse-lint-'));
      await bundleInto(tmp, specRoot);
      bundle = path.join(tmp, 'openapi.yaml');
    }
    const [a, b] = await Promise.all([redocly, spectralLint(bundle, spectralRuleset)]);
    return [...a, ...b];
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line} ${p.severity} ${p.rule} (${p.tool}): ${p.message}${p.pointer ? `  at ${p.pointer}` : ''}`;
}
