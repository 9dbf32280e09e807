// The decisions of the conformance suite, as data:
//   - KNOWN_DIFFERENCES: old-era docs examples that do not validate against
//     today's schemas, each with the exact pointers and keywords that fail
//     and why. The tests assert that such an example fails for exactly
//     these and for no other reason, and that each reason holds (see
//     REASONS).
//   - MUTATION_SURVIVORS: mutations of valid examples that the schemas
//     accept on purpose, with the reason. Empty while the kill rate is 100%.

/** Why an old example differs from today's schema. Each reason is checked against the spec by the tests. */
export const REASONS = {
  /**
   * The example shows `0`/`1` for a boolean. The schema node carries
   * `x-synapse-sqlite-int-bool: true` (decision D1); the validator's
   * `sqliteIntBools` option accepts the value.
   */
  sqliteIntBool: 'docs before 1.156.0 showed 0/1 for this boolean; servers on PostgreSQL send true/false, servers on SQLite may send 0/1 (D1)',
  /**
   * The field is required today and its `x-synapse-added-in` release is
   * newer than the newest release the capture can document.
   */
  addedLater: 'the field is required today but was added in a release newer than this docs era (x-synapse-added-in)',
  /**
   * The field is required today, its `x-synapse-added-in` is `unknown`
   * (no changelog line dates it), and the capture does not show it.
   */
  addedUnknownRelease: 'the field is required today; no changelog line dates its addition (x-synapse-added-in: unknown) and this era does not show it',
  /**
   * The server of that era already sent the field (it has no
   * `x-synapse-added-in`, or one older than the era) but the example left
   * it out; a newer era's example of the same operation shows it.
   */
  incompleteExample: 'servers of this era already sent the field; the example of this era leaves it out, a newer era shows it',
} as const;

export type ReasonCode = keyof typeof REASONS;

export interface Difference {
  /** The ajv keyword of the issue (`type`, `required`, …). */
  keyword: string;
  /** Exact JSON pointers of the issues into the example. */
  pointers: string[];
  reason: ReasonCode;
}

export interface KnownDifference {
  /** Fixture id from the manifest. */
  fixture: string;
  /** The operation the fixture is validated against. */
  operationId: string;
  differences: Difference[];
}

const users = (...fields: string[]) => ['/users/0', '/users/1'].flatMap((u) => fields.map((f) => `${u}/${f}`));
const top = (...fields: string[]) => fields.map((f) => `/${f}`);

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  // seed-004 (about 1.25-1.26, the rST docs)
  {
    fixture: 'seed-004/01-getUser-response-200',
    operationId: 'getUser',
    differences: [
      { keyword: 'required', pointers: top('shadow_banned', 'external_ids', 'last_seen_ts', 'locked', 'suspended'), reason: 'addedLater' },
      { keyword: 'required', pointers: top('erased', 'consent_ts'), reason: 'addedUnknownRelease' },
      { keyword: 'required', pointers: top('name', 'is_guest', 'user_type'), reason: 'incompleteExample' },
    ],
  },
  {
    fixture: 'seed-004/03-listUsers-response-200',
    operationId: 'listUsers',
    differences: [
      { keyword: 'type', pointers: users('is_guest', 'admin', 'deactivated'), reason: 'sqliteIntBool' },
      { keyword: 'required', pointers: users('shadow_banned', 'creation_ts', 'erased', 'locked'), reason: 'addedLater' },
    ],
  },
  // seed-000 and seed-002 (about 1.41-1.47)
  ...['seed-000', 'seed-002'].flatMap((era): KnownDifference[] => [
    {
      fixture: `${era}/01-getUser-response-200`,
      operationId: 'getUser',
      differences: [
        { keyword: 'type', pointers: top('admin', 'deactivated', 'shadow_banned'), reason: 'sqliteIntBool' },
        { keyword: 'required', pointers: top('last_seen_ts', 'locked', 'suspended'), reason: 'addedLater' },
        { keyword: 'required', pointers: top('erased', 'consent_ts'), reason: 'addedUnknownRelease' },
        { keyword: 'required', pointers: top('name', 'is_guest', 'user_type'), reason: 'incompleteExample' },
      ],
    },
    {
      fixture: `${era}/03-listUsers-response-200`,
      operationId: 'listUsers',
      differences: [
        { keyword: 'type', pointers: users('is_guest', 'admin', 'deactivated', 'shadow_banned'), reason: 'sqliteIntBool' },
        { keyword: 'required', pointers: users('erased', 'locked'), reason: 'addedLater' },
      ],
    },
  ]),
  // seed-001 (about 1.53-1.57) and seed-003 (about 1.52-1.53)
  ...['seed-001', 'seed-003'].flatMap((era): KnownDifference[] => [
    {
      fixture: `${era}/01-getUser-response-200`,
      operationId: 'getUser',
      differences: [
        { keyword: 'type', pointers: top('is_guest', 'admin', 'deactivated', 'shadow_banned'), reason: 'sqliteIntBool' },
        { keyword: 'required', pointers: top('last_seen_ts', 'locked', 'suspended'), reason: 'addedLater' },
        { keyword: 'required', pointers: top('erased', 'consent_ts'), reason: 'addedUnknownRelease' },
      ],
    },
    {
      fixture: `${era}/03-listUsers-response-200`,
      operationId: 'listUsers',
      differences: [
        { keyword: 'type', pointers: users('is_guest', 'admin', 'deactivated', 'shadow_banned'), reason: 'sqliteIntBool' },
        { keyword: 'required', pointers: users('erased', 'locked'), reason: 'addedLater' },
      ],
    },
  ]),
];

export interface MutationSurvivor {
  /** Mutation id without the base-example part: `<schemaKey> <operator> <pointer>`. */
  mutation: string;
  reason: string;
}

/** Mutations the schemas accept on purpose. */
export const MUTATION_SURVIVORS: MutationSurvivor[] = [];
