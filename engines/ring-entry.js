// Entry of the whole firmware's ES5 bundle for embedded engines (make engines-bundle):
// firmware/ring.ts's entry points as plain properties of the global RingFirmware, which
// the bundle's banner declares (as duk/firmware-entry.js does for the radio-less bundle).
import {
  ring_boot,
  ring_on_sensor_irq,
  ring_ble_attach,
  ring_ble_connected,
  ring_ble_rx,
  ring_ble_tx_space,
  ring_auth_attach,
} from "../firmware/ring.js";

RingFirmware.ring_boot = ring_boot;
RingFirmware.ring_on_sensor_irq = ring_on_sensor_irq;
RingFirmware.ring_ble_attach = ring_ble_attach;
RingFirmware.ring_ble_connected = ring_ble_connected;
RingFirmware.ring_ble_rx = ring_ble_rx;
RingFirmware.ring_ble_tx_space = ring_ble_tx_space;
RingFirmware.ring_auth_attach = ring_auth_attach;
