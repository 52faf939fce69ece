/*
 * Initialisation, in one place: read the settings, find the next
 * definitions of the wrapped functions, fill the ports table, point the
 * wrappers where they go, and publish. It runs as an ELF constructor, before
 * main() and before a preloaded program has threads, so that no wrapped
 * call does loader, allocator or environment work afterwards: it only reads
 * what was published here.
 *
 * A wrapped call can still come first, from another library's constructor
 * that runs before this one. It runs the same function. Nothing ever waits:
 * a call that finds another thread of this process publishing (or a signal
 * handler that interrupted the publication) works from a private copy of the
 * settings; a child forked during a publication takes it over, since the
 * publisher is not in the child.
 */
#include "map.h"
#include "settings.h"
#include "init.h"
#include "marks.h"
#include "real.h"
#include "log.h"
#include "sys.h"

struct settings pr_published_settings;
int pr_settings_state;

/* A bad setting, said once at the first bind() or connect(). */
static char settings_error[ERR_MAX];
static int settings_error_pending;

static void
publish(void)
{
	struct settings *s = &pr_published_settings;
	int pending;

	real_resolve();
	settings_read(s, settings_error, sizeof(settings_error));
	if (s->active)
		ports_fill(&s->map, s->log_level >= 2);
	pending = settings_error[0] != '\0' && s->log_level > 0;
	__atomic_store_n(&settings_error_pending, pending, __ATOMIC_RELAXED);
	/* Release: whoever calls through the pointer sees the table filled. */
	__atomic_store_n(&pr_getsockname_next, pr_real.getsockname,
	    __ATOMIC_RELEASE);
	connect_publish(s, pending);
}

void
pr_init(void)
{
	int state = __atomic_load_n(&pr_settings_state, __ATOMIC_ACQUIRE);
	int self;

	if (state == SETTINGS_READY)
		return;
	self = -(int)sys_getpid();
	if (state == self ||
	    !__atomic_compare_exchange_n(&pr_settings_state, &state, self, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
		return;
	publish();
	__atomic_store_n(&pr_settings_state, SETTINGS_READY, __ATOMIC_RELEASE);
}

__attribute__((constructor)) static void
init_at_load(void)
{
	pr_init();
}

/*
 * The settings a call works with: the published ones, or, while this
 * process is still publishing them, a private copy.
 */
const struct settings *
settings_now(struct settings *scratch)
{
	char err[ERR_MAX];
	const struct settings *s;

	pr_init();
	if ((s = settings_ready()) != NULL)
		return s;
	real_resolve();
	settings_read(scratch, err, sizeof(err));
	return scratch;
}

/* The line about a bad setting, once per process. */
void
settings_report(void)
{
	if (PR_UNLIKELY(__atomic_load_n(&settings_error_pending,
	    __ATOMIC_RELAXED)) && __atomic_exchange_n(&settings_error_pending,
	    0, __ATOMIC_RELAXED))
		pr_log_plain("%s", settings_error);
}
