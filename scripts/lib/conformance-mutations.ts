// Mutation testing of the schemas: take a valid example, break it in one
// place the schema says is constrained, and expect the validator to
// reject it. Operators (each applied wherever the schema makes it apply):
//   drop-required       remove a present field the object requires
//   drop-dependent      remove a field that another present field requires (dependentRequired)
//   wrong-type          replace a typed value by one of a type the schema does not allow
//   null                replace a value by null where null is not allowed
//   outside-enum        replace an enum/const value by a value of the same type not listed
//   extra-property      add an unknown field where additionalProperties is false
//   bad-property-name   add a map key that breaks propertyNames (value copied from a valid entry)
// Pure data: no validator involved; the tests and the report run them.
import { pointerGet } from '../../src/json-pointer.ts';

export type Operator = 'drop-required' | 'drop-dependent' | 'wrong-type' | 'null' | 'outside-enum' | 'extra-property' | 'bad-property-name';
export const OPERATORS: Operator[] = ['drop-required', 'drop-dependent', 'wrong-type', 'null', 'outside-enum', 'extra-property', 'bad-property-name'];

export interface Mutation {
  /** `<schemaKey> <operator> <pointer>`: the same for every base example. */
  key: string;
  operator: Operator;
  /** Where the change is, as a JSON pointer into the instance. */
  pointer: string;
  instance: unknown;
  description: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** What the schema says about one place of an instance, with $ref, allOf and anyOf/oneOf folded in. */
export interface Effective {
  /** Allowed JSON types; undefined when unconstrained. `number` includes integers. */
  types?: Set<string>;
  enum?: unknown[];
  properties: Record<string, any>;
  required: string[];
  dependentRequired: Record<string, string[]>;
  /** `false`, a schema, or undefined (open). */
  additionalProperties?: any;
  propertyNames?: any;
  items?: any;
  /** Set when anyOf/oneOf applies: only the branch matching the instance's type is walked. */
  opaque: boolean;
  branches: any[];
}

export const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export { pointerGet };

function typesOf(node: any): Set<string> | undefined {
  if (node.type === undefined) return undefined;
  return new Set(Array.isArray(node.type) ? node.type : [node.type]);
}

function intersect(a: Set<string> | undefined, b: Set<string> | undefined): Set<string> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out = new Set<string>();
  for (const t of a) if (b.has(t) || (t === 'integer' && b.has('number'))) out.add(t);
  for (const t of b) if (t === 'integer' && a.has('number')) out.add(t);
  return out;
}

/** Folds a schema node (following $ref into `doc`) into what constrains an instance at that place. */
export function effective(doc: unknown, node: any, seen = new Set<any>()): Effective {
  const out: Effective = { properties: {}, required: [], dependentRequired: {}, opaque: false, branches: [] };
  if (node === true || node === undefined || node === null || typeof node !== 'object' || seen.has(node)) return out;
  seen = new Set(seen).add(node);
  const merge = (e: Effective) => {
    out.types = intersect(out.types, e.types);
    if (e.enum) out.enum = e.enum;
    Object.assign(out.properties, e.properties);
    out.required = [...new Set([...out.required, ...e.required])];
    Object.assign(out.dependentRequired, e.dependentRequired);
    if (e.additionalProperties !== undefined) out.additionalProperties = e.additionalProperties;
    if (e.propertyNames !== undefined) out.propertyNames = e.propertyNames;
    if (e.items !== undefined) out.items = e.items;
    out.opaque ||= e.opaque;
    out.branches.push(...e.branches);
  };
  if (typeof node.$ref === 'string') merge(effective(doc, pointerGet(doc, node.$ref), seen));
  for (const sub of node.allOf ?? []) merge(effective(doc, sub, seen));
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (!Array.isArray(node[key])) continue;
    const branches = node[key].map((b: any) => effective(doc, b, seen));
    const union = new Set<string>();
    let known = true;
    for (const b of branches) {
      if (!b.types) known = false;
      else for (const t of b.types) union.add(t);
    }
    out.types = intersect(out.types, known ? union : undefined);
    out.opaque = true;
    out.branches.push(...node[key]);
  }
  out.types = intersect(out.types, typesOf(node));
  if (Array.isArray(node.enum)) out.enum = node.enum;
  if ('const' in node) out.enum = [node.const];
  if (node.properties) Object.assign(out.properties, node.properties);
  if (Array.isArray(node.required)) out.required = [...new Set([...out.required, ...node.required])];
  if (node.dependentRequired) Object.assign(out.dependentRequired, node.dependentRequired);
  if (node.additionalProperties !== undefined) out.additionalProperties = node.additionalProperties;
  if (node.propertyNames !== undefined) out.propertyNames = node.propertyNames;
  if (node.items !== undefined) out.items = node.items;
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

const article = (t: string) => `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`;

function allows(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === 'integer' && types.has('number'));
}

const WRONG_TYPE_CANDIDATES: Array<[string, Json]> = [
  ['string', 'mutated'],
  ['integer', 4242],
  ['boolean', true],
  ['array', []],
  ['object', {}],
];

function wrongTypeValue(types: Set<string>): Json | undefined {
  return WRONG_TYPE_CANDIDATES.find(([t]) => !allows(types, t))?.[1];
}

function nullAllowed(e: Effective): boolean {
  if (!e.types) return true;
  if (allows(e.types, 'null')) return true;
  return e.enum !== undefined && e.enum.includes(null);
}

function outsideEnum(values: unknown[], current: unknown): Json | undefined {
  const t = jsonType(current);
  if (t === 'string') {
    let candidate = `${String(current)}-not-listed`;
    while (values.includes(candidate)) candidate += 'x';
    return candidate;
  }
  if (t === 'integer' || t === 'number') return Math.max(...values.filter((v): v is number => typeof v === 'number')) + 1;
  if (t === 'boolean') return values.includes(!current) ? undefined : !current;
  return undefined;
}

/** A key that breaks `propertyNames` (only the shapes the spec uses: a pattern, possibly behind $ref). */
function badPropertyName(doc: unknown, names: any): string | undefined {
  const e = effective(doc, names);
  let pattern: string | undefined;
  const find = (n: any): void => {
    if (!n || typeof n !== 'object') return;
    if (typeof n.pattern === 'string') pattern = n.pattern;
    if (typeof n.$ref === 'string') find(pointerGet(doc, n.$ref));
    for (const s of n.allOf ?? []) find(s);
  };
  find(names);
  if (!pattern && !e.enum) return undefined;
  for (const candidate of ['mutated key', 'x', '0', '@mutated:example.org', '!mutated:example.org']) {
    if (pattern && new RegExp(pattern, 'u').test(candidate)) continue;
    if (e.enum && e.enum.includes(candidate)) continue;
    return candidate;
  }
  return undefined;
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function setAt(root: Json, pointer: string, value: Json | undefined): Json {
  if (pointer === '') return value as Json;
  const copy = clone(root);
  const parts = pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop()!;
  const parent = parts.reduce<any>((acc, k) => acc[k], copy);
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return copy;
}

/**
 * Every applicable mutation of `base` (a valid instance of `schema`).
 * `schemaKey` names the schema in the mutation keys. Recurses into the
 * properties present in the instance, the first item of each array and
 * the first entry of each map.
 */
export function mutationsOf(doc: unknown, schemaKey: string, schema: any, base: unknown): Mutation[] {
  const out: Mutation[] = [];
  const add = (operator: Operator, pointer: string, instance: Json, description: string) =>
    out.push({ key: `${schemaKey} ${operator} ${pointer || '/'}`, operator, pointer, instance, description });
  const root = base as Json;

  const visit = (node: any, value: Json, pointer: string, branchOnly = false) => {
    const e = effective(doc, node);
    const where = pointer || 'the body';
    if (!branchOnly && e.types) {
      const wrong = wrongTypeValue(e.types);
      if (wrong !== undefined) add('wrong-type', pointer, setAt(root, pointer, wrong), `${where}: ${JSON.stringify(wrong)} (${article(jsonType(wrong))}) where ${[...e.types].join(' or ')} is required`);
    }
    if (!branchOnly && !nullAllowed(e)) add('null', pointer, setAt(root, pointer, null), `${where}: null where it is not allowed`);
    if (!branchOnly && e.enum) {
      const other = outsideEnum(e.enum, value);
      if (other !== undefined) add('outside-enum', pointer, setAt(root, pointer, other), `${where}: ${JSON.stringify(other)}, not one of ${e.enum.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    if (e.opaque) {
      // anyOf/oneOf: walk the one branch that admits the value's type, if exactly one does.
      const t = jsonType(value);
      const fits = e.branches.filter((b) => {
        const types = effective(doc, b).types;
        return types !== undefined && allows(types, t);
      });
      if (fits.length === 1) visit(fits[0], value, pointer, true);
      return;
    }
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const key of e.required) {
        if (key in value) add('drop-required', `${pointer}/${escapePointer(key)}`, setAt(root, `${pointer}/${escapePointer(key)}`, undefined), `${where}: required field "${key}" removed`);
      }
      for (const [key, deps] of Object.entries(e.dependentRequired)) {
        if (!(key in value)) continue;
        for (const dep of deps) {
          if (dep in value && !e.required.includes(dep)) {
            add('drop-dependent', `${pointer}/${escapePointer(dep)}`, setAt(root, `${pointer}/${escapePointer(dep)}`, undefined), `${where}: "${dep}" removed although "${key}" is present`);
          }
        }
      }
      if (e.additionalProperties === false) {
        let name = 'mutated_extra_field';
        while (name in value) name += '_';
        add('extra-property', `${pointer}/${name}`, setAt(root, `${pointer}/${name}`, 'mutated'), `${where}: unknown field "${name}" where none is allowed`);
      }
      const entries = Object.entries(value);
      if (e.propertyNames !== undefined && entries.length > 0) {
        const bad = badPropertyName(doc, e.propertyNames);
        if (bad !== undefined && !(bad in value)) {
          add('bad-property-name', `${pointer}/${escapePointer(bad)}`, setAt(root, `${pointer}/${escapePointer(bad)}`, clone(entries[0]![1])), `${where}: key "${bad}" that the key schema rejects`);
        }
      }
      let mapEntryVisited = false;
      for (const [key, child] of entries) {
        const childPointer = `${pointer}/${escapePointer(key)}`;
        if (key in e.properties) visit(e.properties[key], child, childPointer);
        else if (e.additionalProperties && typeof e.additionalProperties === 'object' && !mapEntryVisited) {
          mapEntryVisited = true;
          visit(e.additionalProperties, child, childPointer);
        }
      }
    } else if (Array.isArray(value) && value.length > 0 && e.items !== undefined && e.items !== true) {
      visit(e.items, value[0]!, `${pointer}/0`);
    }
  };
  visit(schema, root, '');
  return out;
}
