/* SPDX-License-Identifier: MIT */
/* Build-time generator: fills the man page and the bash, zsh and fish
 * completion templates from option_table[], field_table[] and
 * exit_status_table[], the tables the parser and --help use, so none of them
 * can drift apart.
 *
 *   gen-man man|completion TEMPLATE OUTPUT
 *
 * Tokens: @VERSION@, @OPTIONS@ (man: one .TP per option), @EXIT_STATUS@,
 * @FIELDS@ (man: one .TP per column), @FIELDS_DEFAULT@, @ENVIRONMENTS@,
 * @FORMATS@; for the completions @LONG_OPTS@, @SHORT_OPTS@, @BASH_ARG_CASES@
 * (one case arm per option that takes a value), @ZSH_ARGUMENTS@ (the
 * _arguments specs) and @FISH_COMPLETES@ (one complete line per option).
 * A token the mode does not know is an error: a typo must not ship. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model.h"
#include "options.h"

enum mode { MODE_MAN, MODE_COMPLETION };

static bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

/* roff: a backslash starts an escape; '-' must be \- to stay a minus sign
 * that can be copied and searched (groff_man(7), "Portability"). */
static void roff_text(FILE *f, const char *s)
{
        for (; *s; s++) {
                if (*s == '\\')
                        fputs("\\e", f);
                else if (*s == '-')
                        fputs("\\-", f);
                else
                        fputc(*s, f);
        }
}

static void man_options(FILE *f)
{
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];

                fputs(".TP\n", f);
                if (d->short_name)
                        fprintf(f, "\\fB\\-%c\\fR, ", d->short_name);
                fputs("\\fB\\-\\-", f);
                roff_text(f, d->long_name);
                fputs("\\fR", f);
                if (d->arg_name) {
                        fputs("=\\fI", f);
                        roff_text(f, d->arg_name);
                        fputs("\\fR", f);
                }
                fputs("\n\\&", f); /* a paragraph starting with '.' must stay text */
                roff_text(f, d->man ? d->man : d->help);
                fputc('\n', f);
        }
}

static void man_exit_status(FILE *f)
{
        for (size_t i = 0; i < exit_status_table_len; i++) {
                fprintf(f, ".TP\n.B %d\n\\&", exit_status_table[i].code);
                roff_text(f, exit_status_table[i].meaning);
                fputc('\n', f);
        }
}

static void word_list(FILE *f, enum mode m, int n, const char *(*name)(int))
{
        for (int i = 0; i < n; i++) {
                if (i)
                        fputs(m == MODE_MAN ? ", " : " ", f);
                if (m == MODE_MAN) {
                        fputs("\\fB", f);
                        roff_text(f, name(i));
                        fputs("\\fR", f);
                } else
                        fputs(name(i), f);
        }
}

static const char *env_name(int i)
{
        return environment_to_string((enum environment)i);
}

static const char *format_name(int i)
{
        return output_format_to_string((enum output_format)i);
}

static void man_fields(FILE *f)
{
        for (int i = 0; i < _FIELD_MAX; i++) {
                fputs(".TP\n.B ", f);
                roff_text(f, field_table[i].name);
                fputs("\n\\&", f);
                roff_text(f, field_table[i].help);
                fputc('\n', f);
        }
}

/* The words of an option, separated by sep (all shells take them bare: ids,
 * column names and formats are [A-Za-z0-9%-]). */
static void arg_words(FILE *f, enum option_id id, const char *sep)
{
        const char *w;

        for (size_t i = 0; (w = option_arg_word(id, i)); i++)
                fprintf(f, "%s%s", i ? sep : "", w);
}

static void completion_opts(FILE *f, const char *which)
{
        bool first = true;

        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];

                if (streq(which, "LONG_OPTS"))
                        fprintf(f, "%s--%s%s", first ? "" : " ", d->long_name,
                                d->arg_name ? "=" : "");
                else if (streq(which, "SHORT_OPTS") && d->short_name)
                        fprintf(f, "%s-%c", first ? "" : " ", d->short_name);
                else
                        continue;
                first = false;
        }
}

/* bash: "    --path|-p)\n        _studio_probe_paths\n        return 0\n        ;;" */
static void bash_arg_cases(FILE *f)
{
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];

                if (!d->arg_name)
                        continue;
                fprintf(f, "    --%s", d->long_name);
                if (d->short_name)
                        fprintf(f, "|-%c", d->short_name);
                fputs(")\n", f);
                switch (d->arg_kind) {
                case ARG_FILE:
                        fputs("        _studio_probe_paths -f\n", f);
                        break;
                case ARG_DIR:
                        fputs("        _studio_probe_paths -d\n", f);
                        break;
                case ARG_WORD:
                        fputs("        mapfile -t COMPREPLY < <(compgen -W '", f);
                        arg_words(f, d->id, " ");
                        fputs("' -- \"$cur\")\n", f);
                        break;
                case ARG_WORDLIST:
                        fputs("        _studio_probe_list '", f);
                        arg_words(f, d->id, " ");
                        fputs("'\n", f);
                        break;
                default: /* a number: no file names */
                        break;
                }
                fputs("        return 0\n        ;;\n", f);
        }
}

/* Text inside a single-quoted shell word: ' becomes '\''. For zsh's
 * [description], brackets and backslashes are escaped too. */
static void quoted(FILE *f, const char *s, bool zsh_desc)
{
        for (; *s; s++) {
                if (*s == '\'')
                        fputs("'\\''", f);
                else if (zsh_desc && (*s == '[' || *s == ']' || *s == '\\'))
                        fprintf(f, "\\%c", *s);
                else
                        fputc(*s, f);
        }
}

/* zsh: one _arguments spec per option, e.g.
 *   '(-p --path)'{-p+,--path=}'[inspect PATH]:PATH:_files' */
static void zsh_arguments(FILE *f)
{
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];
                const char *takes = d->arg_name ? "=" : "";

                fputs("    ", f);
                if (d->short_name)
                        fprintf(f, "'(-%c --%s)'{-%c%s,--%s%s}'", d->short_name, d->long_name,
                                d->short_name, d->arg_name ? "+" : "", d->long_name, takes);
                else
                        fprintf(f, "'--%s%s", d->long_name, takes);
                fputc('[', f);
                quoted(f, d->help, true);
                fputc(']', f);
                if (d->arg_name) {
                        fprintf(f, ":%s:", d->arg_name);
                        switch (d->arg_kind) {
                        case ARG_FILE:
                                fputs("_files", f);
                                break;
                        case ARG_DIR:
                                fputs("_files -/", f);
                                break;
                        case ARG_WORD:
                                fputc('(', f);
                                arg_words(f, d->id, " ");
                                fputc(')', f);
                                break;
                        case ARG_WORDLIST:
                                fputs("_sequence compadd - ", f);
                                arg_words(f, d->id, " ");
                                break;
                        default: /* a number: a message, no completion */
                                fputc(' ', f);
                                break;
                        }
                }
                fputs("' \\\n", f);
        }
}

/* fish: complete -c studio-probe -s p -l path -r -F -d 'inspect PATH' */
static void fish_completes(FILE *f)
{
        for (size_t i = 0; i < option_table_len; i++) {
                const struct option_def *d = &option_table[i];

                fputs("complete -c studio-probe", f);
                if (d->short_name)
                        fprintf(f, " -s %c", d->short_name);
                fprintf(f, " -l %s", d->long_name);
                switch (d->arg_kind) {
                case ARG_FILE:
                        fputs(" -r -F", f);
                        break;
                case ARG_DIR:
                        fputs(" -x -a '(__fish_complete_directories)'", f);
                        break;
                case ARG_NUMBER:
                        fputs(" -x", f);
                        break;
                case ARG_WORD:
                        fputs(" -x -a '", f);
                        arg_words(f, d->id, " ");
                        fputc('\'', f);
                        break;
                case ARG_WORDLIST:
                        fputs(" -x -a '(__fish_complete_list , \"__studio_probe_words ", f);
                        arg_words(f, d->id, " ");
                        fputs("\")'", f);
                        break;
                default:
                        break;
                }
                fputs(" -d '", f);
                quoted(f, d->help, false);
                fputs("'\n", f);
        }
}

static int expand(FILE *f, enum mode m, const char *tok)
{
        if (streq(tok, "VERSION"))
                fputs(PROJECT_VERSION, f);
        else if (streq(tok, "ENVIRONMENTS"))
                word_list(f, m, _ENV_MAX, env_name);
        else if (streq(tok, "FORMATS"))
                word_list(f, m, _FORMAT_MAX, format_name);
        else if (m == MODE_MAN && streq(tok, "OPTIONS"))
                man_options(f);
        else if (m == MODE_MAN && streq(tok, "EXIT_STATUS"))
                man_exit_status(f);
        else if (m == MODE_MAN && streq(tok, "FIELDS"))
                man_fields(f);
        else if (m == MODE_MAN && streq(tok, "FIELDS_DEFAULT"))
                roff_text(f, FIELDS_DEFAULT);
        else if (m == MODE_COMPLETION && (streq(tok, "LONG_OPTS") || streq(tok, "SHORT_OPTS")))
                completion_opts(f, tok);
        else if (m == MODE_COMPLETION && streq(tok, "BASH_ARG_CASES"))
                bash_arg_cases(f);
        else if (m == MODE_COMPLETION && streq(tok, "ZSH_ARGUMENTS"))
                zsh_arguments(f);
        else if (m == MODE_COMPLETION && streq(tok, "FISH_COMPLETES"))
                fish_completes(f);
        else
                return -EINVAL;
        return 0;
}

int main(int argc, char *argv[])
{
        FILE *in, *out;
        char line[4096];
        unsigned lineno = 0;
        enum mode m;

        if (argc != 4 || (!streq(argv[1], "man") && !streq(argv[1], "completion"))) {
                fprintf(stderr, "usage: %s man|completion TEMPLATE OUTPUT\n", argv[0]);
                return 2;
        }
        m = streq(argv[1], "man") ? MODE_MAN : MODE_COMPLETION;
        in = fopen(argv[2], "re");
        if (!in) {
                fprintf(stderr, "%s: %s: %s\n", argv[0], argv[2], strerror(errno));
                return 1;
        }
        out = fopen(argv[3], "we");
        if (!out) {
                fprintf(stderr, "%s: %s: %s\n", argv[0], argv[3], strerror(errno));
                fclose(in);
                return 1;
        }
        while (fgets(line, sizeof(line), in)) {
                char *p = line, *at, *end;
                bool whole_line;

                lineno++;
                if (!strchr(line, '\n') && !feof(in)) {
                        fprintf(stderr, "%s:%u: line too long\n", argv[2], lineno);
                        goto fail;
                }
                /* A block token alone on its line replaces the line, newline included. */
                whole_line = line[0] == '@' && (end = strchr(line + 1, '@')) && end[1] == '\n';
                while ((at = strchr(p, '@')) && (end = strchr(at + 1, '@'))) {
                        char tok[64];
                        size_t n = (size_t)(end - at - 1);

                        fwrite(p, 1, (size_t)(at - p), out);
                        if (n == 0 || n >= sizeof(tok)) {
                                fprintf(stderr, "%s:%u: bad token\n", argv[2], lineno);
                                goto fail;
                        }
                        memcpy(tok, at + 1, n);
                        tok[n] = '\0';
                        if (expand(out, m, tok) < 0) {
                                fprintf(stderr, "%s:%u: unknown token @%s@\n", argv[2], lineno,
                                        tok);
                                goto fail;
                        }
                        p = end + 1;
                }
                if (whole_line && *p == '\n')
                        p++;
                fputs(p, out);
        }
        if (ferror(in) || fclose(out) != 0) {
                fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[3]);
                fclose(in);
                return 1;
        }
        fclose(in);
        return 0;
fail:
        fclose(in);
        fclose(out);
        remove(argv[3]);
        return 1;
}
