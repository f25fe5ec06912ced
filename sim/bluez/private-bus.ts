// A private dbus-daemon (Debian package `dbus`) on a unix socket in a fresh temporary
// folder, with a policy that lets any local client own names and call anything: the bus
// the BlueZ stand-in and node-ble meet on in tests and demos, so nothing touches the
// machine's system bus. stop() kills the daemon and removes the folder.

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface PrivateBus {
  address: string;
  pid: number;
  dir: string;
  stop(): void;
}

const START_TIMEOUT_MS = 30_000;

function config(socket: string, extra_policy: string): string {
  return `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
  </policy>
${extra_policy}
</busconfig>
`;
}

/**
 * Start the daemon; resolves once it accepts connections. `extra_policy` is appended to
 * the configuration (a test gives a <policy context="mandatory"> that denies something).
 */
export function startPrivateBus(opts: { extra_policy?: string } = {}): Promise<PrivateBus> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ring-dbus-'));
  const socket = path.join(dir, 'bus');
  const conf = path.join(dir, 'bus.conf');
  fs.writeFileSync(conf, config(socket, opts.extra_policy ?? ''));
  let child: ChildProcess;
  try {
    child = spawn('dbus-daemon', ['--config-file', conf, '--nofork', '--nopidfile', '--print-address=1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const stop = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return new Promise<PrivateBus>((resolve, reject) => {
    let out = '';
    let err_text = '';
    const timer = setTimeout(() => fail(new Error(`dbus-daemon did not start within ${START_TIMEOUT_MS / 1000} s: ${err_text.trim()}`)), START_TIMEOUT_MS);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      stop();
      reject(e);
    };
    child.on('error', (e) => fail(new Error(`cannot run dbus-daemon (Debian package 'dbus'; make deps installs it): ${e.message}`)));
    child.stderr!.on('data', (d: Buffer) => {
      err_text += d.toString();
    });
    child.on('exit', (code) => fail(new Error(`dbus-daemon exited with ${code}: ${err_text.trim()}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.removeAllListeners('data');
      child.unref();
      (child.stdout as unknown as { unref?: () => void }).unref?.();
      (child.stderr as unknown as { unref?: () => void }).unref?.();
      resolve({ address: out.slice(0, nl).trim(), pid: child.pid!, dir, stop });
    });
  });
}
