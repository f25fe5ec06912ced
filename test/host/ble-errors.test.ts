// What each BlueZ / D-Bus failure becomes on the host: a one-line BleError (exit 2) that
// says what to do, or a DisconnectedError (the client reconnects) for a dropped link.
import t from 'tap';
import dbus from 'dbus-next';
import { BleError, mapBluezError } from '../../host/transport/ble/errors.js';
import { DisconnectedError, TransportError } from '../../host/transport/transport.js';
import { exitCodeFor, EXIT_INPUT } from '../../host/cli/errors.js';

const cases: [string, string, RegExp][] = [
  ['org.freedesktop.DBus.Error.ServiceUnknown', 'The name org.bluez was not provided', /BlueZ is not running.*systemctl start bluetooth/],
  ['org.freedesktop.DBus.Error.AccessDenied', 'Rejected send message', /permission denied.*'bluetooth' group or add a polkit rule/],
  ['org.bluez.Error.NotAuthorized', 'Operation Not Authorized', /permission denied/],
  ['org.freedesktop.DBus.Error.NoReply', 'Did not receive a reply', /BlueZ did not answer in time/],
  ['org.bluez.Error.NotReady', 'Resource Not Ready', /adapter hci0 is not ready.*bluetoothctl power on/],
  ['org.bluez.Error.InProgress', 'In Progress', /busy: another operation/],
  ['org.bluez.Error.AlreadyConnected', 'Already Connected', /busy/],
  ['org.bluez.Error.NotPermitted', 'Write not permitted', /not permitted by the ring.*bluetoothctl pair/],
  ['org.bluez.Error.AuthenticationFailed', 'Authentication Failed', /pairing failed.*bluetoothctl remove/],
  ['org.bluez.Error.DoesNotExist', 'Does Not Exist', /no longer knows this ring.*ring scan/],
  ['org.bluez.Error.Failed', 'le-connection-abort-by-local', /the ring did not answer.*out of range/],
  ['org.bluez.Error.Failed', 'Page Timeout', /the ring did not answer/],
  ['org.bluez.Error.Failed', 'Failed to initiate write', /connect to R failed: Failed to initiate write/],
  ['org.example.Error.Odd', 'odd', /connect to R failed: org.example.Error.Odd: odd/],
];

t.test('D-Bus error names', async (t) => {
  for (const [name, text, pattern] of cases) {
    const err = mapBluezError(new dbus.DBusError(name, text), 'connect to R', 'hci0');
    t.type(err, BleError, name);
    t.match(err.message, pattern, name);
    t.notMatch(err.message, /\n/, 'one line');
    t.equal(exitCodeFor(err), EXIT_INPUT, `${name}: exit 2`);
  }
});

t.test('a dropped link is a reconnect, not an error for the user', async (t) => {
  const err = mapBluezError(new dbus.DBusError('org.bluez.Error.NotConnected', 'Not Connected'), 'write to R', 'hci0');
  t.type(err, DisconnectedError);
  t.type(mapBluezError(new dbus.DBusError('org.bluez.Error.Failed', 'Not connected'), 'write to R', 'hci0'), DisconnectedError, 'Failed: Not connected too');
});

t.test('socket errors and errors already mapped', async (t) => {
  const enoent = Object.assign(new Error('connect ENOENT /x'), { code: 'ENOENT' });
  t.match(mapBluezError(enoent, 'open hci0', 'hci0').message, /cannot reach the system D-Bus.*is dbus running/);
  const mine = new TransportError('already clear');
  t.equal(mapBluezError(mine, 'x', 'hci0'), mine, 'passed through');
  t.match(mapBluezError(new Error('multi\nline'), 'scan', 'hci0').message, /^scan failed: multi line$/);
});
