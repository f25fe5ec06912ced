// The ring's energy over one day of the usage profile, per component, from what the
// simulation measured: the engine's instructions per sample (callgrind), the simulated BLE
// link's connection events and packets, the bytes the firmware's log wrote to flash, and
// the datasheet figures of host/energy/datasheet.ts. Every component is turned into power
// at its own rail, and the battery supplies the sum through an ideal converter.

import { DATASHEET as D, PROFILE } from './datasheet.js';

/** What the radio did, from the peripheral's side: packets it sent and received and their time on air. */
export interface LinkActivity {
  connection_events: number;
  tx_packets: number;
  rx_packets: number;
  tx_air_us: number;
  rx_air_us: number;
}

export interface EnergyInputs {
  engine: string;
  rate_hz: number;
  firmware_instructions_per_sample: number;
  /** The link while streaming, over streaming_measured_s seconds. */
  streaming: LinkActivity;
  streaming_measured_s: number;
  /** One history sync of a day's records (scaled from the records the sync carried). */
  history: LinkActivity;
  history_records: number;
  /** Records the firmware emits per day (each one logged to flash). */
  records_per_day: number;
  /** Bytes the log wrote to the simulated flash while the ring recorded flash_measured_s seconds. */
  flash_bytes_written: number;
  flash_measured_s: number;
  phy: '1M' | '2M';
  interval_ms: number;
}

export interface EnergyComponent {
  name: string;
  avg_current_ua: number; // at the battery
  energy_j_per_day: number;
  basis: string;
}

export interface EnergyReport {
  engine: string;
  profile: typeof PROFILE;
  components: EnergyComponent[];
  total_avg_current_ua: number;
  battery_days: number;
  inputs: EnergyInputs;
  datasheet: typeof D;
}

const DAY_S = 86_400;

function radioJoules(a: LinkActivity): number {
  const v = D.mcu_supply_v.value;
  const ramps = a.tx_packets + a.rx_packets; // one ramp-up per packet turn-around
  return v * (D.radio_tx_a.value * (a.tx_air_us / 1e6) + D.radio_rx_a.value * (a.rx_air_us / 1e6) + D.radio_rx_a.value * ramps * D.radio_ramp_s.value);
}

export function energyModel(inp: EnergyInputs): EnergyReport {
  if (!(inp.firmware_instructions_per_sample >= 0) || !(inp.rate_hz > 0)) throw new RangeError('energy: instructions per sample and rate must be positive');
  const v = D.mcu_supply_v.value;
  const samples_per_day = inp.rate_hz * DAY_S;
  const cpu_s = (samples_per_day * inp.firmware_instructions_per_sample * D.cycles_per_instruction.value) / D.mcu_clock_hz.value;
  if (!(inp.flash_measured_s > 0) || !(inp.flash_bytes_written >= 0)) throw new RangeError('energy: the flash measurement needs a recording and its bytes written');
  // The flash writes 32-bit words; in the steady state the log erases a page for every
  // page it fills (a short run's own erases are mostly its first sectors, not the rate).
  const flash_bytes_per_day = (inp.flash_bytes_written * DAY_S) / inp.flash_measured_s;
  const flash_words = Math.ceil(flash_bytes_per_day / 4);
  const flash_erases = flash_bytes_per_day / D.flash_page_bytes.value;
  const flash_s = flash_words * D.flash_word_write_s.value + flash_erases * D.flash_page_erase_s.value;
  const stream_j = radioJoules(inp.streaming) * (PROFILE.streaming_s_per_day / inp.streaming_measured_s);
  const sync_scale = inp.history_records > 0 ? inp.records_per_day / inp.history_records : 0;
  const history_j = radioJoules(inp.history) * sync_scale * PROFILE.history_syncs_per_day;
  const joules: [string, number, string][] = [
    ['mcu sleep', D.mcu_sleep_a.value * v * DAY_S, `System ON sleep with RAM retained, all day (${(D.mcu_sleep_a.value * 1e6).toFixed(2)} µA)`],
    [
      `cpu (${inp.engine})`,
      D.mcu_run_a.value * v * cpu_s,
      `${inp.firmware_instructions_per_sample} instructions/sample x ${inp.rate_hz} Hz = ${(cpu_s / 864).toFixed(3)} % of the time at ${D.mcu_run_a.value * 1e3} mA`,
    ],
    [
      'radio: streaming',
      stream_j,
      `${Math.round((inp.streaming.connection_events / inp.streaming_measured_s) * 3600)} connection events/h, ${inp.streaming.tx_packets + inp.streaming.rx_packets} packets in ${inp.streaming_measured_s.toFixed(1)} s (${inp.phy}, ${inp.interval_ms} ms), ${PROFILE.streaming_s_per_day / 3600} h/day`,
    ],
    ['radio: history sync', history_j, `${inp.history.connection_events} events for ${inp.history_records} records, scaled to ${Math.round(inp.records_per_day)} records/day`],
    [
      'ppg afe',
      D.ppg_supply_a_at_50sps.value * (inp.rate_hz / 50) * D.ppg_supply_v.value * DAY_S,
      `${D.ppg_supply_a_at_50sps.value * 1e6} µA at 50 sps, scaled to ${inp.rate_hz} sps`,
    ],
    [
      'ppg led',
      D.ppg_led_a.value * D.ppg_led_pulse_s.value * samples_per_day * D.ppg_led_v.value,
      `${D.ppg_led_a.value * 1e3} mA x ${D.ppg_led_pulse_s.value * 1e6} µs per sample`,
    ],
    ['accelerometer', D.accel_a.value * D.accel_v.value * DAY_S, `${D.accel_a.value * 1e6} µA low-power mode`],
    [
      'flash log',
      D.flash_op_a.value * v * flash_s,
      `${flash_words} words written, ${flash_erases.toFixed(1)} pages erased per day (${inp.flash_bytes_written} bytes logged in ${inp.flash_measured_s.toFixed(0)} s on the simulated flash)`,
    ],
  ];
  const components = joules.map(([name, j, basis]) => ({
    name,
    energy_j_per_day: j,
    avg_current_ua: (j / DAY_S / PROFILE.battery_v) * 1e6,
    basis,
  }));
  const total_ua = components.reduce((s, c) => s + c.avg_current_ua, 0);
  const battery_days = PROFILE.battery_mah / (total_ua / 1000) / 24;
  return { engine: inp.engine, profile: PROFILE, components, total_avg_current_ua: total_ua, battery_days, inputs: inp, datasheet: D };
}
