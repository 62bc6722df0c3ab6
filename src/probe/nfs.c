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

/* "fs-<id>.<service>.<region>.amazonaws.com[.cn]", service "efs" or "fsx". */
static bool parse_fs_dns(const char *p, const char *service, char **ret_fsid, char **ret_region)
{
        const char *efs, *region, *rend;
        size_t idlen, sl = strlen(service);

        if (!take_id(p, "fs-", &idlen))
                return false;
        efs = p + idlen;
        if (efs[0] != '.' || strncmp(efs + 1, service, sl) != 0 || efs[1 + sl] != '.')
                return false;
        region = efs + 2 + sl;
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

bool efs_parse_dns(const char *server, char **ret_fsid, char **ret_region)
{
        const char *p = server;

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
        return parse_fs_dns(p, "efs", ret_fsid, ret_region);
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
        *ret = n;
        return 0;
}

/* FSx for Lustre, as its docs mount it: "<dns or ip>@tcp:/<mountname>"
 * (fsx/latest/LustreGuide/mounting-ec2-instance.html [D]); the kernel shows
 * the NIDs mount.lustre resolved, "10.1.53.46@tcp:/ylacfb4v/alice" in a
 * Studio custom file system (studio-facts §2 [O]), failover NIDs joined by
 * ':'. The id comes from an FSx DNS name when the source keeps one, else
 * from SageMaker's mount point CUSTOM_FILE_SYSTEMS_FSX_LUSTRE/fs-<id>. */
int lustre_describe(const struct mount_entry *e, struct fsx_info **ret)
{
        static const char prefix[] = CUSTOM_FILE_SYSTEMS_FSX_LUSTRE "/";
        struct fsx_info *x = calloc(1, sizeof(*x));
        const char *fs, *slash, *at;
        size_t idlen;

        if (!x)
                return -ENOMEM;
        fs = e->source ? strstr(e->source, ":/") : NULL;
        if (fs) {
                x->server = strndup(e->source, (size_t)(fs - e->source));
                fs += 2;
                slash = strchr(fs, '/');
                x->mount_name = slash ? strndup(fs, (size_t)(slash - fs)) : strdup(fs);
                x->subdirectory = slash && slash[1] ? strdup(slash) : NULL;
                if (x->mount_name && !*x->mount_name) {
                        free(x->mount_name);
                        x->mount_name = NULL;
                }
        }
        at = x->server ? strchr(x->server, '@') : NULL;
        if (at) {
                _cleanup_free_ char *host = strndup(x->server, (size_t)(at - x->server));
                char *fsid = NULL, *region = NULL;

                if (host && parse_fs_dns(host, "fsx", &fsid, &region)) {
                        x->filesystem_id = fsid;
                        x->region = region;
                } else {
                        free(fsid);
                        free(region);
                }
        }
        if (!x->filesystem_id && startswith(e->target, prefix) &&
            take_id(e->target + strlen(prefix), "fs-", &idlen) &&
            e->target[strlen(prefix) + idlen] == '\0')
                x->filesystem_id = strndup(e->target + strlen(prefix), idlen);
        *ret = x;
        return 0;
}
