// Entry of the firmware image's payload (make firmware-image): the whole firmware
// (firmware/ring.ts, radio included) as one ES5 script that puts its entry points on the
// global RingFirmware, which the bundle's banner declares. sim/boot/loader.ts runs it.
import * as fw from "../../build/firmware-ring-es5/firmware/ring.js";

RingFirmware.ring_boot = fw.ring_boot;
RingFirmware.ring_on_sensor_irq = fw.ring_on_sensor_irq;
RingFirmware.ring_ble_attach = fw.ring_ble_attach;
RingFirmware.ring_ble_connected = fw.ring_ble_connected;
RingFirmware.ring_ble_rx = fw.ring_ble_rx;
RingFirmware.ring_ble_tx_space = fw.ring_ble_tx_space;
RingFirmware.ring_image_reset_requested = fw.ring_image_reset_requested;
