// Shared by the code-generation proofs (Go, Python, hey-api): the JSON
// Schema that quicktype reads, which generated type belongs to which body,
// every sample body the proofs decode, and running the tools.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, CACHE_DIR, ROOT } from '../../scripts/lib/paths.ts';
import { runTool, type ToolResult } from '../../scripts/lib/cli.ts';
import { conformanceCases as allConformanceCases, type ConformanceCase } from '../../scripts/lib/cases.ts';
import { bundle, deref, operations } from '../helpers/spec.ts';

export const CODEGEN_DIR = path.join(ROOT, 'test', 'codegen');
/** Kept between runs (and never committed) so Go compiles the standard library only once per machine. */
export const GO_CACHE = path.join(CACHE_DIR, 'go-build');
/** Debian's interpreter: the pyenv python3 on PATH lacks jsonschema. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `codegen-${prefix}-`));
}

/** Runs a tool and fails with its output when it exits non-zero. */
export async function mustRun(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ToolResult> {
  const res = await runTool(cmd, args, opts);
  if (res.code !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${res.code}:\n${(res.stderr + res.stdout).trim().slice(0, 4000)}`);
  }
  return res;
}

/** Where a body sits: an operation's request or one of its responses. */
export interface BodyRef {
  operationId: string;
  /** 'request' or a status code. */
  role: string;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function mediaSchema(node: any): any {
  return deref(node)?.content?.['application/json']?.schema;
}

function bodySchemaOf(ref: BodyRef): any {
  const op = operations.find((o) => o.op.operationId === ref.operationId)?.op;
  if (!op) throw new Error(`unknown operationId ${ref.operationId}`);
  return ref.role === 'request' ? mediaSchema(op.requestBody) : mediaSchema(op.responses?.[ref.role]);
}

/**
 * The JSON Schema quicktype reads: every component schema, plus one
 * definition per body whose schema is not a plain $ref to a component
 * (named <OperationId><Status>Body / <OperationId>RequestBody). `typeOf`
 * names the definition that types a body; `bodyTypes` lists them all, and
 * only they are handed to quicktype as top-level types (see decision G3).
 */
export function codegenSchema(): { schema: any; typeOf: (ref: BodyRef) => string | undefined; bodyTypes: string[] } {
  const rewrite = (s: any) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/schemas/', '"#/definitions/'));
  const definitions: Record<string, any> = rewrite(bundle.components.schemas);
  const names = new Map<string, string>();
  for (const { op } of operations) {
    const roles = [...(op.requestBody ? ['request'] : []), ...Object.keys(op.responses ?? {})];
    for (const role of roles) {
      const s = bodySchemaOf({ operationId: op.operationId, role });
      if (!s) continue;
      const key = `${op.operationId} ${role}`;
      const plain = typeof s.$ref === 'string' && Object.keys(s).length === 1 && s.$ref.startsWith('#/components/schemas/');
      if (plain) {
        names.set(key, s.$ref.slice('#/components/schemas/'.length));
      } else {
        const name = `${pascal(op.operationId)}${role === 'request' ? 'Request' : role}Body`;
        definitions[name] = rewrite(s);
        names.set(key, name);
      }
    }
  }
  return {
    schema: { $schema: 'http://json-schema.org/draft-07/schema#', definitions },
    typeOf: (ref) => names.get(`${ref.operationId} ${ref.role}`),
    bodyTypes: [...new Set(names.values())].sort(),
  };
}

/** One JSON body to decode. */
export interface Sample extends BodyRef {
  id: string;
  instance: unknown;
  /** JSON pointer into the bundle of the body's schema. */
  schemaPointer?: string;
  /** Why the conformance suite expects this body to be invalid (only for known-invalid docs fixtures). */
  invalidBecause?: string;
}

/** The conformance suite's cases (scripts/lib/cases.ts): docs fixtures, spec examples and mutations. */
export function conformanceCases(): ConformanceCase[] {
  return allConformanceCases(bundle);
}

/** The body a conformance case checks, as a BodyRef. */
export function caseBody(c: ConformanceCase): BodyRef {
  return { operationId: c.operationId, role: c.role === 'request' ? 'request' : String(c.status) };
}

/** The bodies to decode: every docs fixture and spec example the conformance suite expects to be valid. */
export function validSamples(): Sample[] {
  return conformanceCases()
    .filter((c) => c.kind !== 'mutation' && c.expectValid)
    .map((c) => ({ id: c.id, ...caseBody(c), instance: c.instance, schemaPointer: c.schemaPointer }));
}

/** Docs fixtures of older eras that today's schema rejects, with the reason (0/1 booleans, fields added later). */
export function knownInvalidFixtures(): Sample[] {
  return conformanceCases()
    .filter((c) => c.kind === 'fixture' && !c.expectValid)
    .map((c) => ({ id: c.id, ...caseBody(c), instance: c.instance, schemaPointer: c.schemaPointer, invalidBecause: c.reason ?? '' }));
}

/** Runs quicktype on the codegen schema with one top-level type per body type. */
export async function quicktype(lang: string[], out: string, schemaFile: string): Promise<void> {
  const { bodyTypes } = codegenSchema();
  const sources = bodyTypes.flatMap((t) => ['--src', `${schemaFile}#/definitions/${t}`]);
  await mustRun(BIN('quicktype'), ['--src-lang', 'schema', ...lang, '--quiet', '--out', out, ...sources], { cwd: ROOT });
}

/** Deliberately wrong bodies: each proof must reject them, or it proves nothing. */
export const NEGATIVE_SAMPLES: Array<Sample & { why: string }> = [
  { id: 'negative:string-for-integer', operationId: 'getSentInviteCount', role: '200', instance: { invite_count: 'thirty' }, why: 'a string where an integer belongs' },
  { id: 'negative:object-for-list', operationId: 'listDevices', role: '200', instance: { devices: { a: 1 }, total: 1 }, why: 'an object where a list belongs' },
  { id: 'negative:number-for-boolean', operationId: 'getServerAdminStatus', role: '200', instance: { admin: 'yes' }, why: 'a string where a boolean belongs' },
];

/** A body the validators are asked about: ajv (src/validation.ts) and Python's jsonschema must agree. */
export interface AgreementCase extends BodyRef {
  id: string;
  instance: unknown;
  schemaPointer?: string;
}

const WRONG_TYPE: Record<string, unknown> = { string: 12345, number: 'twelve', boolean: 'true', object: ['not', 'an', 'object'], null: { not: 'null' } };
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'object' : typeof v);

/**
 * Small deterministic mutations of a valid body, one change each: every
 * top-level field removed, given a value of another JSON type, a string
 * field given a trailing newline (regex engines disagree about `$` there),
 * and an unknown field added.
 */
export function mutationsOf(s: Sample): AgreementCase[] {
  const base = { operationId: s.operationId, role: s.role, schemaPointer: s.schemaPointer };
  if (!s.instance || typeof s.instance !== 'object' || Array.isArray(s.instance)) return [];
  const obj = s.instance as Record<string, unknown>;
  const out: AgreementCase[] = [{ ...base, id: `${s.id}~extra-field`, instance: { ...obj, x_unexpected_field: 1 } }];
  for (const [key, value] of Object.entries(obj)) {
    const { [key]: _dropped, ...rest } = obj;
    out.push({ ...base, id: `${s.id}~without-${key}`, instance: rest });
    out.push({ ...base, id: `${s.id}~wrong-type-${key}`, instance: { ...obj, [key]: WRONG_TYPE[typeName(value)] } });
    if (typeof value === 'string') out.push({ ...base, id: `${s.id}~newline-${key}`, instance: { ...obj, [key]: `${value}\n` } });
  }
  return out;
}
