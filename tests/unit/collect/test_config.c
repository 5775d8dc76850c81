/* test_config.c - the "collect" config: one object or an array of tenants, the choice of entry, the schedule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/config.h"

#define A_ID "0b1c2d3e-1111-2222-3333-444455556666"
#define B_ID "0b1c2d3e-aaaa-bbbb-cccc-ddddeeeeffff"

static char dir[64];
static char path[128];

static const char *const vars[] = {"SECSCORE_TENANT_ID",
				   "SECSCORE_CLIENT_ID",
				   "SECSCORE_CLIENT_SECRET",
				   "SECSCORE_CLIENT_CERT",
				   "SECSCORE_CLIENT_KEY",
				   "SECSCORE_CLOUD",
				   "SECSCORE_PUBLISHER_ID",
				   "SECSCORE_LOGIN_URL",
				   "SECSCORE_GRAPH_URL",
				   "SECSCORE_MANAGE_URL",
				   NULL};

static int setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; vars[i]; i++)
		unsetenv(vars[i]);
	snprintf(dir, sizeof(dir), "/tmp/ss_config_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/config.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

/* Writes the config file (mode 0600: it holds secrets). */
static void write_config(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

static const char two[] =
	"{\"schedule\": \"01:30\", \"collect\": ["
	"{\"name\": \"contoso\", \"tenant_id\": \"" A_ID "\", \"client_id\": \"app-a\", "
	"\"client_secret\": \"secret-a\"},"
	"{\"tenant_id\": \"" B_ID "\", \"client_id\": \"app-b\", \"client_secret\": \"secret-b\", "
	"\"cloud\": \"usgov\"}]}";

static void test_array_chooses_by_name_or_id(void **state)
{
	struct ss_collect_config c;
	struct ss_error err;

	(void)state;
	write_config(two);
	ss_error_clear(&err);
	assert_int_equal(ss_collect_config_load(&c, path, "contoso", &err), 0);
	assert_string_equal(c.tenant, A_ID); /* the name chooses; the tenant id stays the entry's */
	assert_string_equal(c.client_id, "app-a");
	assert_string_equal(c.client_secret, "secret-a");
	assert_string_equal(c.cloud, "global");
	ss_collect_config_release(&c);

	assert_int_equal(ss_collect_config_load(&c, path, B_ID, &err), 0);
	assert_string_equal(c.tenant, B_ID);
	assert_string_equal(c.client_id, "app-b");
	assert_string_equal(c.cloud, "usgov");
	assert_string_equal(c.manage_url, "https://manage-gcc.office.com");
	ss_collect_config_release(&c);

	/* tenant ids compare without regard to case */
	assert_int_equal(ss_collect_config_load(&c, path, "0B1C2D3E-AAAA-BBBB-CCCC-DDDDEEEEFFFF", &err), 0);
	assert_string_equal(c.client_id, "app-b");
	ss_collect_config_release(&c);
}

static void test_array_needs_a_choice(void **state)
{
	struct ss_collect_config c;
	struct ss_error err;

	(void)state;
	write_config(two);
	ss_error_clear(&err);
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), SS_EINVAL);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.msg, "several tenants are configured"));
	assert_non_null(strstr(err.msg, "--tenant"));
	assert_non_null(strstr(err.msg, "contoso"));
	assert_non_null(strstr(err.msg, B_ID));

	ss_error_clear(&err);
	assert_int_equal(ss_collect_config_load(&c, path, "fabrikam", &err), SS_EINVAL);
	assert_string_equal(err.file, path);
	assert_non_null(strstr(err.msg, "fabrikam"));

	/* $SECSCORE_TENANT_ID chooses as --tenant does, and does not replace the entry's id */
	setenv("SECSCORE_TENANT_ID", "contoso", 1);
	ss_error_clear(&err);
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), 0);
	assert_string_equal(c.tenant, A_ID);
	ss_collect_config_release(&c);
	/* --tenant wins over it */
	assert_int_equal(ss_collect_config_load(&c, path, B_ID, &err), 0);
	assert_string_equal(c.tenant, B_ID);
	ss_collect_config_release(&c);
	unsetenv("SECSCORE_TENANT_ID");
}

static void test_environment_still_wins_key_by_key(void **state)
{
	struct ss_collect_config c;
	struct ss_error err;

	(void)state;
	write_config(two);
	setenv("SECSCORE_CLIENT_ID", "app-env", 1);
	setenv("SECSCORE_LOGIN_URL", "http://127.0.0.1:9/", 1);
	ss_error_clear(&err);
	assert_int_equal(ss_collect_config_load(&c, path, "contoso", &err), 0);
	assert_string_equal(c.client_id, "app-env");
	assert_string_equal(c.client_secret, "secret-a");
	assert_string_equal(c.login_url, "http://127.0.0.1:9");
	ss_collect_config_release(&c);
	unsetenv("SECSCORE_CLIENT_ID");
	unsetenv("SECSCORE_LOGIN_URL");
}

static void test_one_entry_array_and_object(void **state)
{
	struct ss_collect_config c;
	struct ss_error err;

	(void)state;
	ss_error_clear(&err);
	write_config("{\"collect\": [{\"tenant_id\": \"" A_ID
		     "\", \"client_id\": \"x\", \"client_secret\": \"s\"}]}");
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), 0);
	assert_string_equal(c.tenant, A_ID);
	ss_collect_config_release(&c);

	/* a single object: --tenant still wins, unless it is the object's name */
	write_config("{\"collect\": {\"name\": \"contoso\", \"tenant_id\": \"" A_ID
		     "\", \"client_id\": \"x\", \"client_secret\": \"s\"}}");
	assert_int_equal(ss_collect_config_load(&c, path, "contoso", &err), 0);
	assert_string_equal(c.tenant, A_ID);
	ss_collect_config_release(&c);
	assert_int_equal(ss_collect_config_load(&c, path, B_ID, &err), 0);
	assert_string_equal(c.tenant, B_ID);
	ss_collect_config_release(&c);
}

static void test_array_shape_errors(void **state)
{
	struct ss_collect_config c;
	struct ss_error err;

	(void)state;
	ss_error_clear(&err);
	write_config("{\"collect\": [{\"name\": \"a\", \"tenant_id\": \"" A_ID "\", \"client_id\": \"x\", "
		     "\"client_secret\": \"s\"}, {\"name\": \"a\", \"tenant_id\": \"" B_ID
		     "\", \"client_id\": \"x\", \"client_secret\": \"s\"}]}");
	assert_int_equal(ss_collect_config_load(&c, path, "a", &err), SS_EINVAL);
	assert_non_null(strstr(err.msg, "names two tenants"));

	ss_error_clear(&err);
	write_config("{\"collect\": [{\"client_id\": \"x\", \"client_secret\": \"s\"}]}");
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), SS_EINVAL);
	assert_string_equal(err.field, "collect[0].tenant_id");

	ss_error_clear(&err);
	write_config("{\"collect\": [{\"tenant_id\": \"" A_ID
		     "\", \"client_id\": \"x\", \"secret\": \"s\"}]}");
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), SS_EINVAL);
	assert_string_equal(err.field, "collect[0].secret");

	ss_error_clear(&err);
	write_config("{\"collect\": []}");
	assert_int_equal(ss_collect_config_load(&c, path, NULL, &err), SS_EINVAL);

	/* a secret in any entry makes the 0600 rule apply to the file */
	ss_error_clear(&err);
	write_config(two);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(ss_collect_config_load(&c, path, B_ID, &err), SS_EINVAL);
	assert_non_null(strstr(err.msg, "chmod 600"));
}

static void test_tenants_and_schedule(void **state)
{
	struct ss_error err;
	char **names = NULL, *hhmm = NULL;
	size_t n = 0;

	(void)state;
	ss_error_clear(&err);
	write_config(two);
	assert_int_equal(ss_collect_config_tenants(path, &names, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "contoso");
	assert_string_equal(names[1], B_ID);
	ss_collect_config_tenants_free(names, n);
	assert_int_equal(ss_collect_config_schedule(path, &hhmm, &err), 0);
	assert_string_equal(hhmm, "01:30");
	free(hhmm);

	write_config("{\"collect\": {\"tenant_id\": \"" A_ID
		     "\", \"client_id\": \"x\", \"client_secret\": \"s\"}}");
	assert_int_equal(ss_collect_config_tenants(path, &names, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], A_ID);
	ss_collect_config_tenants_free(names, n);
	assert_int_equal(ss_collect_config_schedule(path, &hhmm, &err), 0);
	assert_null(hhmm);

	/* no "collect": the environment's tenant, or none */
	write_config("{\"schedule\": 3}");
	assert_int_equal(ss_collect_config_tenants(path, &names, &n, &err), 0);
	assert_int_equal(n, 0);
	ss_collect_config_tenants_free(names, n);
	setenv("SECSCORE_TENANT_ID", B_ID, 1);
	assert_int_equal(ss_collect_config_tenants(path, &names, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], B_ID);
	ss_collect_config_tenants_free(names, n);
	unsetenv("SECSCORE_TENANT_ID");
	assert_int_equal(ss_collect_config_schedule(path, &hhmm, &err), SS_EINVAL);
	assert_string_equal(err.field, "schedule");
	assert_null(hhmm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_array_chooses_by_name_or_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_needs_a_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_still_wins_key_by_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_entry_array_and_object, setup, teardown),
		cmocka_unit_test_setup_teardown(test_array_shape_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenants_and_schedule, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
