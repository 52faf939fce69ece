/*
 * The one initialisation path, linked with the whole library: what a call
 * sees while this process, another thread, or a parent that forked in the
 * middle of it, is publishing the settings.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "map.h"
#include "settings.h"
#include "init.h"
#include "marks.h"

/* The constructor ran when the test program was loaded. */
Test(init, the_settings_are_published_at_load)
{
	cr_assert_not_null(settings_ready());
	cr_assert_eq(pr_settings_state, SETTINGS_READY);
	cr_assert_neq(pr_getsockname_next, NULL);
}

/* Another thread of this process is publishing: no waiting, a copy. */
Test(init, a_call_during_publication_works_from_a_private_copy)
{
	struct settings scratch;

	setenv("PORTREMAP_MAP", "700:20700", 1);
	pr_settings_state = -(int)getpid();
	cr_assert_eq(settings_now(&scratch), &scratch);
	cr_assert_eq(map_target(&scratch.map, 700), 20700);
	cr_assert_eq(pr_settings_state, -(int)getpid());
}

/* A child forked while its parent published: the publisher is not here. */
Test(init, a_child_forked_during_publication_takes_it_over)
{
	struct settings scratch;

	setenv("PORTREMAP_MAP", "701:20701", 1);
	pr_settings_state = -(int)getppid();
	cr_assert_eq(settings_now(&scratch), &pr_published_settings);
	cr_assert_eq(pr_settings_state, SETTINGS_READY);
	cr_assert_eq(map_target(&pr_published_settings.map, 701), 20701);
	cr_assert_eq(entry_source(port_entry(20701)), 701);
}

Test(init, publishing_twice_changes_nothing)
{
	const struct settings *before = settings_ready();

	pr_init();
	cr_assert_eq(settings_ready(), before);
}
