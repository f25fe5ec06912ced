// Entry of the ES5 firmware bundle (make firmware): publishes the firmware's two entry
// points as plain properties of the global RingFirmware, which the bundle's banner
// declares. esbuild's --global-name export object would instead define one getter
// function per export plus four helper functions: about 13 KB more Duktape heap for the
// same two calls (measured with build/duk-ring).
import { ring_boot, ring_on_sensor_irq } from "../build/firmware-es5/firmware/main.js";

RingFirmware.ring_boot = ring_boot;
RingFirmware.ring_on_sensor_irq = ring_on_sensor_irq;
