/* ISO 3166-1 alpha-2 and ISO 639-1 membership. Each code set is written as 26 rows, one
 * per first letter, listing the allowed second letters: readable against the standard,
 * no start-up initialisation, and a lookup is one index plus a scan of at most 26 bytes. */
#include "nm/taxonomy.h"

#include <string.h>

/* The 249 officially assigned alpha-2 codes (ISO 3166-1, as of 2024). Exceptionally or
 * transitionally reserved codes (UK, EU, AN, ...) are not countries and are refused. */
static const char *const country_rows[26] = {
	"DEFGILMOQRSTUWXZ",	   /* A */
	"ABDEFGHIJLMNOQRSTVWYZ",   /* B */
	"ACDFGHIKLMNORUVWXYZ",	   /* C */
	"EJKMOZ",		   /* D */
	"CEGHRST",		   /* E */
	"IJKMOR",		   /* F */
	"ABDEFGHILMNPQRSTUWY",	   /* G */
	"KMNRTU",		   /* H */
	"DELMNOQRST",		   /* I */
	"EMOP",			   /* J */
	"EGHIMNPRWYZ",		   /* K */
	"ABCIKRSTUVY",		   /* L */
	"ACDEFGHKLMNOPQRSTUVWXYZ", /* M */
	"ACEFGILOPRUZ",		   /* N */
	"M",			   /* O */
	"AEFGHKLMNRSTWY",	   /* P */
	"A",			   /* Q */
	"EOSUW",		   /* R */
	"ABCDEGHIJKLMNORSTVXYZ",   /* S */
	"CDFGHJKLMNORTVWZ",	   /* T */
	"AGMSYZ",		   /* U */
	"ACEGINU",		   /* V */
	"FS",			   /* W */
	"",			   /* X */
	"ET",			   /* Y */
	"AMW",			   /* Z */
};

/* The 184 ISO 639-1 codes, including "bh" (deprecated in 2021 but still written by
 * older exports); the withdrawn iw/in/ji/mo are refused. */
static const char *const language_rows[26] = {
	"abefkmnrsvyz",	      /* a */
	"aeghimnors",	      /* b */
	"aehorsuvy",	      /* c */
	"aevz",		      /* d */
	"elnostu",	      /* e */
	"afijory",	      /* f */
	"adlnuv",	      /* g */
	"aeiortuyz",	      /* h */
	"adegikostu",	      /* i */
	"av",		      /* j */
	"agijklmnorsuvwy",    /* k */
	"abginotuv",	      /* l */
	"ghiklnrsty",	      /* m */
	"abdeglnorvy",	      /* n */
	"cjmrs",	      /* o */
	"ailst",	      /* p */
	"u",		      /* q */
	"mnouw",	      /* r */
	"acdegiklmnoqrstuvw", /* s */
	"aeghiklnorstwy",     /* t */
	"gkrz",		      /* u */
	"eio",		      /* v */
	"ao",		      /* w */
	"h",		      /* x */
	"io",		      /* y */
	"ahu",		      /* z */
};

/* Lower-case index 0..25 of an ASCII letter, or -1. */
static int letter(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	return -1;
}

static bool lookup(const char *const rows[26], char base, const char *s, char out[3])
{
	if (!s)
		return false;
	int a = letter(s[0]);
	int b = a < 0 ? -1 : letter(s[1]);
	if (b < 0 || s[2] != '\0')
		return false;
	if (!memchr(rows[a], base + b, strlen(rows[a])))
		return false;
	if (out) {
		out[0] = (char)(base + a);
		out[1] = (char)(base + b);
		out[2] = '\0';
	}
	return true;
}

bool nm_country_valid(const char *s, char out[3])
{
	return lookup(country_rows, 'A', s, out);
}

bool nm_language_valid(const char *s, char out[3])
{
	return lookup(language_rows, 'a', s, out);
}
