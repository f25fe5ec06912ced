// Entry of the wellness bench's ES5 bundle (bench/wellness-engine.ts): the firmware's
// wellness hooks as plain properties of the global WellnessBench, which the bundle's banner
// declares. The driver loop that calls them is appended after the bundle.
import { wellness_boot, wellness_on_motion, wellness_on_hrv, wellness_tick } from "../../firmware/wellness/wellness.js";

WellnessBench.boot = wellness_boot;
WellnessBench.on_motion = wellness_on_motion;
WellnessBench.on_hrv = wellness_on_hrv;
WellnessBench.tick = wellness_tick;
