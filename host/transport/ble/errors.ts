// BlueZ and D-Bus failures as one-line errors that say what to do. A BleError is about the
// radio, the adapter or the ring, not about ring-sim: the CLI reports it as `error: ...`
// with exit 2 (host/cli/errors.ts). A dropped link (org.bluez.Error.NotConnected) becomes a
// DisconnectedError instead, which the protocol client answers by reconnecting.

import { DisconnectedError, TransportError } from '../transport.js';

export class BleError extends TransportError {
  constructor(message: string) {
    super(message);
    this.name = 'BleError';
  }
}

export const README_HINT = "see 'Using a real ring on Linux' in the README";

/** The D-Bus error name of a failed call (dbus-next DBusError.type), or null. */
export function dbusErrorName(err: unknown): string | null {
  const t = (err as { type?: unknown } | null)?.type;
  return typeof t === 'string' ? t : null;
}

function dbusText(err: unknown): string {
  const e = err as { text?: unknown; message?: unknown };
  const text = typeof e?.text === 'string' && e.text !== '' ? e.text : typeof e?.message === 'string' ? e.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Turn a failure of a node-ble / D-Bus call into the error the host reports. `what` says
 * what was being done ("connect to C0:FF:EE:00:00:01"), `adapter` names the adapter.
 */
export function mapBluezError(err: unknown, what: string, adapter: string): Error {
  if (err instanceof TransportError) return err;
  const name = dbusErrorName(err);
  const text = dbusText(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
    const address = process.env.DBUS_SYSTEM_BUS_ADDRESS ?? 'unix:path=/var/run/dbus/system_bus_socket';
    return new BleError(`${what}: cannot reach the system D-Bus at ${address} (${code}): is dbus running?`);
  }
  switch (name) {
    case 'org.freedesktop.DBus.Error.ServiceUnknown':
    case 'org.freedesktop.DBus.Error.NameHasNoOwner':
      return new BleError(`${what}: BlueZ is not running (no org.bluez on the system bus): start it with 'sudo systemctl start bluetooth'`);
    case 'org.freedesktop.DBus.Error.AccessDenied':
    case 'org.bluez.Error.NotAuthorized':
      return new BleError(`${what}: permission denied (${text}): join the 'bluetooth' group or add a polkit rule; ${README_HINT}`);
    case 'org.freedesktop.DBus.Error.NoReply':
    case 'org.freedesktop.DBus.Error.Timeout':
      return new BleError(`${what}: BlueZ did not answer in time (${text})`);
    case 'org.bluez.Error.NotReady':
      return new BleError(`${what}: adapter ${adapter} is not ready (powered off?): run 'bluetoothctl power on'`);
    case 'org.bluez.Error.InProgress':
    case 'org.bluez.Error.AlreadyConnected':
    case 'org.bluez.Error.Busy':
      return new BleError(`${what}: busy: another operation on this ring or adapter is in progress (${text}); close other apps using the ring and retry`);
    case 'org.bluez.Error.NotConnected':
      return new DisconnectedError(`${what}: not connected (${text})`);
    case 'org.bluez.Error.NotPermitted':
      return new BleError(`${what}: not permitted by the ring (${text}): it may need pairing ('bluetoothctl pair <address>')`);
    case 'org.bluez.Error.AuthenticationFailed':
    case 'org.bluez.Error.AuthenticationRejected':
    case 'org.bluez.Error.AuthenticationCanceled':
    case 'org.bluez.Error.AuthenticationTimeout':
      return new BleError(`${what}: pairing failed (${text}): remove the bond ('bluetoothctl remove <address>') and pair again`);
    case 'org.bluez.Error.DoesNotExist':
      return new BleError(`${what}: BlueZ no longer knows this ring (${text}): run 'ring scan'`);
    case 'org.bluez.Error.Failed':
      // BlueZ answers "Not connected" with Failed when the link went down under a call.
      if (/not connected/i.test(text)) return new DisconnectedError(`${what}: not connected (${text})`);
      if (/abort-by-local|page[- ]timeout|connection[- ]timeout|host is down|software caused connection abort/i.test(text)) {
        return new BleError(`${what}: the ring did not answer (${text}): out of range, off, or connected to another device`);
      }
      return new BleError(`${what} failed: ${text}`);
    default:
      if (name !== null) return new BleError(`${what} failed: ${name}: ${text}`);
      return new BleError(`${what} failed: ${text}`);
  }
}
