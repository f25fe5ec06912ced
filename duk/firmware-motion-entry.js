// Entry of the ES5 bundle with the motion heart-rate tracker attached (make
// firmware-motion): the radio-less pipeline of firmware-entry.js plus dsp/motion.ts, as
// the full firmware (firmware/ring.ts) runs it. Measured apart: the radio-less bundle's
// 64 KB heap budget is nearly used by the pipeline alone.
import { ring_boot, ring_on_sensor_irq, ring_motion_attach } from "../build/firmware-es5/firmware/main.js";
import { motion_on_samples } from "../build/firmware-es5/firmware/dsp/motion.js";

ring_motion_attach(motion_on_samples);
RingFirmware.ring_boot = ring_boot;
RingFirmware.ring_on_sensor_irq = ring_on_sensor_irq;
