// Every physical figure the energy model uses, with where it comes from. Figures marked
// `assumption` are not datasheet values: they are this model's choices, named so they can
// be argued with. Currents are typical values at 25 °C.

export interface Figure {
  value: number;
  unit: string;
  source: string;
}

const NRF = 'Nordic Semiconductor, nRF52840 Product Specification v1.7';
const MAX = 'Maxim Integrated, MAX30101 data sheet (19-7740 Rev 1)';
const BMA = 'Bosch Sensortec, BMA400 data sheet (BST-BMA400-DS000)';

export const DATASHEET = {
  mcu_clock_hz: { value: 64_000_000, unit: 'Hz', source: `${NRF}, 1 Key features: 64 MHz Arm Cortex-M4F` },
  mcu_supply_v: { value: 3.0, unit: 'V', source: `${NRF}, 5.2 Current consumption: common conditions, VDD = 3 V` },
  mcu_run_a: { value: 3.3e-3, unit: 'A', source: `${NRF}, 5.2 Current consumption: CPU running CoreMark at 64 MHz from flash, cache enabled, DC/DC (52 µA/MHz)` },
  mcu_sleep_a: { value: 3.16e-6, unit: 'A', source: `${NRF}, 5.2 Current consumption: System ON, full 256 kB RAM retention, wake on RTC` },
  radio_tx_a: { value: 4.8e-3, unit: 'A', source: `${NRF}, 5.2 Current consumption, radio: TX 0 dBm, DC/DC, Bluetooth Low Energy` },
  radio_rx_a: { value: 4.6e-3, unit: 'A', source: `${NRF}, 5.2 Current consumption, radio: RX 1 Mbps Bluetooth Low Energy, DC/DC (applied to 2 Mbps too)` },
  radio_ramp_s: { value: 40e-6, unit: 's', source: `${NRF}, 6.20 RADIO electrical specification: tTXEN / tRXEN, fast ramp-up` },
  flash_word_write_s: { value: 41e-6, unit: 's', source: `${NRF}, 4.3 NVMC electrical specification: tWRITE (32-bit word), max` },
  flash_page_erase_s: { value: 85e-3, unit: 's', source: `${NRF}, 4.3 NVMC electrical specification: tERASEPAGE (4 kB page), max` },
  flash_page_bytes: { value: 4096, unit: 'B', source: `${NRF}, 4.2 Memory: flash page size 4 kB` },
  flash_op_a: { value: 3.3e-3, unit: 'A', source: 'assumption: the NVMC draws the CPU run current while it writes or erases (the product specification gives the times)' },
  ppg_supply_a_at_50sps: { value: 600e-6, unit: 'A', source: `${MAX}, Electrical characteristics: IDD, SpO2 and HR modes, PW = 215 µs, 50 sps (scaled linearly with the sample rate)` },
  ppg_supply_v: { value: 1.8, unit: 'V', source: `${MAX}, Electrical characteristics: VDD = 1.8 V` },
  ppg_led_a: { value: 6.2e-3, unit: 'A', source: `${MAX}, LED current control: LED1_PA = 0x1F, 6.2 mA typical` },
  ppg_led_pulse_s: { value: 215e-6, unit: 's', source: `${MAX}, SpO2 configuration: LED_PW = 215 µs (17-bit ADC)` },
  ppg_led_v: { value: 3.3, unit: 'V', source: `${MAX}, Electrical characteristics: VLED+ 3.1..5.0 V (3.3 V rail)` },
  accel_a: { value: 0.85e-6, unit: 'A', source: `${BMA}, 1 Specification: current consumption, low-power mode, ODR 25 Hz` },
  accel_v: { value: 1.8, unit: 'V', source: `${BMA}, 1 Specification: VDD 1.8 V` },
  cycles_per_instruction: { value: 1, unit: 'cycle', source: 'assumption: one x86-64 instruction counted by callgrind stands for one Cortex-M4 cycle' },
} satisfies Record<string, Figure>;

export type DatasheetKey = keyof typeof DATASHEET;

/** The battery and the usage profile: stated choices, not datasheet figures. */
export const PROFILE = {
  battery_mah: 22,
  battery_v: 3.7,
  rate_hz: 25,
  streaming_s_per_day: 3600,
  history_syncs_per_day: 1,
} as const;
