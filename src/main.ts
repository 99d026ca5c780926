/**
 * Entry point: `node src/main.ts <command>` (also `npm run machi -- <command>`). Reads the
 * configuration once, reports every problem, then runs the command.
 */
import { ConfigError, loadConfig, type Config } from './core/config.ts';
import { runCli } from './cli/index.ts';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const demoDefault = argv.includes('--demo');
  let config: Config;
  try {
    config = loadConfig(process.env, { demo: demoDefault });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`machi: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const code = await runCli(argv.filter((a) => a !== '--demo'), config);
  if (code !== undefined) process.exit(code);
}

await main();
