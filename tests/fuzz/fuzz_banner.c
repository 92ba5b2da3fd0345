/*
 * fuzz_banner.c -- libFuzzer harness for rsp_banner_parse()
 * (common/sp_frame.c), the client's reading of the server's greeting.
 *
 * The input is cut as the client cuts the line it reads (at most
 * RUMPSP_MAXBANNER bytes, up to and including the first newline) and
 * NUL-terminated.  The parser must agree with a strict reference
 * reading of "RUMPSP-<major>.<minor>" followed by '-', a newline or
 * the end, where each number is decimal digits and at most INT_MAX:
 * same verdict, same numbers.  A banner made by rsp_banner_make() from
 * pieces of the input must parse back to our own version.
 */
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp_proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *what, const char *b)
{

	fprintf(stderr, "fuzz_banner: %s: \"%s\"\n", what, b);
	abort();
}

/* Digits up to INT_MAX; returns the end, or NULL. */
static const char *
ref_num(const char *s, int *v)
{
	long long n = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++) {
		n = n * 10 + (*s - '0');
		if (n > INT_MAX)
			return NULL;
	}
	*v = (int)n;
	return s;
}

static int
ref_parse(const char *b, int *major, int *minor)
{

	if (strncmp(b, "RUMPSP-", 7) != 0)
		return -1;
	if ((b = ref_num(b + 7, major)) == NULL || *b != '.')
		return -1;
	if ((b = ref_num(b + 1, minor)) == NULL ||
	    (*b != '-' && *b != '\n' && *b != '\0'))
		return -1;
	return 0;
}

static void
roundtrip(const uint8_t *data, size_t size)
{
	char piece[3][40], b[RUMPSP_MAXBANNER];
	int major, minor;
	size_t i, n;

	for (i = 0; i < 3; i++) {
		n = size / 3 < sizeof(piece[i]) ? size / 3 : sizeof(piece[i]) - 1;
		memcpy(piece[i], data + i * (size / 3), n);
		piece[i][n] = '\0';
	}
	if (rsp_banner_make(b, sizeof(b), piece[0], piece[1], piece[2]) != 0)
		return;
	if (rsp_banner_parse(b, &major, &minor) != 0 ||
	    major != RUMPSP_PROTOMAJOR || minor != RUMPSP_PROTOMINOR)
		fail("our own banner does not parse back", b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int major = -1, minor = -1, rmajor = -1, rminor = -1, ok, rok;
	char *b;
	size_t n;

	for (n = 0; n < size && n < RUMPSP_MAXBANNER; n++)
		if (data[n] == '\n') {
			n++;
			break;
		}
	if ((b = malloc(n + 1)) == NULL)
		return 0;
	memcpy(b, data, n);
	b[n] = '\0';
	ok = rsp_banner_parse(b, &major, &minor) == 0;
	rok = ref_parse(b, &rmajor, &rminor) == 0;
	if (ok != rok)
		fail(ok ? "accepted a malformed banner" :
		    "refused a well-formed banner", b);
	if (ok && (major != rmajor || minor != rminor))
		fail("read the wrong version", b);
	free(b);
	roundtrip(data, size);
	return 0;
}
