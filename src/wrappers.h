/*
 * wrappers.c: the program a command ends up running, through the programs
 * that only execute another (env, gosu, setpriv, tini, sh -c 'exec ...').
 * Words only: nothing is looked up on disk.
 */
#ifndef PORTREMAP_WRAPPERS_H
#define PORTREMAP_WRAPPERS_H

#define WORDS_MAX	64

struct final_program {
	const char	*command;	/* as the last wrapper names it; NULL: unknown */
	const char	*path;		/* a PATH a wrapper sets for it, or NULL */
	const char	*changes_user;	/* the wrapper that runs it as another user */
	char		 through[256];	/* the wrappers, "tini, gosu"; "": none */
	char		 unknown[512];	/* why it cannot be known */
	/* The words of a shell's command string, once split. */
	char		 text[4096];
	char		*words[WORDS_MAX + 1];
};

void look_through(char *const argv[], struct final_program *);
int names_a_shell(const char *command);

#endif
