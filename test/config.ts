/** Helpers for the tests of configuration read from the environment (src/core/config.ts). */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../src/core/config.ts';

/** Every problem `loadConfig` finds in `env`, or none when it accepts it. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}
