/**
 * `describe` when the environment variable a suite needs is set; otherwise the suite is reported
 * as not run, with the reason in its name. CI (.ci/run) sets every such variable, so there
 * nothing is skipped silently.
 */
export function describeIfEnv(variable: string): jest.Describe {
  if (process.env[variable]) return describe;
  return ((name: string, fn: () => void) => {
    // eslint-disable-next-line jest/no-disabled-tests
    describe.skip(`${name} (not run: ${variable} is not set)`, fn);
  }) as unknown as jest.Describe;
}
