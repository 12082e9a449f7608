// SPDX-License-Identifier: MIT
/* svart_strerror(): errno text, device status names, and the edges of the code space. */
#include <errno.h>
#include <limits.h>
#include <linux/idxd.h>

#include "svart.h"
#include "t_helpers.h"

int main(void)
{
	T_STREQ(svart_strerror(0), "Success");
	/* Both signs name the same error; text is glibc's static description. */
	T_STREQ(svart_strerror(-ENOENT), "No such file or directory");
	T_STREQ(svart_strerror(ENOENT), "No such file or directory");
	T_STREQ(svart_strerror(-EOPNOTSUPP), "Operation not supported");

	/* Device statuses by their spec names, never "Status 100". */
	T_STREQ(svart_strerror(-SVART_EDSA(DSA_COMP_CRA_XLAT)),
		"DSA: completion record address translation fault");
	/* The write-fault bit is not part of the status. */
	T_EQ(SVART_EDSA(0x83), SVART_EDSA(0x03));
	T_STREQ(svart_strerror(-SVART_EIAA(IAX_COMP_OUTBUF_OVERFLOW)),
		"IAA: output buffer overflow");
	T_STREQ(svart_strerror(-SVART_EIAA_ANALYTICS(17)),
		"IAA: decompress: distance zero or beyond the history window");
	T_STREQ(svart_strerror(-SVART_EDSA(0x7e)), "DSA: unknown completion status");

	/* Out of every range, and the one value whose negation overflows. */
	T_STREQ(svart_strerror(-SVART_EMAX), "Unknown error");
	T_STREQ(svart_strerror(INT_MIN), "Unknown error");
	T_STREQ(svart_strerror(INT_MAX), "Unknown error");
	T_CHECK(svart_strerror(-4095) != NULL);

	T_STREQ(svart_version(), "0.1.0");
	return t_done("error_strings");
}
