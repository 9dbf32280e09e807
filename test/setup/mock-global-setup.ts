// Vitest global setup: one mock (front layer + Prism child) on an ephemeral
// loopback port for the whole run, stopped in teardown whatever the tests
// did. Should the vitest process die without teardown, Prism still exits:
// it watches its IPC channel to this process (scripts/lib/mock-prism.ts).
//
// A run filtered to test files that have nothing to do with the mock
// (`npx vitest run test/lint.test.ts`) does not pay for starting Prism.
import type { TestProject } from 'vitest/node';
import { startMock, type RunningMock } from '../../scripts/lib/mock.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the shared mock, '' when this run did not start it. */
    mockUrl: string;
    /** The only bearer token the shared mock accepts. */
    mockToken: string;
    /** Pid of the shared mock's Prism child. */
    mockPrismPid: number;
  }
}

export const MOCK_TOKEN = 'e2e-admin-token';

/** False only when the run is limited to named files and none of them is a mock test. */
function runNeedsMock(project: TestProject): boolean {
  // `filenamePattern` holds the CLI's file filters (not in vitest's typed API; when it is missing we start the mock).
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  if (!Array.isArray(filters) || filters.length === 0) return true;
  // `e2e`, `test/e2e/…`, `mock`, `test/mock.test.ts` need it; `test/mock-cli.test.ts` starts its own mocks.
  return filters.some((f) => /e2e|mock(\.test(\.ts)?)?$/i.test(f));
}

export default async function setup(project: TestProject) {
  project.provide('mockToken', MOCK_TOKEN);
  if (!runNeedsMock(project)) {
    project.provide('mockUrl', '');
    project.provide('mockPrismPid', 0);
    return;
  }
  const mock: RunningMock = await startMock({ host: '127.0.0.1', port: 0, token: MOCK_TOKEN });
  project.provide('mockUrl', mock.url);
  project.provide('mockPrismPid', mock.prismPid);
  return async () => {
    await mock.stop();
  };
}
