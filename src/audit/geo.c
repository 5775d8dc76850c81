/* geo.c - country and location lookups over libmaxminddb, country centroids, great-circle distance. */
#include "audit/geo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <maxminddb.h>

#include "base/alloc.h"

struct ss_geo {
	MMDB_s mmdb; /* the opened database (memory-mapped, read-only after open) */
};

/* An address ready for MMDB_lookup_sockaddr. */
union geo_addr {
	struct sockaddr sa;	 /* what libmaxminddb takes */
	struct sockaddr_in in4;	 /* AF_INET */
	struct sockaddr_in6 in6; /* AF_INET6 */
};

int ss_geo_open(struct ss_geo **out, const char *path, struct ss_error *err)
{
	struct ss_geo *g = NULL;
	struct stat st;
	int status, rc = 0;

	*out = NULL;
	/* stat first: libmaxminddb's own errors do not tell "missing" from "unreadable" reliably. */
	if (stat(path, &st) != 0) {
		rc = ss_error_set(err, errno == ENOENT ? SS_ENOENT : SS_EIO,
				  "cannot open the country database: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ss_error_set(err, SS_EIO, "the country database is not a regular file");
		goto out;
	}
	if (st.st_size == 0) {
		rc = ss_error_set(err, SS_EPARSE, "not a MaxMind DB (.mmdb) file: the file is empty");
		goto out;
	}
	g = ss_xcalloc(1, sizeof(*g));
	errno = 0;
	status = MMDB_open(path, MMDB_MODE_MMAP, &g->mmdb);
	switch (status) {
	case MMDB_SUCCESS: break;
	case MMDB_FILE_OPEN_ERROR:
		rc = ss_error_set(err, errno == ENOENT ? SS_ENOENT : SS_EIO,
				  "cannot open the country database: %s",
				  errno ? strerror(errno) : "unknown error");
		break;
	case MMDB_IO_ERROR:
		rc = ss_error_set(err, SS_EIO, "cannot read the country database: %s",
				  errno ? strerror(errno) : "unknown error");
		break;
	case MMDB_OUT_OF_MEMORY_ERROR: ss_die("out of memory opening the country database '%s'", path);
	case MMDB_INVALID_METADATA_ERROR:
		rc = ss_error_set(
			err, SS_EPARSE,
			"not a MaxMind DB (.mmdb) file, or a truncated one: no valid metadata section");
		break;
	case MMDB_UNKNOWN_DATABASE_FORMAT_ERROR:
		rc = ss_error_set(err, SS_EPARSE, "unsupported MaxMind DB format version (only 2.x is read)");
		break;
	case MMDB_CORRUPT_SEARCH_TREE_ERROR:
	case MMDB_INVALID_DATA_ERROR:
		rc = ss_error_set(err, SS_EPARSE,
				  "corrupt MaxMind DB (.mmdb) file: truncated or damaged data");
		break;
	default:
		rc = ss_error_set(err, SS_EPARSE, "corrupt MaxMind DB (.mmdb) file (libmaxminddb error %d)",
				  status);
		break;
	}
	if (rc) {
		free(g); /* MMDB_open has released what it mapped */
		g = NULL;
		goto out;
	}
	*out = g;
out:
	if (rc)
		ss_error_at(err, path, 0, 0);
	return rc;
}

void ss_geo_close(struct ss_geo *g)
{
	if (!g)
		return;
	MMDB_close(&g->mmdb);
	free(g);
}

/* True when the IPv4 address a (network order bytes) is routable on the internet. */
static bool v4_public(const unsigned char a[4])
{
	if (a[0] == 0 || a[0] == 10 || a[0] == 127 || a[0] >= 224) /* this, private, loopback, multicast+ */
		return false;
	if (a[0] == 100 && (a[1] & 0xc0) == 64) /* 100.64/10 carrier-grade NAT */
		return false;
	if (a[0] == 169 && a[1] == 254) /* link-local */
		return false;
	if (a[0] == 172 && (a[1] & 0xf0) == 16) /* 172.16/12 */
		return false;
	if (a[0] == 192 && a[1] == 168)
		return false;
	if (a[0] == 192 && a[1] == 0 && (a[2] == 0 || a[2] == 2)) /* IETF protocol, TEST-NET-1 */
		return false;
	if (a[0] == 198 && (a[1] & 0xfe) == 18) /* 198.18/15 benchmarking */
		return false;
	if ((a[0] == 198 && a[1] == 51 && a[2] == 100) || (a[0] == 203 && a[1] == 0 && a[2] == 113))
		return false; /* TEST-NET-2, TEST-NET-3 */
	return true;
}

/* True when the IPv6 address a is global unicast (2000::/3) and not documentation (2001:db8::/32). */
static bool v6_public(const unsigned char a[16])
{
	if ((a[0] & 0xe0) != 0x20)
		return false;
	return !(a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8);
}

/*
 * Parses ip into addr; IPv4-mapped IPv6 addresses become IPv4. False when ip
 * is not an address or is not a public one.
 */
static bool parse_addr(const char *ip, union geo_addr *addr)
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	unsigned char a6[16];

	memset(addr, 0, sizeof(*addr));
	if (!ip)
		return false;
	if (inet_pton(AF_INET, ip, &addr->in4.sin_addr) == 1) {
		addr->in4.sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, ip, a6) == 1) {
		if (memcmp(a6, mapped, sizeof(mapped)) == 0) {
			addr->in4.sin_family = AF_INET;
			memcpy(&addr->in4.sin_addr, a6 + 12, 4);
		} else {
			addr->in6.sin6_family = AF_INET6;
			memcpy(&addr->in6.sin6_addr, a6, 16);
		}
	} else {
		return false;
	}
	if (addr->sa.sa_family == AF_INET)
		return v4_public((const unsigned char *)&addr->in4.sin_addr);
	return v6_public((const unsigned char *)&addr->in6.sin6_addr);
}

/* Finds the record of ip; false when ip is not public or has no record. */
static bool lookup(const struct ss_geo *g, const char *ip, MMDB_entry_s *entry)
{
	union geo_addr addr;
	MMDB_lookup_result_s r;
	int mmdb_err = MMDB_SUCCESS;

	if (!g || !parse_addr(ip, &addr))
		return false;
	r = MMDB_lookup_sockaddr(&g->mmdb, &addr.sa, &mmdb_err);
	if (mmdb_err != MMDB_SUCCESS || !r.found_entry)
		return false;
	*entry = r.entry;
	return true;
}

/* Copies a two-letter code from data into cc, upper case; false unless it is two ASCII letters, not ZZ. */
static bool take_code(const MMDB_entry_data_s *data, char cc[3])
{
	size_t i;

	if (!data->has_data || data->type != MMDB_DATA_TYPE_UTF8_STRING || data->data_size != 2)
		return false;
	for (i = 0; i < 2; i++) {
		char c = data->utf8_string[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < 'A' || c > 'Z')
			return false;
		cc[i] = c;
	}
	cc[2] = '\0';
	return strcmp(cc, "ZZ") != 0;
}

bool ss_geo_country(const struct ss_geo *g, const char *ip, char cc[3])
{
	MMDB_entry_s entry;
	MMDB_entry_data_s data;

	if (!lookup(g, ip, &entry))
		return false;
	/* A path absent from the record gives an error or has_data false: either way, try the next shape. */
	if (MMDB_get_value(&entry, &data, "country", "iso_code", NULL) == MMDB_SUCCESS &&
	    take_code(&data, cc))
		return true;
	if (MMDB_get_value(&entry, &data, "registered_country", "iso_code", NULL) == MMDB_SUCCESS &&
	    take_code(&data, cc))
		return true;
	if (MMDB_get_value(&entry, &data, "country_code", NULL) == MMDB_SUCCESS && take_code(&data, cc))
		return true;
	return false;
}

/* Reads a double or float at the path location.<key>; false when absent or not a number. */
static bool location_value(MMDB_entry_s *entry, const char *key, double *v)
{
	MMDB_entry_data_s data;

	if (MMDB_get_value(entry, &data, "location", key, NULL) != MMDB_SUCCESS || !data.has_data)
		return false;
	if (data.type == MMDB_DATA_TYPE_DOUBLE)
		*v = data.double_value;
	else if (data.type == MMDB_DATA_TYPE_FLOAT)
		*v = data.float_value;
	else
		return false;
	return isfinite(*v);
}

bool ss_geo_location(const struct ss_geo *g, const char *ip, double *lat, double *lon)
{
	MMDB_entry_s entry;
	double la, lo;

	if (!lookup(g, ip, &entry))
		return false;
	if (!location_value(&entry, "latitude", &la) || !location_value(&entry, "longitude", &lo))
		return false;
	if (la < -90.0 || la > 90.0 || lo < -180.0 || lo > 180.0)
		return false;
	*lat = la;
	*lon = lo;
	return true;
}

/*
 * Approximate geographic centres of the ISO 3166-1 countries and territories
 * (plus XK, the user-assigned code used for Kosovo, and AN, withdrawn but
 * still in registry data), in degrees, written from general knowledge to
 * about a tenth of a degree: good to a few hundred kilometres, which is all
 * impossible-travel estimates need. For countries spread over oceans
 * (Kiribati, US Minor Outlying Islands) the point is the main population
 * centre; US is the contiguous states. Big countries (RU, CA, US, CN, BR, AU)
 * span thousands of kilometres, so distances between their centroids say
 * little about travel inside them.
 * Sorted by code for bsearch.
 */
struct centroid {
	char cc[3]; /* ISO 3166-1 alpha-2, upper case */
	double lat; /* degrees north */
	double lon; /* degrees east */
};

static const struct centroid centroids[] = {
	{"AD", 42.5, 1.5},     /* Andorra */
	{"AE", 24.0, 54.0},    /* United Arab Emirates */
	{"AF", 33.9, 67.7},    /* Afghanistan */
	{"AG", 17.1, -61.8},   /* Antigua and Barbuda */
	{"AI", 18.2, -63.1},   /* Anguilla */
	{"AL", 41.2, 20.2},    /* Albania */
	{"AM", 40.1, 45.0},    /* Armenia */
	{"AN", 12.2, -69.0},   /* Netherlands Antilles (withdrawn, still in registry data) */
	{"AO", -11.2, 17.9},   /* Angola */
	{"AQ", -75.0, 0.0},    /* Antarctica */
	{"AR", -38.4, -63.6},  /* Argentina */
	{"AS", -14.3, -170.7}, /* American Samoa */
	{"AT", 47.5, 14.6},    /* Austria */
	{"AU", -25.3, 133.8},  /* Australia */
	{"AW", 12.5, -70.0},   /* Aruba */
	{"AX", 60.2, 20.0},    /* Aland Islands */
	{"AZ", 40.1, 47.6},    /* Azerbaijan */
	{"BA", 43.9, 17.7},    /* Bosnia and Herzegovina */
	{"BB", 13.2, -59.5},   /* Barbados */
	{"BD", 23.7, 90.4},    /* Bangladesh */
	{"BE", 50.5, 4.5},     /* Belgium */
	{"BF", 12.2, -1.6},    /* Burkina Faso */
	{"BG", 42.7, 25.5},    /* Bulgaria */
	{"BH", 26.0, 50.6},    /* Bahrain */
	{"BI", -3.4, 29.9},    /* Burundi */
	{"BJ", 9.3, 2.3},      /* Benin */
	{"BL", 17.9, -62.8},   /* Saint Barthelemy */
	{"BM", 32.3, -64.8},   /* Bermuda */
	{"BN", 4.5, 114.7},    /* Brunei */
	{"BO", -16.3, -63.6},  /* Bolivia */
	{"BQ", 12.2, -68.3},   /* Caribbean Netherlands */
	{"BR", -14.2, -51.9},  /* Brazil */
	{"BS", 24.3, -76.6},   /* Bahamas */
	{"BT", 27.5, 90.4},    /* Bhutan */
	{"BV", -54.4, 3.4},    /* Bouvet Island */
	{"BW", -22.3, 24.7},   /* Botswana */
	{"BY", 53.7, 28.0},    /* Belarus */
	{"BZ", 17.2, -88.5},   /* Belize */
	{"CA", 56.1, -106.3},  /* Canada */
	{"CC", -12.2, 96.9},   /* Cocos (Keeling) Islands */
	{"CD", -4.0, 21.8},    /* DR Congo */
	{"CF", 6.6, 20.9},     /* Central African Republic */
	{"CG", -0.2, 15.8},    /* Congo */
	{"CH", 46.8, 8.2},     /* Switzerland */
	{"CI", 7.5, -5.5},     /* Cote d'Ivoire */
	{"CK", -21.2, -159.8}, /* Cook Islands */
	{"CL", -35.7, -71.5},  /* Chile */
	{"CM", 7.4, 12.4},     /* Cameroon */
	{"CN", 35.9, 104.2},   /* China */
	{"CO", 4.6, -74.3},    /* Colombia */
	{"CR", 9.7, -83.8},    /* Costa Rica */
	{"CU", 21.5, -77.8},   /* Cuba */
	{"CV", 16.0, -24.0},   /* Cabo Verde */
	{"CW", 12.2, -69.0},   /* Curacao */
	{"CX", -10.4, 105.7},  /* Christmas Island */
	{"CY", 35.1, 33.4},    /* Cyprus */
	{"CZ", 49.8, 15.5},    /* Czechia */
	{"DE", 51.2, 10.5},    /* Germany */
	{"DJ", 11.8, 42.6},    /* Djibouti */
	{"DK", 56.3, 9.5},     /* Denmark */
	{"DM", 15.4, -61.4},   /* Dominica */
	{"DO", 18.7, -70.2},   /* Dominican Republic */
	{"DZ", 28.0, 1.7},     /* Algeria */
	{"EC", -1.8, -78.2},   /* Ecuador */
	{"EE", 58.6, 25.0},    /* Estonia */
	{"EG", 26.8, 30.8},    /* Egypt */
	{"EH", 24.2, -12.9},   /* Western Sahara */
	{"ER", 15.2, 39.8},    /* Eritrea */
	{"ES", 40.5, -3.7},    /* Spain */
	{"ET", 9.1, 40.5},     /* Ethiopia */
	{"FI", 61.9, 25.7},    /* Finland */
	{"FJ", -17.7, 178.1},  /* Fiji */
	{"FK", -51.8, -59.5},  /* Falkland Islands */
	{"FM", 7.4, 150.6},    /* Micronesia */
	{"FO", 61.9, -6.9},    /* Faroe Islands */
	{"FR", 46.2, 2.2},     /* France */
	{"GA", -0.8, 11.6},    /* Gabon */
	{"GB", 54.0, -2.5},    /* United Kingdom */
	{"GD", 12.1, -61.7},   /* Grenada */
	{"GE", 42.3, 43.4},    /* Georgia */
	{"GF", 3.9, -53.1},    /* French Guiana */
	{"GG", 49.5, -2.6},    /* Guernsey */
	{"GH", 7.9, -1.0},     /* Ghana */
	{"GI", 36.1, -5.4},    /* Gibraltar */
	{"GL", 71.7, -42.6},   /* Greenland */
	{"GM", 13.4, -15.3},   /* Gambia */
	{"GN", 9.9, -9.7},     /* Guinea */
	{"GP", 16.3, -61.6},   /* Guadeloupe */
	{"GQ", 1.7, 10.3},     /* Equatorial Guinea */
	{"GR", 39.1, 21.8},    /* Greece */
	{"GS", -54.4, -36.6},  /* South Georgia */
	{"GT", 15.8, -90.2},   /* Guatemala */
	{"GU", 13.4, 144.8},   /* Guam */
	{"GW", 11.8, -15.2},   /* Guinea-Bissau */
	{"GY", 4.9, -58.9},    /* Guyana */
	{"HK", 22.4, 114.1},   /* Hong Kong */
	{"HM", -53.1, 73.5},   /* Heard and McDonald Islands */
	{"HN", 15.2, -86.2},   /* Honduras */
	{"HR", 45.1, 15.2},    /* Croatia */
	{"HT", 19.0, -72.3},   /* Haiti */
	{"HU", 47.2, 19.5},    /* Hungary */
	{"ID", -0.8, 113.9},   /* Indonesia */
	{"IE", 53.4, -8.2},    /* Ireland */
	{"IL", 31.0, 34.9},    /* Israel */
	{"IM", 54.2, -4.5},    /* Isle of Man */
	{"IN", 20.6, 79.0},    /* India */
	{"IO", -6.3, 71.9},    /* British Indian Ocean Territory */
	{"IQ", 33.2, 43.7},    /* Iraq */
	{"IR", 32.4, 53.7},    /* Iran */
	{"IS", 65.0, -19.0},   /* Iceland */
	{"IT", 41.9, 12.6},    /* Italy */
	{"JE", 49.2, -2.1},    /* Jersey */
	{"JM", 18.1, -77.3},   /* Jamaica */
	{"JO", 30.6, 36.2},    /* Jordan */
	{"JP", 36.2, 138.3},   /* Japan */
	{"KE", 0.0, 37.9},     /* Kenya */
	{"KG", 41.2, 74.8},    /* Kyrgyzstan */
	{"KH", 12.6, 105.0},   /* Cambodia */
	{"KI", 1.4, 173.0},    /* Kiribati (Tarawa) */
	{"KM", -11.9, 43.9},   /* Comoros */
	{"KN", 17.4, -62.8},   /* Saint Kitts and Nevis */
	{"KP", 40.3, 127.5},   /* North Korea */
	{"KR", 35.9, 127.8},   /* South Korea */
	{"KW", 29.3, 47.5},    /* Kuwait */
	{"KY", 19.3, -81.3},   /* Cayman Islands */
	{"KZ", 48.0, 66.9},    /* Kazakhstan */
	{"LA", 19.9, 102.5},   /* Laos */
	{"LB", 33.9, 35.9},    /* Lebanon */
	{"LC", 13.9, -61.0},   /* Saint Lucia */
	{"LI", 47.2, 9.6},     /* Liechtenstein */
	{"LK", 7.9, 80.8},     /* Sri Lanka */
	{"LR", 6.4, -9.4},     /* Liberia */
	{"LS", -29.6, 28.2},   /* Lesotho */
	{"LT", 55.2, 23.9},    /* Lithuania */
	{"LU", 49.8, 6.1},     /* Luxembourg */
	{"LV", 56.9, 24.6},    /* Latvia */
	{"LY", 26.3, 17.2},    /* Libya */
	{"MA", 31.8, -7.1},    /* Morocco */
	{"MC", 43.7, 7.4},     /* Monaco */
	{"MD", 47.4, 28.4},    /* Moldova */
	{"ME", 42.7, 19.4},    /* Montenegro */
	{"MF", 18.1, -63.1},   /* Saint Martin */
	{"MG", -18.8, 46.9},   /* Madagascar */
	{"MH", 7.1, 171.2},    /* Marshall Islands */
	{"MK", 41.6, 21.7},    /* North Macedonia */
	{"ML", 17.6, -4.0},    /* Mali */
	{"MM", 21.9, 96.0},    /* Myanmar */
	{"MN", 46.9, 103.8},   /* Mongolia */
	{"MO", 22.2, 113.5},   /* Macao */
	{"MP", 15.2, 145.7},   /* Northern Mariana Islands */
	{"MQ", 14.6, -61.0},   /* Martinique */
	{"MR", 21.0, -10.9},   /* Mauritania */
	{"MS", 16.7, -62.2},   /* Montserrat */
	{"MT", 35.9, 14.4},    /* Malta */
	{"MU", -20.3, 57.6},   /* Mauritius */
	{"MV", 3.2, 73.2},     /* Maldives */
	{"MW", -13.3, 34.3},   /* Malawi */
	{"MX", 23.6, -102.6},  /* Mexico */
	{"MY", 4.2, 102.0},    /* Malaysia */
	{"MZ", -18.7, 35.5},   /* Mozambique */
	{"NA", -23.0, 18.5},   /* Namibia */
	{"NC", -20.9, 165.6},  /* New Caledonia */
	{"NE", 17.6, 8.1},     /* Niger */
	{"NF", -29.0, 168.0},  /* Norfolk Island */
	{"NG", 9.1, 8.7},      /* Nigeria */
	{"NI", 12.9, -85.2},   /* Nicaragua */
	{"NL", 52.1, 5.3},     /* Netherlands */
	{"NO", 60.5, 8.5},     /* Norway */
	{"NP", 28.4, 84.1},    /* Nepal */
	{"NR", -0.5, 166.9},   /* Nauru */
	{"NU", -19.1, -169.9}, /* Niue */
	{"NZ", -40.9, 174.9},  /* New Zealand */
	{"OM", 21.5, 55.9},    /* Oman */
	{"PA", 8.5, -80.8},    /* Panama */
	{"PE", -9.2, -75.0},   /* Peru */
	{"PF", -17.7, -149.4}, /* French Polynesia */
	{"PG", -6.3, 143.9},   /* Papua New Guinea */
	{"PH", 12.9, 121.8},   /* Philippines */
	{"PK", 30.4, 69.3},    /* Pakistan */
	{"PL", 51.9, 19.1},    /* Poland */
	{"PM", 46.9, -56.3},   /* Saint Pierre and Miquelon */
	{"PN", -24.7, -127.4}, /* Pitcairn */
	{"PR", 18.2, -66.6},   /* Puerto Rico */
	{"PS", 31.9, 35.2},    /* Palestine */
	{"PT", 39.4, -8.2},    /* Portugal */
	{"PW", 7.5, 134.6},    /* Palau */
	{"PY", -23.4, -58.4},  /* Paraguay */
	{"QA", 25.4, 51.2},    /* Qatar */
	{"RE", -21.1, 55.5},   /* Reunion */
	{"RO", 45.9, 25.0},    /* Romania */
	{"RS", 44.0, 21.0},    /* Serbia */
	{"RU", 61.5, 105.3},   /* Russia */
	{"RW", -1.9, 29.9},    /* Rwanda */
	{"SA", 23.9, 45.1},    /* Saudi Arabia */
	{"SB", -9.6, 160.2},   /* Solomon Islands */
	{"SC", -4.7, 55.5},    /* Seychelles */
	{"SD", 12.9, 30.2},    /* Sudan */
	{"SE", 60.1, 18.6},    /* Sweden */
	{"SG", 1.4, 103.8},    /* Singapore */
	{"SH", -16.0, -5.7},   /* Saint Helena */
	{"SI", 46.2, 15.0},    /* Slovenia */
	{"SJ", 77.6, 23.7},    /* Svalbard and Jan Mayen */
	{"SK", 48.7, 19.7},    /* Slovakia */
	{"SL", 8.5, -11.8},    /* Sierra Leone */
	{"SM", 43.9, 12.5},    /* San Marino */
	{"SN", 14.5, -14.5},   /* Senegal */
	{"SO", 5.2, 46.2},     /* Somalia */
	{"SR", 3.9, -56.0},    /* Suriname */
	{"SS", 7.0, 30.5},     /* South Sudan */
	{"ST", 0.2, 6.6},      /* Sao Tome and Principe */
	{"SV", 13.8, -88.9},   /* El Salvador */
	{"SX", 18.0, -63.1},   /* Sint Maarten */
	{"SY", 34.8, 39.0},    /* Syria */
	{"SZ", -26.5, 31.5},   /* Eswatini */
	{"TC", 21.7, -71.8},   /* Turks and Caicos Islands */
	{"TD", 15.5, 18.7},    /* Chad */
	{"TF", -49.3, 69.3},   /* French Southern Territories */
	{"TG", 8.6, 0.8},      /* Togo */
	{"TH", 15.9, 101.0},   /* Thailand */
	{"TJ", 38.9, 71.3},    /* Tajikistan */
	{"TK", -9.2, -171.8},  /* Tokelau */
	{"TL", -8.9, 125.7},   /* Timor-Leste */
	{"TM", 39.0, 59.6},    /* Turkmenistan */
	{"TN", 33.9, 9.5},     /* Tunisia */
	{"TO", -21.2, -175.2}, /* Tonga */
	{"TR", 39.0, 35.2},    /* Turkey */
	{"TT", 10.7, -61.2},   /* Trinidad and Tobago */
	{"TV", -7.1, 177.6},   /* Tuvalu */
	{"TW", 23.7, 121.0},   /* Taiwan */
	{"TZ", -6.4, 34.9},    /* Tanzania */
	{"UA", 48.4, 31.2},    /* Ukraine */
	{"UG", 1.4, 32.3},     /* Uganda */
	{"UM", 19.3, 166.6},   /* US Minor Outlying Islands (Wake) */
	{"US", 39.8, -98.6},   /* United States (contiguous) */
	{"UY", -32.5, -55.8},  /* Uruguay */
	{"UZ", 41.4, 64.6},    /* Uzbekistan */
	{"VA", 41.9, 12.5},    /* Vatican City */
	{"VC", 13.0, -61.3},   /* Saint Vincent and the Grenadines */
	{"VE", 6.4, -66.6},    /* Venezuela */
	{"VG", 18.4, -64.6},   /* British Virgin Islands */
	{"VI", 18.3, -64.9},   /* US Virgin Islands */
	{"VN", 14.1, 108.3},   /* Vietnam */
	{"VU", -15.4, 167.0},  /* Vanuatu */
	{"WF", -13.8, -177.2}, /* Wallis and Futuna */
	{"WS", -13.8, -172.1}, /* Samoa */
	{"XK", 42.6, 20.9},    /* Kosovo (user-assigned code used by MaxMind) */
	{"YE", 15.6, 48.5},    /* Yemen */
	{"YT", -12.8, 45.2},   /* Mayotte */
	{"ZA", -30.6, 22.9},   /* South Africa */
	{"ZM", -13.1, 27.8},   /* Zambia */
	{"ZW", -19.0, 29.2},   /* Zimbabwe */
};

static int centroid_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct centroid *)elem)->cc);
}

bool ss_geo_country_centroid(const char cc[3], double *lat, double *lon)
{
	char key[3];
	const struct centroid *c;
	size_t i;

	if (!cc)
		return false;
	for (i = 0; i < 2; i++) {
		char ch = cc[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch < 'A' || ch > 'Z')
			return false;
		key[i] = ch;
	}
	key[2] = '\0';
	if (cc[2] != '\0')
		return false;
	c = bsearch(key, centroids, SS_ARRAY_LEN(centroids), sizeof(centroids[0]), centroid_cmp);
	if (!c)
		return false;
	*lat = c->lat;
	*lon = c->lon;
	return true;
}

double ss_geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	const double rad = M_PI / 180.0;
	const double earth_km = 6371.0088; /* mean radius (IUGG) */
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double h = sin(dlat / 2) * sin(dlat / 2) +
		   cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);

	if (h > 1.0) /* rounding near antipodes */
		h = 1.0;
	return 2.0 * earth_km * asin(sqrt(h));
}
