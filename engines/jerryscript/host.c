/*
 * jerry-ring: the whole firmware (dist/ring.es5.js, or its bytecode snapshot) on
 * JerryScript with a fixed heap, as on a microcontroller, driven by the driver bundle
 * (dist/ring-driver.es5.js) replaying a script (engines/driver/script.ts).
 *
 *   build/jerry-ring --firmware ring.snapshot|ring.js --driver driver.snapshot|driver.js
 *                    --script FILE [--magic-strings ring.literals] [--stats-json FILE] [--quiet]
 *                    [--copy-snapshot]
 *
 * A snapshot runs in place (jerry_exec_snapshot without JERRY_SNAPSHOT_EXEC_COPY_DATA): the
 * bytecode stays where it was loaded, as it would execute from flash, and only the objects
 * the firmware creates take heap. --copy-snapshot copies it into the heap instead (what the
 * stock `jerry --exec-snapshot` does), for comparison. A static snapshot (make
 * engines-snapshots) keeps even its functions' headers and literal tables in place; its
 * literal strings are registered as the engine's external magic strings from
 * --magic-strings (the list `jerry-snapshot litdump` writes), which also live in flash.
 *
 * The heap is the engine's own fixed heap (JERRY_RING_HEAP_KB, the build's --mem-heap):
 * running out of it ends the run with exit code 3. ArrayBuffers of every size are allocated
 * inside that heap at construction (JerryScript otherwise defers those over 256 bytes to
 * their first access), so the figure after boot already holds every buffer.
 *
 * Output (stdout): the lines of engines/host-common.h. Report on stderr; with --stats-json,
 * one JSON line of heap figures: empty engine, after the natives, after the firmware's load,
 * after boot and at the end (each after a full collection), the peak since the engine
 * started (load included) and growth after boot.
 *
 * Exit codes: 0 ok, 2 usage, 3 out of heap, 4 JavaScript error, 5 contract, 6 I/O.
 */

#include "jerryscript.h"
#include "jerryscript-port.h"
#include "../host-common.h"

#ifndef JERRY_RING_HEAP_KB
#define JERRY_RING_HEAP_KB 64
#endif

/* ---- port: a fatal error is reported, not an abort ----------------------------------- */

void jerry_port_init(void) {}

void jerry_port_fatal(jerry_fatal_code_t code) {
	fflush(stdout);
	if (code == JERRY_FATAL_OUT_OF_MEMORY) {
		fprintf(stderr, "jerry-ring: OUT OF HEAP: the firmware needs more than the %d KB heap of this build\n",
		        JERRY_RING_HEAP_KB);
		exit(RH_EXIT_HEAP);
	}
	fprintf(stderr, "jerry-ring: JerryScript fatal error %d\n", (int) code);
	exit(RH_EXIT_JS);
}

/* ---- heap figures ----------------------------------------------------------------------- */

static size_t heap_now(void) {
	jerry_heap_stats_t s;
	memset(&s, 0, sizeof s);
	jerry_heap_stats(&s);
	return s.allocated_bytes;
}

static size_t heap_peak(void) {
	jerry_heap_stats_t s;
	memset(&s, 0, sizeof s);
	jerry_heap_stats(&s);
	return s.peak_allocated_bytes;
}

/* A full collection at low pressure: a high-pressure one would also free the engine's
 * property hashmaps and stop it from making new ones, leaving every later variable lookup
 * in the firmware's large module scope a linear search (and the figures then describe a
 * slower engine than the one that runs). */
static size_t heap_collected(void) {
	jerry_heap_gc(JERRY_GC_PRESSURE_LOW);
	jerry_heap_gc(JERRY_GC_PRESSURE_LOW);
	return heap_now();
}

static size_t heap_booted = 0, heap_end = 0;
static int marks_seen = 0;

/* ---- natives (the global RingHost) ------------------------------------------------------ */

static void *typed_data(jerry_value_t v, size_t *len_bytes) {
	if (!jerry_value_is_typedarray(v)) {
		fprintf(stderr, "jerry-ring: a native expected a typed array\n");
		exit(RH_EXIT_CONTRACT);
	}
	jerry_size_t off = 0, len = 0;
	jerry_value_t ab = jerry_typedarray_buffer(v, &off, &len);
	uint8_t *data = jerry_arraybuffer_data(ab);
	jerry_value_free(ab);
	*len_bytes = len;
	return data + off;
}

static double num_arg(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i) {
	if (i >= argc || !jerry_value_is_number(args[i])) {
		fprintf(stderr, "jerry-ring: argument %u of a native is not a number\n", (unsigned) i);
		exit(RH_EXIT_CONTRACT);
	}
	return jerry_value_as_number(args[i]);
}

static jerry_value_t n_read(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	size_t bytes = 0;
	int32_t *dst = argc > 0 ? typed_data(args[0], &bytes) : NULL;
	double max = num_arg(args, argc, 1);
	size_t cap = bytes / 4;
	if (max < (double) cap) cap = max < 0 ? 0 : (size_t) max;
	return jerry_number((double) rh_script_read(dst, cap));
}

static jerry_value_t n_record(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	double kind = num_arg(args, argc, 0);
	size_t bytes = 0;
	int32_t *rec = argc > 1 ? typed_data(args[1], &bytes) : NULL;
	double n = num_arg(args, argc, 2);
	if (n != floor(n) || n < 0 || n > (double) (bytes / 4)) {
		fprintf(stderr, "jerry-ring: record: field count %g out of range\n", n);
		exit(RH_EXIT_CONTRACT);
	}
	rh_record(kind, rec, (size_t) n);
	return jerry_undefined();
}

static jerry_value_t n_pdu(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	size_t bytes = 0;
	uint8_t *pdu = argc > 0 ? typed_data(args[0], &bytes) : NULL;
	double n = num_arg(args, argc, 1);
	if (n != floor(n) || n < 0 || n > (double) bytes) {
		fprintf(stderr, "jerry-ring: pdu: length %g out of range\n", n);
		exit(RH_EXIT_CONTRACT);
	}
	rh_pdu(pdu, (size_t) n);
	return jerry_undefined();
}

static jerry_value_t n_note(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	rh_note(num_arg(args, argc, 0), num_arg(args, argc, 1));
	return jerry_undefined();
}

static jerry_value_t n_mark(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	double phase = num_arg(args, argc, 0);
	if (phase == 1) heap_booted = heap_collected();
	else if (phase == 2) heap_end = heap_collected();
	marks_seen |= phase == 1 ? 1 : phase == 2 ? 2 : 0;
	return jerry_undefined();
}

/* flash_read(addr, dst, off, len), flash_write(addr, src, off, len), flash_erase(addr): the
 * flash of engines/host-common.h. A non-number argument is a misuse (a return code, as in
 * the driver's fallback); a buffer that is not a typed array is a contract breach. */
static double flash_num(const jerry_value_t args[], jerry_length_t argc, jerry_length_t i) {
	return i < argc && jerry_value_is_number(args[i]) ? jerry_value_as_number(args[i]) : -1;
}

static jerry_value_t n_flash_read(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	size_t bytes = 0;
	uint8_t *dst = argc > 1 ? typed_data(args[1], &bytes) : NULL;
	return jerry_number(rh_flash_read(flash_num(args, argc, 0), dst, bytes, flash_num(args, argc, 2), flash_num(args, argc, 3)));
}

static jerry_value_t n_flash_write(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	size_t bytes = 0;
	const uint8_t *src = argc > 1 ? typed_data(args[1], &bytes) : NULL;
	return jerry_number(rh_flash_write(flash_num(args, argc, 0), src, bytes, flash_num(args, argc, 2), flash_num(args, argc, 3)));
}

static jerry_value_t n_flash_erase(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	return jerry_number(rh_flash_erase(flash_num(args, argc, 0)));
}

static jerry_value_t n_flash_crc32(const jerry_call_info_t *info, const jerry_value_t args[], jerry_length_t argc) {
	(void) info;
	size_t bytes = 0;
	const uint8_t *buf = argc > 1 ? typed_data(args[1], &bytes) : NULL;
	return jerry_number(rh_crc32_update(flash_num(args, argc, 0), buf, bytes, flash_num(args, argc, 2), flash_num(args, argc, 3)));
}

static void set_native(jerry_value_t obj, const char *name, jerry_external_handler_t fn) {
	jerry_value_t f = jerry_function_external(fn);
	jerry_value_free(jerry_object_set_sz(obj, name, f));
	jerry_value_free(f);
}

static void register_natives(void) {
	jerry_value_t global = jerry_current_realm();
	jerry_value_t host = jerry_object();
	set_native(host, "read", n_read);
	set_native(host, "record", n_record);
	set_native(host, "pdu", n_pdu);
	set_native(host, "note", n_note);
	set_native(host, "mark", n_mark);
	set_native(host, "flash_read", n_flash_read);
	set_native(host, "flash_write", n_flash_write);
	set_native(host, "flash_erase", n_flash_erase);
	set_native(host, "flash_crc32", n_flash_crc32);
	jerry_value_free(jerry_object_set_sz(global, "RingHost", host));
	jerry_value_free(host);
	jerry_value_free(global);
}

/* ---- loading --------------------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix) {
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void js_fail(jerry_value_t result, const char *what) {
	jerry_value_t err = jerry_exception_value(result, true);
	jerry_value_t str = jerry_value_to_string(err);
	char msg[512];
	jerry_size_t n = jerry_string_to_buffer(str, JERRY_ENCODING_UTF8, (jerry_char_t *) msg, sizeof msg - 1);
	msg[n] = '\0';
	fflush(stdout);
	fprintf(stderr, "jerry-ring: %s failed: %s\n", what, msg);
	exit(RH_EXIT_JS);
}

/* ---- external magic strings: the firmware's literal strings, kept in flash ------------------ */

#define MAGIC_STRINGS_MAX 4096
static const jerry_char_t *magic_items[MAGIC_STRINGS_MAX];
static jerry_length_t magic_lengths[MAGIC_STRINGS_MAX];
static unsigned char *magic_buffer = NULL; /* stays alive: the engine reads the strings from it */
static size_t magic_bytes = 0;

/* The list format of `jerry-snapshot litdump`: "<length> <string>\n" per literal, sorted as
 * the engine requires (by length, then bytes). */
static void register_magic_strings(const char *path) {
	size_t len = 0;
	magic_buffer = rh_read_file(path, &len);
	magic_bytes = len;
	uint32_t count = 0;
	size_t pos = 0;
	while (pos < len) {
		char *end = NULL;
		long n = strtol((const char *) magic_buffer + pos, &end, 10);
		size_t at = (size_t) (end - (char *) magic_buffer);
		if (n <= 0 || at + 1 + (size_t) n > len || count == MAGIC_STRINGS_MAX) {
			fprintf(stderr, "jerry-ring: %s: bad literal list at byte %zu\n", path, pos);
			exit(RH_EXIT_IO);
		}
		magic_items[count] = magic_buffer + at + 1;
		magic_lengths[count] = (jerry_length_t) n;
		count++;
		pos = at + 1 + (size_t) n + 1;
	}
	if (count > 0) jerry_register_magic_strings(magic_items, count, magic_lengths);
}

/* The snapshot buffers stay alive to the end: bytecode run in place points into them. */
static uint32_t *snapshots[2];

static void run_file(const char *path, int slot, int copy) {
	size_t len = 0;
	unsigned char *bytes = rh_read_file(path, &len);
	jerry_value_t r;
	if (ends_with(path, ".snapshot")) {
		uint32_t *aligned = malloc(len + 4);
		if (aligned == NULL) exit(RH_EXIT_IO);
		memcpy(aligned, bytes, len);
		free(bytes);
		snapshots[slot] = aligned;
		r = jerry_exec_snapshot(aligned, len, 0, copy ? JERRY_SNAPSHOT_EXEC_COPY_DATA : JERRY_SNAPSHOT_EXEC_ALLOW_STATIC, NULL);
	} else {
		jerry_value_t script = jerry_parse(bytes, len, NULL);
		free(bytes);
		if (jerry_value_is_exception(script)) js_fail(script, path);
		r = jerry_run(script);
		jerry_value_free(script);
	}
	if (jerry_value_is_exception(r)) js_fail(r, path);
	jerry_value_free(r);
}

static void usage(void) {
	fprintf(stderr, "usage: jerry-ring --firmware FILE --driver FILE --script FILE [--stats-json FILE] [--quiet] "
	                "[--copy-snapshot] [--magic-strings FILE]\n");
	exit(RH_EXIT_USAGE);
}

int main(int argc, char **argv) {
	rh_name = "jerry-ring";
	const char *fw_path = NULL, *driver_path = NULL, *script_path = NULL, *stats_path = NULL, *magic_path = NULL;
	int copy = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--quiet") == 0) {
			rh_quiet = 1;
			continue;
		}
		if (strcmp(a, "--copy-snapshot") == 0) {
			copy = 1;
			continue;
		}
		if (i + 1 >= argc) usage();
		const char *v = argv[++i];
		if (strcmp(a, "--firmware") == 0) fw_path = v;
		else if (strcmp(a, "--driver") == 0) driver_path = v;
		else if (strcmp(a, "--script") == 0) script_path = v;
		else if (strcmp(a, "--stats-json") == 0) stats_path = v;
		else if (strcmp(a, "--magic-strings") == 0) magic_path = v;
		else usage();
	}
	if (fw_path == NULL || driver_path == NULL || script_path == NULL) usage();
	rh_load_script(script_path);
	rh_flash_init();
	rh_output_start();

	jerry_init(JERRY_INIT_EMPTY);
	jerry_arraybuffer_heap_allocation_limit(UINT32_MAX);
	if (magic_path != NULL) register_magic_strings(magic_path);
	size_t heap_empty = heap_collected();
	register_natives();
	size_t heap_natives = heap_collected();
	run_file(fw_path, 0, copy);
	size_t heap_loaded = heap_collected();
	size_t peak_load = heap_peak();
	run_file(driver_path, 1, copy);
	size_t peak = heap_peak();

	jerry_value_t global = jerry_current_realm();
	jerry_value_t rc_v = jerry_object_get_sz(global, "RingDriverResult");
	double rc = jerry_value_is_number(rc_v) ? jerry_value_as_number(rc_v) : -100;
	jerry_value_free(rc_v);
	jerry_value_free(global);
	int out_rc = rh_output_end();
	if (out_rc != 0) return out_rc;
	if (rc != 0 || marks_seen != 3) {
		fprintf(stderr, "jerry-ring: the driver returned %g (marks seen %d): see the '= ' notes\n", rc, marks_seen);
		return RH_EXIT_CONTRACT;
	}
	long long growth = (long long) heap_end - (long long) heap_booted;
	fprintf(stderr,
	        "jerry-ring: heap %d KB; bytes: empty engine %zu, natives %zu, firmware loaded %zu (load peak %zu), "
	        "booted %zu, end %zu (growth %lld), peak %zu; %" PRIu64 " records, %" PRIu64 " PDUs\n",
	        JERRY_RING_HEAP_KB, heap_empty, heap_natives, heap_loaded, peak_load, heap_booted, heap_end, growth, peak,
	        rh_records, rh_pdus);
	if (stats_path != NULL) {
		FILE *f = fopen(stats_path, "w");
		if (f == NULL) {
			fprintf(stderr, "jerry-ring: cannot write %s: %s\n", stats_path, strerror(errno));
			return RH_EXIT_IO;
		}
		fprintf(f,
		        "{\"heap_size_bytes\":%d,\"heap_empty_bytes\":%zu,\"heap_natives_bytes\":%zu,\"heap_loaded_bytes\":%zu"
		        ",\"heap_load_peak_bytes\":%zu,\"heap_booted_bytes\":%zu,\"heap_end_bytes\":%zu,\"heap_growth_bytes\":%lld"
		        ",\"heap_peak_bytes\":%zu,\"records\":%" PRIu64 ",\"pdus\":%" PRIu64 ",\"pdu_bytes\":%" PRIu64 "}\n",
		        JERRY_RING_HEAP_KB * 1024, heap_empty, heap_natives, heap_loaded, peak_load, heap_booted, heap_end, growth,
		        peak, rh_records, rh_pdus, rh_pdu_bytes);
		fclose(f);
	}
	jerry_cleanup();
	return 0;
}
