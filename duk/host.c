/*
 * duk-ring: run the ES5 firmware bundle (dist/firmware.es5.js) on Duktape, the way the
 * simulator runs the firmware on Node, and account for every byte of the JS heap.
 *
 *   build/duk-ring --bundle dist/firmware.es5.js --input stream.i32 --rate 50
 *                  [--heap-cap-bytes N] [--stats-json FILE] [--fifo-capacity 32]
 *                  [--max-samples N] [--quiet]
 *
 * Input: the sensor stream already at the firmware rate, int32 little-endian samples
 * (tools/duk/write-stream.ts writes it). Output: one line per record the firmware emits,
 * `kind f0 f1 ...` (sim/record-text.ts defines the format), on stdout. Report on stderr;
 * with --stats-json, the same figures as one JSON line in FILE.
 *
 * Feeding schedule (identical to sim/sensor/ppg-sensor.ts with no interrupt latency, and
 * to tools/duk/node-drive.ts): sample k is taken at k * 1e6 / rate us. Repeatedly make
 * max(1, watermark - fifo_count) more samples available (a full FIFO drops a sample and
 * counts it as overflow); the virtual clock stands at the time of the last sample made
 * available; when the FIFO holds `watermark` samples, or the input is exhausted (the
 * final drain), call ring_on_sensor_irq().
 *
 * Heap accounting: custom alloc functions keep a size header in front of every block
 * and count live and peak bytes (requested sizes, headers excluded). With
 * --heap-cap-bytes an allocation that would take the live total past the cap is refused
 * (Duktape then collects garbage and retries); if the run fails because of it, the host
 * says so and exits 3. Heap figures are taken after two duk_gc(DUK_GC_COMPACT) calls.
 *
 * Exit codes: 0 ok, 2 usage, 3 heap cap exceeded, 4 JavaScript error or Duktape fatal
 * error, 5 firmware contract violation (bad return value, bad record), 6 I/O error.
 */

#include <duktape.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_USAGE 2
#define EXIT_HEAP_CAP 3
#define EXIT_JS 4
#define EXIT_CONTRACT 5
#define EXIT_IO 6

#define FIFO_CAPACITY_DEFAULT 32
#define FIFO_CAPACITY_MAX 4096

/* ---- heap accounting ------------------------------------------------------------ */

typedef union {
	size_t size;
	max_align_t align; /* keeps the block after the header aligned for any type */
} alloc_header;

static size_t heap_live = 0;
/* Peaks, each over its own window (see main): since the empty heap was measured, since the
 * compiled bundle was measured (running the bundle's top level, boot, run), since boot. */
static size_t peak_all = 0;
static size_t peak_exec = 0;
static size_t peak_run = 0;
static size_t heap_cap = 0;      /* 0: no cap */
static unsigned long cap_refusals = 0;
static size_t cap_refused_size = 0;
static size_t cap_refused_live = 0;

static void account(size_t old_size, size_t new_size) {
	heap_live = heap_live - old_size + new_size;
	if (heap_live > peak_all) peak_all = heap_live;
	if (heap_live > peak_exec) peak_exec = heap_live;
	if (heap_live > peak_run) peak_run = heap_live;
}

static int over_cap(size_t old_size, size_t new_size) {
	if (heap_cap == 0 || new_size <= old_size) return 0;
	if (heap_live - old_size + new_size <= heap_cap) return 0;
	cap_refusals++;
	cap_refused_size = new_size;
	cap_refused_live = heap_live;
	return 1;
}

static void *ring_alloc(void *udata, duk_size_t size) {
	(void) udata;
	if (size == 0) return NULL;
	if (over_cap(0, size)) return NULL;
	alloc_header *h = malloc(sizeof(alloc_header) + size);
	if (h == NULL) return NULL;
	h->size = size;
	account(0, size);
	return h + 1;
}

static void ring_free(void *udata, void *ptr) {
	(void) udata;
	if (ptr == NULL) return;
	alloc_header *h = (alloc_header *) ptr - 1;
	account(h->size, 0);
	free(h);
}

static void *ring_realloc(void *udata, void *ptr, duk_size_t size) {
	if (ptr == NULL) return ring_alloc(udata, size);
	if (size == 0) {
		ring_free(udata, ptr);
		return NULL;
	}
	alloc_header *h = (alloc_header *) ptr - 1;
	size_t old_size = h->size;
	if (over_cap(old_size, size)) return NULL;
	alloc_header *n = realloc(h, sizeof(alloc_header) + size);
	if (n == NULL) return NULL;
	n->size = size;
	account(old_size, size);
	return n + 1;
}

static void heap_cap_exit(const char *where) {
	fprintf(stderr,
	        "duk-ring: HEAP CAP EXCEEDED %s: an allocation of %zu bytes with %zu bytes live would pass "
	        "--heap-cap-bytes %zu (peak so far %zu bytes)\n",
	        where, cap_refused_size, cap_refused_live, heap_cap, peak_all);
	exit(EXIT_HEAP_CAP);
}

static void ring_fatal(void *udata, const char *msg) {
	(void) udata;
	if (cap_refusals > 0) heap_cap_exit("(Duktape fatal error)");
	fprintf(stderr, "duk-ring: Duktape fatal error: %s\n", msg != NULL ? msg : "(no message)");
	exit(EXIT_JS);
}

/*
 * Live bytes after two full collections. DUK_GC_COMPACT (Duktape's emergency mode) also
 * compacts objects and shrinks the value stack snugly, so the engine's own bookkeeping is
 * in the same canonical state at every measurement: without it the value stack keeps
 * whatever spare slots the deepest call so far left, which is not a firmware allocation.
 */
static size_t measure(duk_context *ctx) {
	/* Compaction reallocates; its transient bytes are the measurement's, not the firmware's. */
	size_t all = peak_all, exec = peak_exec, run = peak_run;
	duk_gc(ctx, DUK_GC_COMPACT);
	duk_gc(ctx, DUK_GC_COMPACT);
	peak_all = all > heap_live ? all : heap_live;
	peak_exec = exec > heap_live ? exec : heap_live;
	peak_run = run > heap_live ? run : heap_live;
	return heap_live;
}

/* ---- simulated sensor and sink --------------------------------------------------- */

static int32_t *stream = NULL;
static size_t stream_count = 0;
static int rate_hz = 0;
static int fifo_capacity = FIFO_CAPACITY_DEFAULT;
static int32_t fifo[FIFO_CAPACITY_MAX];
static int fifo_head = 0;
static int fifo_count = 0;
static int watermark = 0; /* 0 until the firmware configures the sensor */
static uint64_t overflow_pending = 0;
static uint64_t overflow_total = 0;
static int64_t now_us = 0;
/* Optional accelerometer (--accel): x, y, z mg per sample on the sensor's clock, and its FIFO. */
static int16_t *accel = NULL;
static size_t accel_count = 0; /* samples (triples) */
static int16_t imu_fifo[3 * FIFO_CAPACITY_MAX];
static int imu_head = 0;
static int imu_count = 0;
static int quiet = 0;
static uint64_t records_emitted = 0;

static duk_ret_t hal_sensor_configure(duk_context *ctx) {
	double rate = duk_require_number(ctx, 0);
	double wm = duk_require_number(ctx, 1);
	if (rate != (double) rate_hz) {
		duk_push_int(ctx, -1); /* the stream exists at the host's rate only */
		return 1;
	}
	if (wm != (double) (int) wm || wm < 1 || wm > fifo_capacity) {
		duk_push_int(ctx, -2);
		return 1;
	}
	watermark = (int) wm;
	fifo_head = 0;
	fifo_count = 0;
	overflow_pending = 0;
	imu_head = 0;
	imu_count = 0;
	duk_push_int(ctx, 0);
	return 1;
}

static duk_ret_t hal_sensor_read(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	int32_t *dst = duk_require_buffer_data(ctx, 0, &size_bytes);
	double max_count = duk_require_number(ctx, 1);
	int n = fifo_count;
	int dst_len = (int) (size_bytes / sizeof(int32_t));
	if (max_count < n) n = max_count < 0 ? 0 : (int) max_count;
	if (dst_len < n) n = dst_len;
	for (int i = 0; i < n; i++) {
		dst[i] = fifo[fifo_head];
		fifo_head++;
		if (fifo_head == fifo_capacity) fifo_head = 0;
	}
	fifo_count -= n;
	duk_push_int(ctx, n);
	return 1;
}

static duk_ret_t hal_sensor_overflow_count(duk_context *ctx) {
	duk_push_number(ctx, (double) overflow_pending);
	overflow_pending = 0;
	return 1;
}

/* No activity figures (the firmware takes 0): it gets accelerometer samples through imu_read (--accel). */
static duk_ret_t hal_motion_activity_read(duk_context *ctx) {
	duk_push_int(ctx, 0);
	return 1;
}

static duk_ret_t hal_imu_read(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	int16_t *dst = duk_require_buffer_data(ctx, 0, &size_bytes);
	double max_count = duk_require_number(ctx, 1);
	int n = imu_count;
	int dst_len = (int) (size_bytes / (3 * sizeof(int16_t)));
	if (max_count < n) n = max_count < 0 ? 0 : (int) max_count;
	if (dst_len < n) n = dst_len;
	for (int i = 0; i < n; i++) {
		for (int a = 0; a < 3; a++) dst[3 * i + a] = imu_fifo[3 * imu_head + a];
		imu_head++;
		if (imu_head == fifo_capacity) imu_head = 0;
	}
	imu_count -= n;
	duk_push_int(ctx, n);
	return 1;
}

/* The ring has an IMU when an accelerometer stream was given (--accel). */
static duk_ret_t hal_imu_present(duk_context *ctx) {
	duk_push_boolean(ctx, accel != NULL);
	return 1;
}

static void imu_push(size_t k) {
	if (accel == NULL || imu_count == fifo_capacity) return;
	int tail = imu_head + imu_count;
	if (tail >= fifo_capacity) tail -= fifo_capacity;
	for (int a = 0; a < 3; a++) imu_fifo[3 * tail + a] = k < accel_count ? accel[3 * k + a] : 0;
	imu_count++;
}

static duk_ret_t hal_clock_ms(duk_context *ctx) {
	duk_push_number(ctx, (double) (now_us / 1000));
	return 1;
}

static duk_ret_t hal_emit(duk_context *ctx) {
	double kind = duk_require_number(ctx, 0);
	duk_size_t size_bytes = 0;
	int32_t *rec = duk_require_buffer_data(ctx, 1, &size_bytes);
	double count = duk_require_number(ctx, 2);
	size_t len = size_bytes / sizeof(int32_t);
	if (kind != (double) (int32_t) kind) {
		fprintf(stderr, "duk-ring: emit: record kind %g is not a 32-bit integer\n", kind);
		exit(EXIT_CONTRACT);
	}
	if (count != (double) (int) count || count < 0 || (size_t) count > len) {
		fprintf(stderr, "duk-ring: emit: field_count %g out of range 0..%zu\n", count, len);
		exit(EXIT_CONTRACT);
	}
	records_emitted++;
	if (!quiet) {
		printf("%" PRId32, (int32_t) kind);
		for (int i = 0; i < (int) count; i++) printf(" %" PRId32, rec[i]);
		putchar('\n');
	}
	return 0;
}

static void push_hal(duk_context *ctx) {
	static const duk_function_list_entry fns[] = {
		{ "sensor_configure", hal_sensor_configure, 2 },
		{ "sensor_read", hal_sensor_read, 2 },
		{ "sensor_overflow_count", hal_sensor_overflow_count, 0 },
		{ "motion_activity_read", hal_motion_activity_read, 2 },
		{ "imu_read", hal_imu_read, 2 },
		{ "imu_present", hal_imu_present, 0 },
		{ "clock_ms", hal_clock_ms, 0 },
		{ "emit", hal_emit, 3 },
		{ NULL, NULL, 0 },
	};
	duk_push_object(ctx);
	duk_put_function_list(ctx, -1, fns);
}

/* ---- input ----------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len_out) {
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "duk-ring: cannot open %s: %s\n", path, strerror(errno));
		exit(EXIT_IO);
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (buf == NULL) {
			fprintf(stderr, "duk-ring: out of host memory reading %s\n", path);
			exit(EXIT_IO);
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0 || len < cap) {
			if (ferror(f)) {
				fprintf(stderr, "duk-ring: cannot read %s: %s\n", path, strerror(errno));
				exit(EXIT_IO);
			}
			if (feof(f)) break;
		}
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
		}
	}
	fclose(f);
	buf[len] = '\0';
	*len_out = len;
	return buf;
}

static void load_stream(const char *path, long max_samples) {
	size_t len = 0;
	unsigned char *bytes = (unsigned char *) read_file(path, &len);
	if (len % 4 != 0) {
		fprintf(stderr, "duk-ring: %s: %zu bytes is not a whole number of int32 samples\n", path, len);
		exit(EXIT_IO);
	}
	stream_count = len / 4;
	if (max_samples >= 0 && (size_t) max_samples < stream_count) stream_count = (size_t) max_samples;
	stream = malloc((stream_count > 0 ? stream_count : 1) * sizeof(int32_t));
	if (stream == NULL) {
		fprintf(stderr, "duk-ring: out of host memory for %zu samples\n", stream_count);
		exit(EXIT_IO);
	}
	for (size_t i = 0; i < stream_count; i++) {
		uint32_t u = (uint32_t) bytes[4 * i] | (uint32_t) bytes[4 * i + 1] << 8 | (uint32_t) bytes[4 * i + 2] << 16 |
		             (uint32_t) bytes[4 * i + 3] << 24;
		stream[i] = (int32_t) u;
	}
	free(bytes);
}

static void load_accel(const char *path) {
	size_t len = 0;
	unsigned char *bytes = (unsigned char *) read_file(path, &len);
	if (len % 6 != 0) {
		fprintf(stderr, "duk-ring: %s: %zu bytes is not a whole number of x, y, z int16 samples\n", path, len);
		exit(EXIT_IO);
	}
	accel_count = len / 6;
	accel = malloc((accel_count > 0 ? 3 * accel_count : 1) * sizeof(int16_t));
	if (accel == NULL) {
		fprintf(stderr, "duk-ring: out of host memory for %zu accelerometer samples\n", accel_count);
		exit(EXIT_IO);
	}
	for (size_t i = 0; i < 3 * accel_count; i++) accel[i] = (int16_t) (uint16_t) (bytes[2 * i] | bytes[2 * i + 1] << 8);
	free(bytes);
}

/* ---- JavaScript calls -------------------------------------------------------------- */

static void js_error_exit(duk_context *ctx, const char *what) {
	if (cap_refusals > 0) heap_cap_exit(what);
	fprintf(stderr, "duk-ring: %s failed: %s\n", what, duk_safe_to_stacktrace(ctx, -1));
	exit(EXIT_JS);
}

/* Calls the function at func_idx with nargs arguments already pushed; returns its integer result. */
static long call_int(duk_context *ctx, const char *what, int nargs) {
	if (duk_pcall(ctx, nargs) != DUK_EXEC_SUCCESS) js_error_exit(ctx, what);
	if (!duk_is_number(ctx, -1)) {
		fprintf(stderr, "duk-ring: %s returned %s, not a number\n", what, duk_safe_to_string(ctx, -1));
		exit(EXIT_CONTRACT);
	}
	double v = duk_get_number(ctx, -1);
	duk_pop(ctx);
	if (v != (double) (long) v) {
		fprintf(stderr, "duk-ring: %s returned %g, not an integer\n", what, v);
		exit(EXIT_CONTRACT);
	}
	return (long) v;
}


/* ---- script mode: the whole firmware driven by engines/driver (see engines/host-common.h) ---- */

#include "../engines/host-common.h"

static size_t sm_heap_booted = 0, sm_heap_end = 0;
static int sm_marks = 0;
static duk_context *sm_ctx = NULL;

static duk_ret_t sm_read(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	int32_t *dst = duk_require_buffer_data(ctx, 0, &size_bytes);
	double max = duk_require_number(ctx, 1);
	size_t cap = size_bytes / 4;
	if (max < (double) cap) cap = max < 0 ? 0 : (size_t) max;
	duk_push_number(ctx, (double) rh_script_read(dst, cap));
	return 1;
}

static duk_ret_t sm_record(duk_context *ctx) {
	double kind = duk_require_number(ctx, 0);
	duk_size_t size_bytes = 0;
	int32_t *rec = duk_require_buffer_data(ctx, 1, &size_bytes);
	double n = duk_require_number(ctx, 2);
	if (n != (double) (int) n || n < 0 || (size_t) n > size_bytes / 4) {
		fprintf(stderr, "duk-ring: record: field count %g out of range\n", n);
		exit(EXIT_CONTRACT);
	}
	rh_record(kind, rec, (size_t) n);
	return 0;
}

static duk_ret_t sm_pdu(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	uint8_t *pdu = duk_require_buffer_data(ctx, 0, &size_bytes);
	double n = duk_require_number(ctx, 1);
	if (n != (double) (int) n || n < 0 || (size_t) n > size_bytes) {
		fprintf(stderr, "duk-ring: pdu: length %g out of range\n", n);
		exit(EXIT_CONTRACT);
	}
	rh_pdu(pdu, (size_t) n);
	return 0;
}

static duk_ret_t sm_note(duk_context *ctx) {
	rh_note(duk_require_number(ctx, 0), duk_require_number(ctx, 1));
	return 0;
}

static duk_ret_t sm_mark(duk_context *ctx) {
	double phase = duk_require_number(ctx, 0);
	if (phase == 1) {
		sm_heap_booted = measure(sm_ctx);
		sm_marks |= 1;
	} else if (phase == 2) {
		sm_heap_end = measure(sm_ctx);
		sm_marks |= 2;
	}
	return 0;
}

/* flash_read(addr, dst, off, len), flash_write(addr, src, off, len), flash_erase(addr): the
 * flash of engines/host-common.h (native memory, outside the counted JS heap). A non-number
 * argument is a misuse (a return code, as in the driver's fallback). */
static double sm_flash_num(duk_context *ctx, duk_idx_t i) {
	return duk_is_number(ctx, i) ? duk_get_number(ctx, i) : -1;
}

static duk_ret_t sm_flash_read(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	uint8_t *dst = duk_require_buffer_data(ctx, 1, &size_bytes);
	duk_push_int(ctx, rh_flash_read(sm_flash_num(ctx, 0), dst, size_bytes, sm_flash_num(ctx, 2), sm_flash_num(ctx, 3)));
	return 1;
}

static duk_ret_t sm_flash_write(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	const uint8_t *src = duk_require_buffer_data(ctx, 1, &size_bytes);
	duk_push_int(ctx, rh_flash_write(sm_flash_num(ctx, 0), src, size_bytes, sm_flash_num(ctx, 2), sm_flash_num(ctx, 3)));
	return 1;
}

static duk_ret_t sm_flash_erase(duk_context *ctx) {
	duk_push_int(ctx, rh_flash_erase(sm_flash_num(ctx, 0)));
	return 1;
}

static duk_ret_t sm_flash_crc32(duk_context *ctx) {
	duk_size_t size_bytes = 0;
	const uint8_t *buf = duk_require_buffer_data(ctx, 1, &size_bytes);
	duk_push_number(ctx, rh_crc32_update(sm_flash_num(ctx, 0), buf, size_bytes, sm_flash_num(ctx, 2), sm_flash_num(ctx, 3)));
	return 1;
}

static void sm_run_file(duk_context *ctx, const char *path) {
	size_t len = 0;
	char *src = read_file(path, &len);
	duk_push_string(ctx, path);
	if (duk_pcompile_lstring_filename(ctx, 0, src, len) != 0) js_error_exit(ctx, path);
	free(src);
	if (duk_pcall(ctx, 0) != DUK_EXEC_SUCCESS) js_error_exit(ctx, path);
	duk_pop(ctx);
}

/* --firmware ring.es5.js --driver ring-driver.es5.js --script FILE [--stats-json FILE] [--quiet] */
static int script_mode(const char *fw_path, const char *driver_path, const char *script_path, const char *stats_path) {
	rh_name = "duk-ring";
	rh_quiet = quiet;
	rh_load_script(script_path);
	rh_flash_init();
	rh_output_start();
	duk_context *ctx = duk_create_heap(ring_alloc, ring_realloc, ring_free, NULL, ring_fatal);
	if (ctx == NULL) {
		fprintf(stderr, "duk-ring: cannot create a Duktape heap\n");
		return EXIT_JS;
	}
	sm_ctx = ctx;
	size_t heap_empty = measure(ctx);
	peak_all = heap_live;
	static const duk_function_list_entry fns[] = {
		{ "read", sm_read, 2 }, { "record", sm_record, 3 }, { "pdu", sm_pdu, 2 },
		{ "note", sm_note, 2 }, { "mark", sm_mark, 1 },   { "flash_read", sm_flash_read, 4 },
		{ "flash_write", sm_flash_write, 4 }, { "flash_erase", sm_flash_erase, 1 },
		{ "flash_crc32", sm_flash_crc32, 4 },   { NULL, NULL, 0 },
	};
	duk_push_object(ctx);
	duk_put_function_list(ctx, -1, fns);
	duk_put_global_string(ctx, "RingHost");
	size_t heap_natives = measure(ctx);
	sm_run_file(ctx, fw_path);
	size_t heap_loaded = measure(ctx);
	size_t peak_load = peak_all;
	sm_run_file(ctx, driver_path);
	duk_get_global_string(ctx, "RingDriverResult");
	double rc = duk_is_number(ctx, -1) ? duk_get_number(ctx, -1) : -100;
	duk_pop(ctx);
	int out_rc = rh_output_end();
	if (out_rc != 0) return out_rc;
	if (rc != 0 || sm_marks != 3) {
		fprintf(stderr, "duk-ring: the driver returned %g (marks seen %d): see the '= ' notes\n", rc, sm_marks);
		return EXIT_CONTRACT;
	}
	long long growth = (long long) sm_heap_end - (long long) sm_heap_booted;
	fprintf(stderr,
	        "duk-ring: heap bytes: empty context %zu, natives %zu, firmware loaded %zu (load peak %zu), booted %zu, "
	        "end %zu (growth %lld), peak %zu; %" PRIu64 " records, %" PRIu64 " PDUs\n",
	        heap_empty, heap_natives, heap_loaded, peak_load, sm_heap_booted, sm_heap_end, growth, peak_all, rh_records,
	        rh_pdus);
	if (stats_path != NULL) {
		FILE *f = fopen(stats_path, "w");
		if (f == NULL) {
			fprintf(stderr, "duk-ring: cannot write %s: %s\n", stats_path, strerror(errno));
			return EXIT_IO;
		}
		fprintf(f,
		        "{\"heap_empty_bytes\":%zu,\"heap_natives_bytes\":%zu,\"heap_loaded_bytes\":%zu,\"heap_load_peak_bytes\":%zu"
		        ",\"heap_booted_bytes\":%zu,\"heap_end_bytes\":%zu,\"heap_growth_bytes\":%lld,\"heap_peak_bytes\":%zu"
		        ",\"records\":%" PRIu64 ",\"pdus\":%" PRIu64 ",\"pdu_bytes\":%" PRIu64 "}\n",
		        heap_empty, heap_natives, heap_loaded, peak_load, sm_heap_booted, sm_heap_end, growth, peak_all, rh_records,
		        rh_pdus, rh_pdu_bytes);
		fclose(f);
	}
	duk_destroy_heap(ctx);
	return 0;
}

/* ---- main -------------------------------------------------------------------------- */

static void usage(void) {
	fprintf(stderr,
	        "usage: duk-ring --bundle FILE --input FILE --rate HZ [--heap-cap-bytes N] [--stats-json FILE]\n"
	        "                [--fifo-capacity N] [--max-samples N] [--accel FILE] [--quiet]\n"
	        "       duk-ring --firmware FILE --driver FILE --script FILE [--stats-json FILE] [--quiet]\n");
	exit(EXIT_USAGE);
}

static long parse_long(const char *opt, const char *s, long lo, long hi) {
	char *end = NULL;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "duk-ring: %s expects an integer in %ld..%ld, got \"%s\"\n", opt, lo, hi, s);
		exit(EXIT_USAGE);
	}
	return v;
}

enum { IDX_FW = 0, IDX_BOOT, IDX_IRQ, IDX_HAL };

int main(int argc, char **argv) {
	const char *bundle_path = NULL, *input_path = NULL, *stats_path = NULL, *accel_path = NULL;
	const char *fw_path = NULL, *driver_path = NULL, *script_path = NULL;
	long max_samples = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quiet") == 0) {
			quiet = 1;
			continue;
		}
		if (v == NULL) usage();
		if (strcmp(a, "--bundle") == 0) bundle_path = v;
		else if (strcmp(a, "--input") == 0) input_path = v;
		else if (strcmp(a, "--accel") == 0) accel_path = v;
		else if (strcmp(a, "--stats-json") == 0) stats_path = v;
		else if (strcmp(a, "--firmware") == 0) fw_path = v;
		else if (strcmp(a, "--driver") == 0) driver_path = v;
		else if (strcmp(a, "--script") == 0) script_path = v;
		else if (strcmp(a, "--rate") == 0) rate_hz = (int) parse_long(a, v, 1, 100000);
		else if (strcmp(a, "--heap-cap-bytes") == 0) heap_cap = (size_t) parse_long(a, v, 0, 1L << 40);
		else if (strcmp(a, "--fifo-capacity") == 0) fifo_capacity = (int) parse_long(a, v, 1, FIFO_CAPACITY_MAX);
		else if (strcmp(a, "--max-samples") == 0) max_samples = parse_long(a, v, 0, 1L << 40);
		else usage();
		i++;
	}
	if (script_path != NULL) {
		if (fw_path == NULL || driver_path == NULL) usage();
		return script_mode(fw_path, driver_path, script_path, stats_path);
	}
	if (bundle_path == NULL || input_path == NULL || rate_hz == 0) usage();

	static char stdout_buf[1 << 16];
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	load_stream(input_path, max_samples);
	if (accel_path != NULL) load_accel(accel_path);
	size_t src_len = 0;
	char *src = read_file(bundle_path, &src_len);

	duk_context *ctx = duk_create_heap(ring_alloc, ring_realloc, ring_free, NULL, ring_fatal);
	if (ctx == NULL) {
		if (cap_refusals > 0) heap_cap_exit("creating the heap");
		fprintf(stderr, "duk-ring: cannot create a Duktape heap\n");
		return EXIT_JS;
	}
	size_t heap_baseline = measure(ctx);
	peak_all = heap_live;

	/* Compile the bundle (the engine's parser: a one-time cost of shipping source text). */
	duk_push_string(ctx, bundle_path);
	if (duk_pcompile_lstring_filename(ctx, 0, src, src_len) != 0) js_error_exit(ctx, "compiling the bundle");
	free(src);
	size_t compile_peak = peak_all;
	size_t heap_after_compile = measure(ctx);
	peak_exec = heap_live;

	/* Run its top level (module initialisation: every buffer is created here); it defines RingFirmware. */
	if (duk_pcall(ctx, 0) != DUK_EXEC_SUCCESS) js_error_exit(ctx, "loading the bundle");
	duk_pop(ctx);
	if (!duk_get_global_string(ctx, "RingFirmware") || !duk_is_object(ctx, -1)) {
		fprintf(stderr, "duk-ring: %s does not define the global RingFirmware\n", bundle_path);
		return EXIT_CONTRACT;
	}
	duk_get_prop_string(ctx, IDX_FW, "ring_boot");
	duk_get_prop_string(ctx, IDX_FW, "ring_on_sensor_irq");
	if (!duk_is_function(ctx, IDX_BOOT) || !duk_is_function(ctx, IDX_IRQ)) {
		fprintf(stderr, "duk-ring: RingFirmware must export ring_boot and ring_on_sensor_irq\n");
		return EXIT_CONTRACT;
	}
	size_t heap_before_hal = measure(ctx);
	push_hal(ctx); /* the platform's binding, counted with the firmware (reported apart) */
	size_t heap_after_load = measure(ctx);
	size_t heap_hal = heap_after_load - heap_before_hal;

	/* Boot. */
	duk_dup(ctx, IDX_BOOT);
	duk_dup(ctx, IDX_HAL);
	duk_push_int(ctx, rate_hz);
	long boot_rc = call_int(ctx, "ring_boot", 2);
	if (boot_rc != 0) {
		fprintf(stderr, "duk-ring: ring_boot(hal, %d) returned %ld\n", rate_hz, boot_rc);
		return EXIT_CONTRACT;
	}
	if (watermark == 0) {
		fprintf(stderr, "duk-ring: ring_boot returned 0 without configuring the sensor\n");
		return EXIT_CONTRACT;
	}
	size_t heap_after_boot = measure(ctx);
	peak_run = heap_live;

	/* Feed the stream as the simulator does. */
	uint64_t irq_calls = 0, samples_processed = 0;
	size_t next = 0;
	while (next < stream_count) {
		size_t need = watermark - fifo_count > 1 ? (size_t) (watermark - fifo_count) : 1;
		size_t batch = need < stream_count - next ? need : stream_count - next;
		for (size_t k = next; k < next + batch; k++) {
			if (fifo_count == fifo_capacity) {
				overflow_pending++;
				overflow_total++;
			} else {
				int tail = fifo_head + fifo_count;
				if (tail >= fifo_capacity) tail -= fifo_capacity;
				fifo[tail] = stream[k];
				fifo_count++;
			}
			imu_push(k);
		}
		now_us = (int64_t) (next + batch - 1) * 1000000 / rate_hz;
		next += batch;
		if (fifo_count >= watermark || next >= stream_count) {
			duk_dup(ctx, IDX_IRQ);
			long n = call_int(ctx, "ring_on_sensor_irq", 0);
			irq_calls++;
			if (n < 0) {
				fprintf(stderr, "duk-ring: ring_on_sensor_irq() returned %ld at sample %zu\n", n, next);
				return EXIT_CONTRACT;
			}
			samples_processed += (uint64_t) n;
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "duk-ring: cannot write records: %s\n", strerror(errno));
		return EXIT_IO;
	}
	size_t heap_end = measure(ctx);
	long long growth = (long long) heap_end - (long long) heap_after_boot;

	fprintf(stderr,
	        "duk-ring: %zu samples in, %" PRIu64 " processed, %" PRIu64 " interrupts, %" PRIu64 " records, %" PRIu64
	        " overflowed\n"
	        "duk-ring: heap bytes: empty context %zu; compile peak %zu, compiled %zu; after load %zu (HAL object %zu), "
	        "after boot %zu, end %zu (growth after boot %lld)\n"
	        "duk-ring: heap bytes: execution peak %zu (%zu above the empty context), run peak %zu, overall peak %zu\n",
	        stream_count, samples_processed, irq_calls, records_emitted, overflow_total, heap_baseline, compile_peak,
	        heap_after_compile, heap_after_load, heap_hal, heap_after_boot, heap_end, growth, peak_exec,
	        peak_exec - heap_baseline,
	        peak_run, peak_all);
	if (stats_path != NULL) {
		FILE *f = fopen(stats_path, "w");
		if (f == NULL) {
			fprintf(stderr, "duk-ring: cannot write %s: %s\n", stats_path, strerror(errno));
			return EXIT_IO;
		}
		fprintf(f,
		        "{\"rate_hz\":%d,\"samples_in\":%zu,\"samples_processed\":%" PRIu64 ",\"irq_calls\":%" PRIu64
		        ",\"records\":%" PRIu64 ",\"overflow_samples\":%" PRIu64
		        ",\"heap_baseline_bytes\":%zu,\"heap_compile_peak_bytes\":%zu,\"heap_after_compile_bytes\":%zu"
		        ",\"heap_after_load_bytes\":%zu,\"heap_hal_bytes\":%zu,\"heap_after_boot_bytes\":%zu,\"heap_end_bytes\":%zu"
		        ",\"heap_growth_bytes\":%lld,\"heap_exec_peak_bytes\":%zu,\"heap_run_peak_bytes\":%zu"
		        ",\"heap_peak_bytes\":%zu,\"heap_cap_bytes\":%zu,\"heap_cap_refusals\":%lu}\n",
		        rate_hz, stream_count, samples_processed, irq_calls, records_emitted, overflow_total, heap_baseline,
		        compile_peak, heap_after_compile, heap_after_load, heap_hal, heap_after_boot, heap_end, growth, peak_exec,
		        peak_run,
		        peak_all, heap_cap, cap_refusals);
		if (fclose(f) != 0) {
			fprintf(stderr, "duk-ring: cannot write %s: %s\n", stats_path, strerror(errno));
			return EXIT_IO;
		}
	}
	duk_destroy_heap(ctx);
	free(stream);
	free(accel);
	return 0;
}
