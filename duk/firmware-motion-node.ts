// The same pipeline-with-tracker for Node (make firmware-motion), for the Node-vs-Duktape
// differential test on a recording with an accelerometer.
import { ring_motion_attach } from "../firmware/main.js";
import { motion_on_samples } from "../firmware/dsp/motion.js";

ring_motion_attach(motion_on_samples);
export { ring_boot, ring_on_sensor_irq } from "../firmware/main.js";
