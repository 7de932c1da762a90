/* The SSRF guard's address classification and the retry schedule parser. */
#include "check.h"
#include "nm/webhook_netcheck.h"

static void test_ipv4(void)
{
	CHECK(nm_addr_classify_text("8.8.8.8") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("93.184.216.34") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("127.0.0.1") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("127.255.1.2") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("0.0.0.0") == NM_ADDR_UNSPECIFIED);
	CHECK(nm_addr_classify_text("10.1.2.3") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("172.16.0.1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("172.31.255.255") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("172.32.0.1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("172.15.255.255") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("192.168.1.1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("169.254.169.254") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("100.64.0.1") == NM_ADDR_CGNAT);
	CHECK(nm_addr_classify_text("100.127.255.255") == NM_ADDR_CGNAT);
	CHECK(nm_addr_classify_text("100.128.0.1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("100.63.255.255") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("224.0.0.1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("255.255.255.255") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("198.18.0.1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("198.19.255.255") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("198.20.0.1") == NM_ADDR_PUBLIC);
	/* TEST-NET-1/2/3 and the 6to4 relay anycast (issue 10) */
	CHECK(nm_addr_classify_text("192.0.2.1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("198.51.100.7") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("203.0.113.255") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("192.88.99.1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("192.0.3.1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("198.51.101.1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("203.0.114.1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("100.64.0.0") == NM_ADDR_CGNAT);
}

static void test_ipv6(void)
{
	CHECK(nm_addr_classify_text("2606:2800:220:1::1") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("::1") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("[::1]") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("::") == NM_ADDR_UNSPECIFIED);
	CHECK(nm_addr_classify_text("fc00::1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("fd12:3456::1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("fe80::1") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("febf::1") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("ff02::1") == NM_ADDR_RESERVED);
	/* IPv4 in disguise */
	CHECK(nm_addr_classify_text("::ffff:127.0.0.1") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("::ffff:169.254.169.254") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("::ffff:a9fe:a9fe") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("::ffff:10.0.0.1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("::ffff:8.8.8.8") == NM_ADDR_PUBLIC);
	CHECK(nm_addr_classify_text("::127.0.0.1") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("64:ff9b::192.168.0.1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("64:ff9b::8.8.8.8") == NM_ADDR_PUBLIC);
	/* local-use NAT64 (RFC 8215): wherever the IPv4 sits, it is the local network */
	CHECK(nm_addr_classify_text("64:ff9b:1::10.0.0.1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("64:ff9b:1:ffff::808:808") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("64:ff9b:2::1") == NM_ADDR_PUBLIC);
	/* 6to4: judged by the IPv4 in bytes 2-5 */
	CHECK(nm_addr_classify_text("2002:7f00:1::1") == NM_ADDR_LOOPBACK);
	CHECK(nm_addr_classify_text("2002:a9fe:a9fe::") == NM_ADDR_LINK_LOCAL);
	CHECK(nm_addr_classify_text("2002:c0a8:101::1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("2002:0a00:0001:1::1") == NM_ADDR_PRIVATE);
	CHECK(nm_addr_classify_text("2002:0808:0808::1") == NM_ADDR_PUBLIC);
	/* Teredo, documentation, discard-only */
	CHECK(nm_addr_classify_text("2001:0:4136:e378:8000:63bf:3fff:fdd2") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("2001:db8::1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("100::1") == NM_ADDR_RESERVED);
	CHECK(nm_addr_classify_text("2001:4860:4860::8888") == NM_ADDR_PUBLIC);
}

static void test_invalid(void)
{
	CHECK(nm_addr_classify_text("") == NM_ADDR_INVALID);
	CHECK(nm_addr_classify_text(NULL) == NM_ADDR_INVALID);
	CHECK(nm_addr_classify_text("localhost") == NM_ADDR_INVALID);
	CHECK(nm_addr_classify_text("127.1") == NM_ADDR_INVALID);
	unsigned char a[3] = {1, 2, 3};
	CHECK(nm_addr_classify(a, 3) == NM_ADDR_INVALID);
	CHECK_STR(nm_addr_class_name(NM_ADDR_LINK_LOCAL), "link-local");
}

static void test_schedule(void)
{
	int s[16];
	CHECK(nm_retry_schedule_parse("5,300,1800", s, 16) == 3);
	CHECK(s[0] == 5 && s[1] == 300 && s[2] == 1800);
	CHECK(nm_retry_schedule_parse(" 1, 2 ,3 ", s, 16) == 3);
	CHECK(s[2] == 3);
	CHECK(nm_retry_schedule_parse("", s, 16) == 0);
	CHECK(nm_retry_schedule_parse("0", s, 16) == 1 && s[0] == 0);
	CHECK(nm_retry_schedule_parse("1,,2", s, 16) == -1);
	CHECK(nm_retry_schedule_parse("1,x", s, 16) == -1);
	CHECK(nm_retry_schedule_parse("-1", s, 16) == -1);
	CHECK(nm_retry_schedule_parse("1,2,", s, 16) == -1);
	CHECK(nm_retry_schedule_parse("9999999", s, 16) == -1);
	CHECK(nm_retry_schedule_parse("1,2,3", s, 2) == -1);
}

int main(void)
{
	test_ipv4();
	test_ipv6();
	test_invalid();
	test_schedule();
	CHECK_DONE();
}
