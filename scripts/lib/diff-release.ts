// The versioning rule: the package version (package.json) follows semver,
// judged by what `npm run diff` finds between the bundle of the last
// release and the bundle being released.
//
//   breaking change found      -> major bump (minor while the version is 0.x)
//   only non-breaking changes  -> minor bump (patch while the version is 0.x)
//   no change to the API       -> patch bump is enough (docs, tooling)
//
// 0.x follows the usual convention that the minor number plays the role of
// the major one before 1.0.0.
import type { Change } from './diff.ts';

export type Bump = 'major' | 'minor' | 'patch' | 'none';
const ORDER: Bump[] = ['none', 'patch', 'minor', 'major'];

interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(v: string): Version {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(v.trim());
  if (!m) throw new Error(`"${v}" is not a semantic version (MAJOR.MINOR.PATCH)`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

/** The smallest bump the changes demand, from a release at version `from`. */
export function requiredBump(changes: Change[], from: string): Bump {
  const pre1 = parseVersion(from).major === 0;
  if (changes.some((c) => c.severity === 'breaking')) return pre1 ? 'minor' : 'major';
  if (changes.length > 0) return pre1 ? 'patch' : 'minor';
  return 'none';
}

/** The bump between two versions; throws when `to` is not above `from`. */
export function bumpBetween(from: string, to: string): Bump {
  const a = parseVersion(from);
  const b = parseVersion(to);
  if (b.major !== a.major) {
    if (b.major < a.major) throw new Error(`version went down from ${from} to ${to}`);
    return 'major';
  }
  if (b.minor !== a.minor) {
    if (b.minor < a.minor) throw new Error(`version went down from ${from} to ${to}`);
    return 'minor';
  }
  if (b.patch < a.patch) throw new Error(`version went down from ${from} to ${to}`);
  return b.patch > a.patch ? 'patch' : 'none';
}

/** Undefined when `to` is a large enough step from `from` for these changes; otherwise the reason it is not. */
export function checkRelease(from: string, to: string, changes: Change[]): string | undefined {
  const need = requiredBump(changes, from);
  const got = bumpBetween(from, to);
  if (ORDER.indexOf(got) >= ORDER.indexOf(need)) return undefined;
  const breaking = changes.filter((c) => c.severity === 'breaking').length;
  const why = breaking > 0 ? `${breaking} breaking change${breaking > 1 ? 's' : ''}` : `${changes.length} non-breaking change${changes.length > 1 ? 's' : ''}`;
  return `version ${to} is a ${got === 'none' ? 'no' : got} bump from ${from}, but ${why} since then need${breaking === 1 || (breaking === 0 && changes.length === 1) ? 's' : ''} a ${need} bump`;
}
