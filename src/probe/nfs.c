/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "probe/nfs.h"
#include "probe/sagemaker.h"
#include "core/strutil.h"

/* efs-utils mounts through a local stunnel / efs-proxy on 127.0.0.1 and a port
 * from this range (aws/efs-utils dist/efs-utils.conf: port_range_lower_bound =
 * 20049, port_range_upper_bound = 21049). */
#define EFS_UTILS_PORT_MIN 20049
#define EFS_UTILS_PORT_MAX 21049

/* File system ids are "fs-" and 8 (old) or 17 hex digits; access points
 * "fsap-" and 17 (EFS API reference: FileSystemId, AccessPointId patterns). */
static size_t hex_run(const char *s)
{
        size_t n = 0;

        while (isxdigit((unsigned char)s[n]) && !isupper((unsigned char)s[n]))
                n++;
        return n;
}

static bool take_id(const char *s, const char *prefix, size_t *ret_len)
{
        size_t pl = strlen(prefix), n;

        if (strncmp(s, prefix, pl) != 0)
                return false;
        n = hex_run(s + pl);
        if (n != 8 && n != 17)
                return false;
        *ret_len = pl + n;
        return true;
}

bool efs_parse_dns(const char *server, char **ret_fsid, char **ret_region)
{
        const char *p = server, *efs, *region, *rend;
        size_t idlen;

        if (!server)
                return false;
        /* One Zone mount targets: "us-east-1a.fs-....efs.us-east-1.amazonaws.com". */
        if (!startswith(p, "fs-")) {
                p = strstr(server, ".fs-");
                if (!p || p == server)
                        return false;
                /* Only an availability zone name may come first ("us-east-1a"). */
                for (const char *c = server; c < p; c++)
                        if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
                                return false;
                p++;
        }
        if (!take_id(p, "fs-", &idlen))
                return false;
        efs = p + idlen;
        if (!startswith(efs, ".efs."))
                return false;
        region = efs + 5;
        rend = strchr(region, '.');
        if (!rend || rend == region)
                return false;
        if (strcmp(rend, ".amazonaws.com") != 0 && strcmp(rend, ".amazonaws.com.cn") != 0)
                return false;
        for (const char *c = region; c < rend; c++)
                if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
                        return false;
        *ret_fsid = strndup(p, idlen);
        *ret_region = strndup(region, (size_t)(rend - region));
        return *ret_fsid && *ret_region;
}

bool efs_parse_mountpoint(const char *target, char **ret_fsid, char **ret_apid)
{
        static const char prefix[] = CUSTOM_FILE_SYSTEMS_EFS "/";
        const char *b;
        size_t idlen, aplen = 0;

        if (!startswith(target, prefix))
                return false;
        b = target + strlen(prefix);
        if (!take_id(b, "fs-", &idlen))
                return false;
        if (b[idlen] == '_') {
                if (!take_id(b + idlen + 1, "fsap-", &aplen) || b[idlen + 1 + aplen] != '\0')
                        return false;
        } else if (b[idlen] != '\0')
                return false;
        *ret_fsid = strndup(b, idlen);
        *ret_apid = aplen ? strndup(b + idlen + 1, aplen) : NULL;
        return *ret_fsid != NULL;
}

static void split_source(const char *source, char **server, char **export)
{
        const char *colon;

        *server = *export = NULL;
        if (!source)
                return;
        if (source[0] == '[') { /* "[fd00::1]:/export" */
                const char *rb = strchr(source, ']');
                colon = rb ? rb + 1 : NULL;
                if (!colon || *colon != ':')
                        return;
                *server = strndup(source + 1, (size_t)(rb - source - 1));
        } else {
                colon = strchr(source, ':');
                if (!colon)
                        return;
                *server = strndup(source, (size_t)(colon - source));
        }
        *export = strdup(colon + 1);
}

/* The EFS-recommended set (docs: efs/latest/ug/mounting-fs-nfs-mount-settings.html,
 * and what efs-utils mount_options.py sets): each deviation and what it costs. */
static void check_options(const char *o, struct nfs_info *n)
{
        _cleanup_free_ char *vers = mount_option_get(o, "vers");
        _cleanup_free_ char *rsize = mount_option_get(o, "rsize");
        _cleanup_free_ char *wsize = mount_option_get(o, "wsize");
        _cleanup_free_ char *timeo = mount_option_get(o, "timeo");
        _cleanup_free_ char *retrans = mount_option_get(o, "retrans");
        unsigned v;

        if (vers && strcmp(vers, "4.1") != 0)
                (void)strv_extendf(&n->warnings,
                                   "vers=%s: EFS recommends NFS 4.1; with 4.0 parallel small-file "
                                   "work runs at under 1,000 files/s instead of over 10,000",
                                   vers);
        if (rsize && (parse_u32(rsize, &v) < 0 || v < 1048576))
                (void)strv_extendf(&n->warnings,
                                   "rsize=%s: reads smaller than 1 MiB take more round trips, so "
                                   "large files read slower; EFS recommends rsize=1048576",
                                   rsize);
        if (wsize && (parse_u32(wsize, &v) < 0 || v < 1048576))
                (void)strv_extendf(&n->warnings,
                                   "wsize=%s: writes smaller than 1 MiB take more round trips, so "
                                   "large files write slower; EFS recommends wsize=1048576",
                                   wsize);
        if (mount_option_has(o, "soft"))
                (void)strv_extendf(&n->warnings,
                                   "soft: a slow answer from the server becomes an I/O error "
                                   "that programs rarely handle, risking corrupt files; EFS "
                                   "recommends hard");
        if (timeo && strcmp(timeo, "600") != 0)
                (void)strv_extendf(&n->warnings,
                                   "timeo=%s: the client retries after %s tenths of a second; "
                                   "EFS recommends 600 (60 s), as shorter ones pile retries on "
                                   "a busy server",
                                   timeo, timeo);
        if (retrans && strcmp(retrans, "2") != 0)
                (void)strv_extendf(&n->warnings,
                                   "retrans=%s: EFS recommends 2 retries before the client "
                                   "reports the server as not responding",
                                   retrans);
        if (!mount_option_has(o, "noresvport"))
                (void)strv_extendf(&n->warnings,
                                   "resvport: after a network interruption the client reconnects "
                                   "from the same port and can hang; EFS recommends noresvport");
        n->options_ok = !n->warnings;
}

int nfs_describe(const struct mount_entry *e, struct nfs_info **ret)
{
        struct nfs_info *n = calloc(1, sizeof(*n));
        _cleanup_free_ char *port = NULL;
        char *fsid = NULL, *apid = NULL, *region = NULL;

        if (!n)
                return -ENOMEM;
        split_source(e->source, &n->server, &n->export);
        n->version = mount_option_get(e->fs_options, "vers");

        if (efs_parse_dns(n->server, &fsid, &region)) {
                n->efs_filesystem_id = fsid;
                n->region = region;
        } else {
                free(fsid);
                free(region);
        }
        fsid = NULL;
        if (efs_parse_mountpoint(e->target, &fsid, &apid)) {
                if (!n->efs_filesystem_id)
                        n->efs_filesystem_id = fsid;
                else
                        free(fsid);
                n->efs_access_point_id = apid;
        }

        /* The efs-utils watchdog recognises its own mounts the same way:
         * server 127.0.0.1 and port=<n> in the options (port 2049 is not shown). */
        port = mount_option_get(e->fs_options, "port");
        if (streq_ptr(n->server, "127.0.0.1") && port) {
                unsigned p;
                if (parse_u32(port, &p) == 0 && p >= EFS_UTILS_PORT_MIN && p <= EFS_UTILS_PORT_MAX)
                        n->efs_utils = true;
        }
        check_options(e->fs_options, n);
        *ret = n;
        return 0;
}
