/*
 * What the engine hosts (engines/jerryscript/host.c, duk/host.c --script) share: the
 * driver's script file (engines/driver/script.ts writes it: int32 little-endian words) and
 * the output lines, byte for byte as engines/driver/node-host.ts prints them:
 *   `kind f0 f1 ...`  a record      `> 1b0b00...`  an ATT PDU      `= code value`  a note
 * Header-only: each host is one translation unit.
 */
#ifndef RING_HOST_COMMON_H
#define RING_HOST_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RH_EXIT_USAGE 2
#define RH_EXIT_HEAP 3
#define RH_EXIT_JS 4
#define RH_EXIT_CONTRACT 5
#define RH_EXIT_IO 6

static const char *rh_name = "ring-host";
static int rh_quiet = 0;

static unsigned char *rh_read_file(const char *path, size_t *len_out) {
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot open %s: %s\n", rh_name, path, strerror(errno));
		exit(RH_EXIT_IO);
	}
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap + 4);
	for (;;) {
		if (buf == NULL) {
			fprintf(stderr, "%s: out of host memory reading %s\n", rh_name, path);
			exit(RH_EXIT_IO);
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				fprintf(stderr, "%s: cannot read %s: %s\n", rh_name, path, strerror(errno));
				exit(RH_EXIT_IO);
			}
			break;
		}
		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 4);
		}
	}
	fclose(f);
	buf[len] = '\0';
	*len_out = len;
	return buf;
}

/* ---- the script ---------------------------------------------------------------------- */

static int32_t *rh_script = NULL;
static size_t rh_script_words = 0;
static size_t rh_script_pos = 0;

static void rh_load_script(const char *path) {
	size_t len = 0;
	unsigned char *bytes = rh_read_file(path, &len);
	if (len % 4 != 0) {
		fprintf(stderr, "%s: %s: %zu bytes is not a whole number of int32 words\n", rh_name, path, len);
		exit(RH_EXIT_IO);
	}
	rh_script_words = len / 4;
	rh_script = malloc((rh_script_words > 0 ? rh_script_words : 1) * sizeof(int32_t));
	if (rh_script == NULL) {
		fprintf(stderr, "%s: out of host memory for the script\n", rh_name);
		exit(RH_EXIT_IO);
	}
	for (size_t i = 0; i < rh_script_words; i++) {
		uint32_t u = (uint32_t) bytes[4 * i] | (uint32_t) bytes[4 * i + 1] << 8 | (uint32_t) bytes[4 * i + 2] << 16 |
		             (uint32_t) bytes[4 * i + 3] << 24;
		rh_script[i] = (int32_t) u;
	}
	free(bytes);
}

/* Copies up to max next words into dst; returns the count (0 at the end). */
static size_t rh_script_read(int32_t *dst, size_t max) {
	size_t n = rh_script_words - rh_script_pos;
	if (n > max) n = max;
	memcpy(dst, rh_script + rh_script_pos, n * sizeof(int32_t));
	rh_script_pos += n;
	return n;
}

/* ---- the ring's NOR flash ------------------------------------------------------------------
 * Held in native memory, as the part is on a ring: flash is not RAM, so it takes none of the
 * engine's heap. Semantics exactly as engines/driver/driver.ts's fallback (Node) and the
 * Espruino runner's prelude (engines/espruino/runner.ts): 1 MB of 4 KB sectors, erased bytes
 * read 0xFF, a write covers whole 4-byte units and only clears bits, an erase sets one sector
 * to 0xFF. A call outside the part, unaligned, not integral or overrunning its buffer returns
 * RH_FLASH_ERR_MISUSE and changes nothing. */

#define RH_FLASH_SIZE_BYTES 0x100000
#define RH_FLASH_SECTOR_BYTES 4096
#define RH_FLASH_UNIT_BYTES 4
#define RH_FLASH_ERR_MISUSE (-3)

static uint8_t *rh_flash = NULL;

static void rh_crc32_init(void);

/* A blank (erased) part, made once before the engine starts. */
static void rh_flash_init(void) {
	rh_flash = malloc(RH_FLASH_SIZE_BYTES);
	if (rh_flash == NULL) {
		fprintf(stderr, "%s: out of host memory for the flash\n", rh_name);
		exit(RH_EXIT_IO);
	}
	memset(rh_flash, 0xff, RH_FLASH_SIZE_BYTES);
	rh_crc32_init();
}

static int rh_flash_int(double v) {
	return v >= 0 && v == floor(v) && v <= (double) RH_FLASH_SIZE_BYTES * 2;
}

/* addr, buffer offset and length in bounds of the part and of a buffer of buf_bytes. */
static int rh_flash_span(double addr, size_t buf_bytes, double off, double len) {
	return rh_flash_int(addr) && rh_flash_int(off) && rh_flash_int(len) && addr + len <= RH_FLASH_SIZE_BYTES &&
	       off + len <= (double) buf_bytes;
}

static int rh_flash_read(double addr, uint8_t *dst, size_t dst_bytes, double off, double len) {
	if (dst == NULL || !rh_flash_span(addr, dst_bytes, off, len)) return RH_FLASH_ERR_MISUSE;
	memcpy(dst + (size_t) off, rh_flash + (size_t) addr, (size_t) len);
	return 0;
}

static int rh_flash_write(double addr, const uint8_t *src, size_t src_bytes, double off, double len) {
	if (src == NULL || !rh_flash_span(addr, src_bytes, off, len)) return RH_FLASH_ERR_MISUSE;
	size_t a = (size_t) addr, n = (size_t) len, o = (size_t) off;
	if (a % RH_FLASH_UNIT_BYTES != 0 || n % RH_FLASH_UNIT_BYTES != 0) return RH_FLASH_ERR_MISUSE;
	for (size_t i = 0; i < n; i++) rh_flash[a + i] &= src[o + i];
	return 0;
}

static int rh_flash_erase(double addr) {
	if (!rh_flash_int(addr)) return RH_FLASH_ERR_MISUSE;
	size_t a = (size_t) addr;
	if (a % RH_FLASH_SECTOR_BYTES != 0 || a + RH_FLASH_SECTOR_BYTES > RH_FLASH_SIZE_BYTES) return RH_FLASH_ERR_MISUSE;
	memset(rh_flash + a, 0xff, RH_FLASH_SECTOR_BYTES);
	return 0;
}

/* ---- CRC-32, the platform's native routine ---------------------------------------------
 * flash_crc32(crc, buf, from, to): the running CRC-32 of firmware/store/crc32.ts (zlib's:
 * reflected 0xEDB88320; the caller starts from 0xFFFFFFFF and applies the final xor) over
 * buf[from, to), as a ring's C SDK gives it (the nRF5 SDK's crc32_compute continues a
 * previous CRC too): a 1 KB byte table, in flash on a part, one step per byte. The same value as the firmware's
 * JavaScript, bit for bit (test/engines/crc32-native.test.ts). A crc that is not an integer
 * in [0, 2^32) or a range outside the buffer returns RH_FLASH_ERR_MISUSE. */

static uint32_t rh_crc_table[256];

static void rh_crc32_init(void) {
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		rh_crc_table[n] = c;
	}
}

static double rh_crc32_update(double crc, const uint8_t *buf, size_t buf_bytes, double from, double to) {
	if (buf == NULL || !(crc >= 0 && crc <= 4294967295.0 && crc == floor(crc))) return RH_FLASH_ERR_MISUSE;
	if (!(from >= 0 && from == floor(from) && to == floor(to) && from <= to && to <= (double) buf_bytes)) {
		return RH_FLASH_ERR_MISUSE;
	}
	uint32_t c = (uint32_t) crc;
	for (size_t i = (size_t) from, end = (size_t) to; i < end; i++) c = rh_crc_table[(c ^ buf[i]) & 0xff] ^ (c >> 8);
	return (double) c;
}

/* ---- output ------------------------------------------------------------------------ */

static uint64_t rh_records = 0, rh_pdus = 0, rh_pdu_bytes = 0, rh_notes = 0;

static void rh_print_int(double v) {
	if (v != floor(v) || fabs(v) > 9007199254740991.0) {
		printf("%.17g", v);
		return;
	}
	printf("%" PRId64, (int64_t) v);
}

static void rh_record(double kind, const int32_t *fields, size_t count) {
	rh_records++;
	if (rh_quiet) return;
	rh_print_int(kind);
	for (size_t i = 0; i < count; i++) printf(" %" PRId32, fields[i]);
	putchar('\n');
}

static void rh_pdu(const uint8_t *pdu, size_t len) {
	static const char hex[] = "0123456789abcdef";
	rh_pdus++;
	rh_pdu_bytes += len;
	if (rh_quiet) return;
	putchar('>');
	putchar(' ');
	for (size_t i = 0; i < len; i++) {
		putchar(hex[pdu[i] >> 4]);
		putchar(hex[pdu[i] & 15]);
	}
	putchar('\n');
}

static void rh_note(double code, double value) {
	rh_notes++;
	if (rh_quiet) return;
	fputs("= ", stdout);
	rh_print_int(code);
	putchar(' ');
	rh_print_int(value);
	putchar('\n');
}

static void rh_output_start(void) {
	static char stdout_buf[1 << 16];
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
}

static int rh_output_end(void) {
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: cannot write the output: %s\n", rh_name, strerror(errno));
		return RH_EXIT_IO;
	}
	return 0;
}

#endif
