// Hardware abstraction layer: everything the firmware touches outside itself goes
// through this interface. The simulator (sim/hal) and the Duktape C host (build/duk)
// implement it; the firmware never reads a clock or a device any other way.

export interface Hal {
  /**
   * Configure the PPG analog front end: sample rate, FIFO watermark (the sample count at
   * which the sensor raises its interrupt) and the span of FIFO samples each IMU activity
   * figure covers (motion_activity_read). Returns 0 or an error code.
   */
  sensor_configure(sample_rate_hz: number, watermark_samples: number, span_samples: number): number;
  /** Pop up to max_count samples from the sensor FIFO into dst[0..]; returns the count popped. */
  sensor_read(dst: Int32Array, max_count: number): number;
  /** Samples the FIFO dropped because it was full, since the previous call. */
  sensor_overflow_count(): number;
  /**
   * Pop up to max_count IMU activity figures (mg) into dst, oldest first: one per span of
   * span_samples FIFO samples counted from sensor_configure, each the largest change of
   * acceleration magnitude between consecutive IMU samples over the 200 ms up to the span's
   * end, in its own FIFO beside the samples' (as a sensor hub with a synced accelerometer
   * gives one per FIFO frame). A span's figure is there once its last sample is in the
   * FIFO (the last, shorter span of a stream that ends, with its last sample). Returns the
   * count popped; 0 on a ring without an IMU (the firmware takes 0 for such spans).
   */
  motion_activity_read(dst: Int16Array, max_count: number): number;
  /**
   * Pop up to max_count accelerometer samples (x, y, z in mg, interleaved: 3 entries per
   * sample) from the IMU FIFO into dst. The IMU runs on the PPG sensor's sample clock at
   * the rate sensor_configure set, so sample i pairs with PPG sample i of the same read.
   * Returns the count popped; 0 on a ring without an IMU, or when a read fails: a failed
   * read drops the samples it would have popped, so the next read pairs with its PPG
   * samples again.
   */
  imu_read(dst: Int16Array, max_count: number): number;
  /**
   * Whether the ring has an IMU: read at boot, where the firmware decides whether the
   * motion heart-rate tracker runs (a failed IMU read later skips one batch, no more).
   */
  imu_present(): boolean;
  /** Milliseconds since boot, from the ring's real-time clock. */
  clock_ms(): number;
  /** Output sink: one record, `kind` from firmware/output.ts, fields record[0..field_count). */
  emit(kind: number, record: Int32Array, field_count: number): void;
}

/**
 * The BLE controller as the GATT server sees it: ATT PDUs in and out of one connection.
 * Attached after boot with ring_ble_attach; a ring without a radio (the Duktape host)
 * never attaches one.
 */
export interface BleHal {
  /** Queue one ATT PDU (server to client). Returns 0, or -1 when the link's TX queue is full or it is down. */
  att_send(pdu: Uint8Array, length: number): number;
  /** Battery state of charge, 0..100 %. */
  battery_percent(): number;
}

/**
 * The ring's NOR flash (sim/flash/nor-flash.ts in the simulator): erased bytes read 0xFF,
 * a write only clears bits, writes cover whole write units, an erase covers one sector.
 * Addresses are absolute; firmware/flash-map.ts says which range belongs to whom. Every
 * call returns 0 or a negative error. A power cut ends the firmware inside a call.
 */
export interface FlashHal {
  flash_read(addr: number, dst: Uint8Array, dst_offset: number, length: number): number;
  /** addr and length are multiples of flash_write_unit_bytes(). */
  flash_write(addr: number, src: Uint8Array, src_offset: number, length: number): number;
  /** addr is a sector start. */
  flash_erase(addr: number): number;
  flash_sector_bytes(): number;
  flash_write_unit_bytes(): number;
  flash_size_bytes(): number;
  /**
   * Optional: the platform's native CRC-32 (zlib's, firmware/store/crc32.ts), continuing the
   * running value crc (from 0xFFFFFFFF, not yet finally xored) over buf[from, to). A C SDK
   * gives one for a few cycles a byte; an interpreter spends thousands a byte on the
   * firmware's own. Without it the firmware computes the same value itself.
   */
  flash_crc32?(crc: number, buf: Uint8Array, from: number, to: number): number;
}

/**
 * What authentication needs from the board (firmware/auth): an entropy source for the ring
 * secret and session nonces (a hardware RNG on a real ring, the seeded PRNG in the
 * simulator), and the physical action that opens the pairing window (on the charger).
 */
export interface AuthHal {
  /** 32 random bits, as an unsigned integer. */
  random_u32(): number;
  /** 1 while the ring sits on its charger, else 0. */
  charging(): number;
}
