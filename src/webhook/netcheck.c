/* Address classification for the webhook SSRF guard. Named sign_* so that CMake puts
 * it in the pure library with the signing code (unit-tested without a database). */
#include "nm/webhook_netcheck.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static enum nm_addr_class classify4(const unsigned char *a)
{
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	static const struct {
		uint32_t net, mask;
		enum nm_addr_class c;
	} ranges[] = {
		{0x00000000u, 0xff000000u, NM_ADDR_UNSPECIFIED}, /* 0/8 "this network" */
		{0x7f000000u, 0xff000000u, NM_ADDR_LOOPBACK},	 /* 127/8 */
		{0x0a000000u, 0xff000000u, NM_ADDR_PRIVATE},	 /* 10/8 */
		{0xac100000u, 0xfff00000u, NM_ADDR_PRIVATE},	 /* 172.16/12 */
		{0xc0a80000u, 0xffff0000u, NM_ADDR_PRIVATE},	 /* 192.168/16 */
		{0xa9fe0000u, 0xffff0000u, NM_ADDR_LINK_LOCAL},	 /* 169.254/16, metadata */
		{0x64400000u, 0xffc00000u, NM_ADDR_CGNAT},	 /* 100.64/10 */
		{0xc0000000u, 0xffffff00u, NM_ADDR_RESERVED},	 /* 192.0.0/24 IETF */
		{0xc0000200u, 0xffffff00u, NM_ADDR_RESERVED},	 /* 192.0.2/24 TEST-NET-1 */
		{0xc0586300u, 0xffffff00u, NM_ADDR_RESERVED},	 /* 192.88.99/24 6to4 relay */
		{0xc6120000u, 0xfffe0000u, NM_ADDR_RESERVED},	 /* 198.18/15 benchmarking */
		{0xc6336400u, 0xffffff00u, NM_ADDR_RESERVED},	 /* 198.51.100/24 TEST-NET-2 */
		{0xcb007100u, 0xffffff00u, NM_ADDR_RESERVED},	 /* 203.0.113/24 TEST-NET-3 */
		{0xe0000000u, 0xf0000000u, NM_ADDR_RESERVED},	 /* 224/4 multicast */
		{0xf0000000u, 0xf0000000u, NM_ADDR_RESERVED},	 /* 240/4 and broadcast */
	};
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if ((v & ranges[i].mask) == ranges[i].net)
			return ranges[i].c;
	return NM_ADDR_PUBLIC;
}

static bool all_zero(const unsigned char *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static enum nm_addr_class classify6(const unsigned char *a)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	static const unsigned char nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 0x01};
	if (all_zero(a, 16))
		return NM_ADDR_UNSPECIFIED;
	if (all_zero(a, 15) && a[15] == 1)
		return NM_ADDR_LOOPBACK;
	/* Embedded IPv4 forms reach the IPv4 host, so judge that host. */
	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0 || all_zero(a, 12))
		return classify4(a + 12);
	/* 64:ff9b:1::/48 (RFC 8215): NAT64 prefixes for a local network, with the IPv4 host
	 * at an operator-chosen offset; a translator inside the network reaches private hosts. */
	if (memcmp(a, nat64_local, 6) == 0)
		return NM_ADDR_PRIVATE;
	/* 2002::/16 6to4: the relay forwards to the IPv4 address in bytes 2-5. */
	if (a[0] == 0x20 && a[1] == 0x02)
		return classify4(a + 2);
	/* 2001::/32 Teredo (the client's IPv4 is obfuscated in the last 4 bytes) and
	 * 2001:db8::/32 documentation: no public webhook receiver lives there. */
	if (a[0] == 0x20 && a[1] == 0x01 &&
	    ((a[2] == 0 && a[3] == 0) || (a[2] == 0x0d && a[3] == 0xb8)))
		return NM_ADDR_RESERVED;
	/* 100::/64 discard-only (RFC 6666). */
	if (a[0] == 0x01 && all_zero(a + 1, 7))
		return NM_ADDR_RESERVED;
	if ((a[0] & 0xfe) == 0xfc)
		return NM_ADDR_PRIVATE; /* fc00::/7 unique local */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return NM_ADDR_LINK_LOCAL; /* fe80::/10 */
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0)
		return NM_ADDR_PRIVATE; /* fec0::/10, deprecated site-local */
	if (a[0] == 0xff)
		return NM_ADDR_RESERVED; /* multicast */
	return NM_ADDR_PUBLIC;
}

enum nm_addr_class nm_addr_classify(const unsigned char *addr, size_t len)
{
	if (len == 4)
		return classify4(addr);
	if (len == 16)
		return classify6(addr);
	return NM_ADDR_INVALID;
}

enum nm_addr_class nm_addr_classify_text(const char *text)
{
	char buf[64];
	size_t n = text ? strlen(text) : 0;
	if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
		text++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof buf)
		return NM_ADDR_INVALID;
	memcpy(buf, text, n);
	buf[n] = '\0';
	unsigned char a[16];
	if (inet_pton(AF_INET, buf, a) == 1)
		return classify4(a);
	if (inet_pton(AF_INET6, buf, a) == 1)
		return classify6(a);
	return NM_ADDR_INVALID;
}

const char *nm_addr_class_name(enum nm_addr_class c)
{
	switch (c) {
	case NM_ADDR_PUBLIC:
		return "public";
	case NM_ADDR_UNSPECIFIED:
		return "unspecified";
	case NM_ADDR_LOOPBACK:
		return "loopback";
	case NM_ADDR_PRIVATE:
		return "private";
	case NM_ADDR_LINK_LOCAL:
		return "link-local";
	case NM_ADDR_CGNAT:
		return "shared (CGNAT)";
	case NM_ADDR_RESERVED:
		return "reserved";
	default:
		return "invalid";
	}
}

int nm_retry_schedule_parse(const char *s, int *out, int max)
{
	int n = 0;
	const char *p = s;
	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		char *end;
		long v = strtol(p, &end, 10);
		if (v > 30L * 86400 || n >= max)
			return -1;
		out[n++] = (int)v;
		p = end;
		while (*p == ' ')
			p++;
		if (!*p)
			return n;
		if (*p++ != ',')
			return -1;
	}
}
