import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium (CHROMIUM_PATH, set by .ci/run) headless for the console suites: no sandbox
 * (CI runs as root), and none of the background traffic a first run would start.
 */
export function launchChromium(): Promise<Browser> {
  const path = process.env.CHROMIUM_PATH;
  if (!path || !existsSync(path)) throw new Error(`CHROMIUM_PATH=${path} does not exist`);
  return chromium.launch({
    executablePath: path,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
