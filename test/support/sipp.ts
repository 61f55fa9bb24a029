import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export { eventually } from './eventually';

/** SIPp (Debian: sip-tester) playing one call of a UAS scenario from test/sipp/. */
export interface Sipp {
  /** Resolves when the scenario ran through (exit 0); rejects with SIPp's last words otherwise. */
  done: Promise<void>;
  child: ChildProcess;
  /** The SIP requests SIPp received, as it logged them (with `messageLog`). */
  received(): SipMessage[];
}

export interface SipMessage {
  startLine: string;
  /** First value of a header, by its lower-case name. */
  header(name: string): string | undefined;
}

const SCENARIOS = join(__dirname, '..', 'sipp');

/** Starts SIPp as a UAS for one call of `scenario`; `messageLog` keeps what it received, for `received()`. */
export function sippUas(scenario: string, address: string, port: number, options: { messageLog?: string; timeoutSeconds?: number; mediaPort?: number } = {}): Sipp {
  const { messageLog, timeoutSeconds = 30, mediaPort } = options;
  const args = ['-sf', join(SCENARIOS, scenario), '-i', address, '-p', String(port), '-m', '1', '-nostdin', '-timeout', `${timeoutSeconds}s`, '-timeout_error'];
  if (messageLog) args.push('-trace_msg', '-message_file', messageLog);
  // Its RTP socket (`[media_port]` in a scenario's SDP, where play_pcap_audio sends from).
  if (mediaPort) args.push('-mp', String(mediaPort));
  const { child, done } = runSipp(scenario, args);
  return { done, child, received: () => (messageLog ? receivedRequests(readFileSync(messageLog, 'utf8')) : []) };
}

/**
 * SIPp as a UAC: one call of `scenario` to `target` (drachtio-server's SIP address) dialling
 * `service` from `address:port`; `extra` are further SIPp options (`-mp`, `-rtp_echo`, …).
 */
export function sippUac(scenario: string, target: string, service: string, address: string, port: number, extra: string[] = []): Promise<void> {
  return runSipp(scenario, [target, '-sf', join(SCENARIOS, scenario), '-s', service, '-i', address, '-p', String(port),
    '-m', '1', '-nostdin', '-timeout', '30s', '-timeout_error', ...extra]).done;
}

/** Runs SIPp with `args`; `done` resolves when the scenario ran through (exit 0), else rejects with SIPp's last words. */
function runSipp(scenario: string, args: string[]): { child: ChildProcess; done: Promise<void> } {
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString('utf8')).slice(-4000); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`could not run sipp (Debian package sip-tester): ${err.message}`)));
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sipp ${scenario} exited ${code ?? signal}:\n${output}`))));
  });
  return { child, done };
}

/** The requests in a SIPp message log (`-trace_msg`): each follows a "message received" line. */
export function receivedRequests(log: string): SipMessage[] {
  return log.split(/^.*message received \[\d+\] bytes :\s*$/m).slice(1)
    .map((chunk) => chunk.replace(/^\s+/, '').split(/\r?\n\r?\n/)[0]!.split(/\r?\n/))
    .filter((lines) => !lines[0]!.startsWith('SIP/2.0'))
    .map((lines) => ({
      startLine: lines[0]!,
      header: (name: string) => lines.slice(1).find((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.replace(/^[^:]+:\s*/, ''),
    }));
}

