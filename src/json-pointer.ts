// JSON pointers (RFC 6901) and local `$ref`s inside one OpenAPI document.
// The pointer syntax itself is the jsonpointer library's job; this module
// only adds the `#` fragment form OpenAPI uses and follows `$ref` chains.
import jsonpointer from 'jsonpointer';

/** The value at a JSON pointer (`/a/b`, `#/a/b`, `''` or `#` for the root), or undefined. */
export function pointerGet(doc: unknown, pointer: string): any {
  const p = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (p === '') return doc;
  try {
    return jsonpointer.get(doc as object, p);
  } catch {
    return undefined; // not a valid pointer: nothing is there
  }
}

/** Follows local `$ref`s (`#/components/…`) until it reaches a node that is not a reference. */
export function derefLocal<T = any>(doc: unknown, node: any): T {
  let n = node;
  for (let hops = 0; n && typeof n === 'object' && typeof n.$ref === 'string' && n.$ref.startsWith('#'); hops++) {
    if (hops > 64) throw new Error(`$ref cycle at ${n.$ref}`);
    n = pointerGet(doc, n.$ref);
  }
  return n as T;
}

/** Escapes one segment for use in a JSON pointer. */
export function escapeSegment(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}
