// Entry of the driver's ES5 bundle: replays the script through the global RingHost (the
// engine host's natives) into the already loaded RingFirmware; the result lands in
// RingDriverResult (0 ok, negative: the script or the boot failed).
import { driver_run } from "./driver/driver.js";

RingDriverResult = driver_run(RingFirmware, RingHost);
