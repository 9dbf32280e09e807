// Renders the results of a run: text (one line per mismatch), JSON for
// machines and JUnit XML for CI dashboards.
import { formatIssue } from '../validation.js';
import { TOOL, type Format } from './args.js';
import type { ExchangeIssue, ExchangeResult } from './exchange.js';

export interface Report {
  command: 'validate' | 'check' | 'proxy';
  /** What was checked: a file, a HAR, a server URL. */
  source: string;
  results: ExchangeResult[];
}

export interface Summary {
  exchanges: number;
  valid: number;
  invalid: number;
  skipped: number;
  issues: number;
}

export function summarize(results: ExchangeResult[]): Summary {
  const s: Summary = { exchanges: results.length, valid: 0, invalid: 0, skipped: 0, issues: 0 };
  for (const r of results) {
    s[r.outcome] += 1;
    s.issues += r.issues.length;
  }
  return s;
}

/** 0 when everything checked is valid, 1 when anything is not. */
export function exitCode(results: ExchangeResult[]): 0 | 1 {
  return results.some((r) => r.outcome === 'invalid') ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : word.endsWith('ch') ? 'es' : 's'}`;
}

/** `METHOD path status` (no status when nothing was answered). */
function request(r: ExchangeResult): string {
  return r.status ? `${r.method} ${r.path} ${r.status}` : `${r.method} ${r.path}`;
}

function head(r: ExchangeResult): string {
  return `#${r.index} ${r.operationId ?? '(no operation)'} ${request(r)}`;
}

/** One line per issue: exchange, operation, where, JSON pointer, expected vs found. */
export function issueLine(r: ExchangeResult, issue: ExchangeIssue): string {
  return `FAIL ${head(r)} ${issue.where} ${formatIssue(issue)}`;
}

/** The text of a single result, as printed (also live, by `proxy`). */
export function resultLines(r: ExchangeResult, verbose: boolean): string[] {
  if (r.outcome === 'invalid') return r.issues.map((i) => issueLine(r, i));
  if (r.outcome === 'skipped') {
    return verbose ? [`skip #${r.index} ${r.operationId ? `${r.operationId} ` : ''}${request(r)}: ${r.reason}`] : [];
  }
  return verbose ? [`ok   ${head(r)}`] : [];
}

export function summaryLine(report: Report): string {
  const s = summarize(report.results);
  const parts = [`${s.valid} valid`, `${s.invalid} invalid (${plural(s.issues, 'mismatch')})`];
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  return `${TOOL} ${report.command}: ${plural(s.exchanges, 'exchange')} from ${report.source}: ${parts.join(', ')}`;
}

export function renderText(report: Report, verbose: boolean): string {
  const lines = report.results.flatMap((r) => resultLines(r, verbose));
  const skipped = report.results.filter((r) => r.outcome === 'skipped');
  if (!verbose && skipped.length > 0) {
    const reasons = new Map<string, number>();
    for (const r of skipped) reasons.set(r.reason ?? '', (reasons.get(r.reason ?? '') ?? 0) + 1);
    for (const [reason, n] of reasons) lines.push(`skip ${plural(n, 'exchange')}: ${reason} (--verbose lists them)`);
  }
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}

export function renderJson(report: Report): string {
  return (
    JSON.stringify(
      {
        tool: TOOL,
        command: report.command,
        source: report.source,
        summary: summarize(report.results),
        exchanges: report.results,
      },
      null,
      2,
    ) + '\n'
  );
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for XML content and attributes, dropping characters XML 1.0 forbids. */
export function xmlEscape(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** JUnit XML: one test suite per operation, one test case per exchange. */
export function renderJunit(report: Report): string {
  const s = summarize(report.results);
  const suites = new Map<string, ExchangeResult[]>();
  for (const r of report.results) {
    const key = r.operationId ?? '(no operation)';
    suites.set(key, [...(suites.get(key) ?? []), r]);
  }
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${xmlEscape(`${TOOL} ${report.command} ${report.source}`)}" tests="${s.exchanges}" failures="${s.invalid}" skipped="${s.skipped}" errors="0">`);
  for (const [name, results] of suites) {
    const ss = summarize(results);
    out.push(`  <testsuite name="${xmlEscape(name)}" tests="${ss.exchanges}" failures="${ss.invalid}" skipped="${ss.skipped}" errors="0">`);
    for (const r of results) {
      const caseName = xmlEscape(`#${r.index} ${request(r)}`);
      const open = `    <testcase classname="${xmlEscape(`${TOOL}.${name}`)}" name="${caseName}">`;
      if (r.outcome === 'valid') out.push(`    <testcase classname="${xmlEscape(`${TOOL}.${name}`)}" name="${caseName}"/>`);
      else if (r.outcome === 'skipped') out.push(open, `      <skipped message="${xmlEscape(r.reason ?? '')}"/>`, '    </testcase>');
      else {
        const body = r.issues.map((i) => `${i.where} ${formatIssue(i)}`).join('\n');
        out.push(open, `      <failure message="${xmlEscape(plural(r.issues.length, 'mismatch'))}" type="mismatch">${xmlEscape(body)}</failure>`, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

export function render(report: Report, format: Format, verbose: boolean): string {
  if (format === 'json') return renderJson(report);
  if (format === 'junit') return renderJunit(report);
  return renderText(report, verbose);
}
