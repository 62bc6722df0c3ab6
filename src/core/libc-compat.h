/* SPDX-License-Identifier: MIT */
#pragma once

/* Texts that glibc and musl word differently. studio-probe ships both as a
 * dynamic glibc build (the .deb) and as a static musl build, and both must
 * print the same bytes: the same JSON, the same messages, the same golden
 * files. */

/* glibc's strerror() text in the C locale ("Unknown error N" past the table),
 * whatever the libc: musl says "I/O error", "Symbolic link loop", "Out of
 * memory" where glibc says "Input/output error", "Too many levels of symbolic
 * links", "Cannot allocate memory". The tool links with -Wl,--wrap=strerror
 * (src/meson.build), so every strerror() call in it, in the static
 * libraries too, answers with this. */
const char *errno_text(int err);

/* "INT", "TERM", "HUP"...: sigabbrev_np() is glibc >= 2.32 only. NULL for a
 * signal without a name. */
const char *signal_abbrev(int sig);
