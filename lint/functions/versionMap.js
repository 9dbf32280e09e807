// x-synapse-changed: { "<version>": "<one sentence>" } (see README, "Version vocabulary").
const VERSION = /^([0-9]+\.[0-9]+\.[0-9]+|unknown)$/;

export default function versionMap(input, _options, context) {
  const at = (key) => [...context.path, key];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ message: 'x-synapse-changed must be a map from version to sentence' }];
  }
  const problems = [];
  for (const [version, sentence] of Object.entries(input)) {
    if (!VERSION.test(version)) {
      problems.push({ message: `"${version}" is not a Synapse version (1.2.3) or "unknown"`, path: at(version) });
    }
    if (typeof sentence !== 'string' || sentence.trim() === '') {
      problems.push({ message: `the change in ${version} needs a sentence`, path: at(version) });
    }
  }
  return problems;
}
