/* Outbound webhook URL safety (docs/api.md §6): classifies an IP address so that targets on
 * loopback, private, link-local (incl. cloud metadata), CGNAT and similar ranges can be
 * refused, both when an endpoint is saved and on the address actually connected to.
 * Also parses the retry schedule. Pure: no I/O. */
#ifndef NM_WEBHOOK_NETCHECK_H
#define NM_WEBHOOK_NETCHECK_H

#include <stdbool.h>
#include <stddef.h>

enum nm_addr_class {
	NM_ADDR_PUBLIC = 0,
	NM_ADDR_UNSPECIFIED, /* 0.0.0.0/8, :: */
	NM_ADDR_LOOPBACK,    /* 127/8, ::1 */
	NM_ADDR_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10,
				64:ff9b:1::/48 (local-use NAT64) */
	NM_ADDR_LINK_LOCAL,  /* 169.254/16 (incl. 169.254.169.254 metadata), fe80::/10 */
	NM_ADDR_CGNAT,	     /* 100.64/10 */
	NM_ADDR_RESERVED,    /* multicast, 240/4, broadcast, 192.0.0/24, 198.18/15,
				TEST-NET 192.0.2/24 198.51.100/24 203.0.113/24, 192.88.99/24,
				2001::/32 Teredo, 2001:db8::/32, 100::/64 */
	NM_ADDR_INVALID,     /* not an address at all */
};

/* Classifies 4 (IPv4) or 16 (IPv6) address bytes in network order. IPv4-mapped
 * (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
 * (2002:aabb:ccdd::/48) IPv6 addresses are judged by the IPv4 address they embed. */
enum nm_addr_class nm_addr_classify(const unsigned char *addr, size_t len);

/* Same for a textual address ("10.0.0.1", "::ffff:127.0.0.1", "[::1]"). */
enum nm_addr_class nm_addr_classify_text(const char *text);

/* A short phrase for messages: "loopback", "private", ... */
const char *nm_addr_class_name(enum nm_addr_class c);

/* Parses NICHEMATCH_WEBHOOK_RETRY_SCHEDULE ("5,300,1800"): comma-separated
 * non-negative integers of seconds (spaces allowed), at most max entries, at most
 * 30 days each. Returns the count (0 for an empty string: no retries), or -1 when
 * malformed. */
int nm_retry_schedule_parse(const char *s, int *out, int max);

#endif
