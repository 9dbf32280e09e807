// Paging through `from` / `next_token` lists. Which operations page, and
// which property holds their items, comes from the generated operation
// table (derived from the spec), never from a list kept by hand.
import { SynapseAdminError } from './errors.js';

type PageCall = (operationId: string, init: { query?: Record<string, unknown>; [key: string]: unknown }) => Promise<unknown>;

/**
 * Yields every page, starting at `init.query.from` (or the first page),
 * following `next_token` until a page comes without one. A server that
 * hands out a token it already gave (or the starting `from`) would make
 * the loop endless: that is reported as an `invalid-response` error instead.
 */
export async function* walkPages(
  call: PageCall,
  operationId: string,
  itemsKey: string,
  init: { query?: Record<string, unknown>; [key: string]: unknown } = {},
): AsyncGenerator<Record<string, unknown>, void, undefined> {
  let query: Record<string, unknown> = { ...init.query };
  const seen = new Set<string>();
  if (query.from !== undefined && query.from !== null) seen.add(String(query.from));
  for (;;) {
    const page = (await call(operationId, { ...init, query })) as Record<string, unknown>;
    if (!page || typeof page !== 'object' || !Array.isArray(page[itemsKey])) {
      throw new SynapseAdminError('invalid-response', `${operationId}: the answer has no "${itemsKey}" array, so it cannot be paged`);
    }
    yield page;
    const token = page.next_token;
    if (token === undefined || token === null) return;
    if (typeof token !== 'string' && typeof token !== 'number') {
      throw new SynapseAdminError('invalid-response', `${operationId}: next_token is ${typeof token}, expected a string or a number`);
    }
    const key = String(token);
    if (seen.has(key)) {
      throw new SynapseAdminError(
        'invalid-response',
        `${operationId}: the server sent next_token ${JSON.stringify(token)} a second time; stopped paging instead of looping forever`,
      );
    }
    seen.add(key);
    // The token goes back verbatim: the user list sends a string, the media list an integer.
    query = { ...query, from: token };
  }
}

/** Yields the items of every page in order (see walkPages for when it stops). */
export async function* walkItems(
  call: PageCall,
  operationId: string,
  itemsKey: string,
  init?: { query?: Record<string, unknown>; [key: string]: unknown },
): AsyncGenerator<unknown, void, undefined> {
  for await (const page of walkPages(call, operationId, itemsKey, init)) {
    yield* page[itemsKey] as unknown[];
  }
}
