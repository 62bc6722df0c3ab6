/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "core/strutil.h"
#include "probe/compute.h"
#include "probe/sagemaker.h"

/* A cluster description of thousands of nodes stays well under this. */
#define CONFIG_MAX (4 * 1024 * 1024)
#define CMDLINE_MAX (128 * 1024)
#define HOSTNAME_MAX 256
#define NAME_MAX_LEN 256

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

static const char *string_item(const cJSON *o, const char *key)
{
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

        if (!v || !*v || strlen(v) > NAME_MAX_LEN || !utf8_is_valid(v, strlen(v)))
                return NULL;
        return v;
}

/* "ip-10-1-72-53" → "10.1.72.53": the EC2 host name of a HyperPod Slurm node
 * [I], the address lifecycle scripts find themselves by in
 * InstanceGroups[].Instances[].CustomerIpAddress (landscape §1.7, ADT). */
static bool hostname_ip(const char *h, char *buf, size_t len)
{
        unsigned a, b, c, d;
        int n = 0;

        if (!h || sscanf(h, "ip-%3u-%3u-%3u-%3u%n", &a, &b, &c, &d, &n) != 4 || n <= 0 ||
            (h[n] && h[n] != '.') || a > 255 || b > 255 || c > 255 || d > 255)
                return false;
        snprintf(buf, len, "%u.%u.%u.%u", a, b, c, d);
        return true;
}

int compute_parse_hyperpod_config(const char *text, size_t len, struct compute_facts *c)
{
        _cleanup_(cJSON_Deletep) cJSON *j = sagemaker_json_object(text, len);
        const cJSON *groups, *g;
        char ip[32];
        bool have_ip;

        if (!j)
                return -EBADMSG;
        groups = cJSON_GetObjectItemCaseSensitive(j, "InstanceGroups");
        if (!cJSON_IsArray(groups))
                return 0;
        c->hyperpod_config_groups = true;
        have_ip = hostname_ip(c->hostname, ip, sizeof(ip));
        cJSON_ArrayForEach(g, groups)
        {
                const cJSON *inst, *i;

                inst = cJSON_GetObjectItemCaseSensitive(g, "Instances");
                cJSON_ArrayForEach(i, (cJSON_IsArray(inst) ? inst : NULL))
                {
                        const char *addr = string_item(i, "CustomerIpAddress");
                        const char *name = string_item(i, "InstanceName");

                        if (!have_ip || !addr || strcmp(addr, ip) != 0)
                                continue;
                        /* The first instance with this node's address is this node. */
                        c->instance_group = strdup_or_null(string_item(g, "Name"));
                        c->node_name = strdup_or_null(name);
                        return 0;
                }
        }
        return 0;
}

/* "algo-<i>-<5 random [a-z0-9]>" (landscape §1.10: the SDK's local/image.py). */
bool compute_is_local_mode_host(const char *h)
{
        size_t d;

        if (!h || !startswith(h, "algo-"))
                return false;
        h += 5;
        d = strspn(h, "0123456789");
        if (d == 0 || h[d] != '-')
                return false;
        h += d + 1;
        return strlen(h) == 5 && strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789") == 5;
}

int compute_parse_training_config(const char *text, size_t len, struct compute_facts *c)
{
        _cleanup_(cJSON_Deletep) cJSON *j = sagemaker_json_object(text, len);
        const cJSON *hosts, *h;
        size_t n = 0, local = 0;

        if (!j)
                return -EBADMSG;
        c->training_parsed = true;
        free(c->training_current_host);
        c->training_current_host = strdup_or_null(string_item(j, "current_host"));
        c->training_network_interface =
                cJSON_GetObjectItemCaseSensitive(j, "network_interface_name") != NULL;
        hosts = cJSON_GetObjectItemCaseSensitive(j, "hosts");
        cJSON_ArrayForEach(h, (cJSON_IsArray(hosts) ? hosts : NULL))
        {
                n++;
                local += compute_is_local_mode_host(cJSON_GetStringValue(h));
        }
        c->training_hosts_local = n > 0 && local == n;
        return 0;
}

/* "docker run <image> serve" (your-algorithms-inference-code): serve is the
 * program, or an argument of the image's entrypoint. */
static bool arg_is_serve(const char *a, size_t len)
{
        const char *slash = memrchr(a, '/', len);
        size_t off = slash ? (size_t)(slash - a) + 1 : 0;

        return len - off == 5 && memcmp(a + off, "serve", 5) == 0;
}

bool compute_cmdline_serves(const char *buf, size_t len)
{
        struct environ_entry e;

        /* The same NUL-separated layout as environ. */
        for (size_t pos = 0; sagemaker_environ_next(buf, len, &pos, &e);)
                if (arg_is_serve(e.entry, e.len))
                        return true;
        return false;
}

int compute_reduce_cmdline(const char *in, size_t len, char **ret, size_t *ret_len)
{
        /* Arguments may hold anything: a bundle keeps only whether one is serve. */
        bool serves = len <= CMDLINE_MAX && compute_cmdline_serves(in, len);
        const char *keep = serves ? "serve\0" : "-\0";

        *ret_len = serves ? 6 : 2;
        *ret = malloc(*ret_len + 1);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, keep, *ret_len + 1);
        return 0;
}

static bool hostname_is_telling(const char *h)
{
        char ip[32];
        size_t d;

        if (!h)
                return false;
        if (strcmp(h, "default") == 0 || compute_is_local_mode_host(h) ||
            hostname_ip(h, ip, sizeof(ip)))
                return true;
        if (!startswith(h, "algo-"))
                return false;
        d = strspn(h + 5, "0123456789");
        return d > 0 && !h[5 + d];
}

static char *hostname_from(const char *in, size_t len)
{
        size_t n = len < HOSTNAME_MAX ? len : HOSTNAME_MAX;
        char *h;

        if (len > HOSTNAME_MAX || memchr(in, '\0', n))
                return NULL;
        h = strndup(in, n);
        if (h)
                strip(h);
        return h;
}

int compute_reduce_hostname(const char *in, size_t len, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *h = hostname_from(in, len);

        /* A name SageMaker gives (or an EC2 ip-… name) is kept; any other is
         * the user's own and stays home, as a name that tells nothing. */
        if (asprintf(ret, "%s\n", hostname_is_telling(h) ? h : "localhost") < 0)
                return -ENOMEM;
        *ret_len = strlen(*ret);
        return 0;
}

/* A stand-in that is no JSON object: the parser refuses it as the original. */
static int not_an_object(char **ret, size_t *ret_len)
{
        *ret = strdup("");
        *ret_len = 0;
        return *ret ? 0 : -ENOMEM;
}

static int print_object(cJSON *o, char **ret, size_t *ret_len)
{
        char *t = cJSON_Print(o);

        if (!t)
                return -ENOMEM;
        *ret = t;
        *ret_len = strlen(t);
        return 0;
}

static bool copy_string(cJSON *to, const cJSON *from, const char *key)
{
        const char *v = string_item(from, key);

        return !v || cJSON_AddStringToObject(to, key, v);
}

/* Parses a configuration file, lets fill() copy what a bundle keeps into a
 * new object, and prints that; a text that is not a JSON object becomes a
 * stand-in holding none of its bytes. */
static int reduce_config(const char *in, size_t len, int (*fill)(const cJSON *j, cJSON *out),
                         char **ret, size_t *ret_len)
{
        _cleanup_(cJSON_Deletep) cJSON *j =
                len <= CONFIG_MAX ? sagemaker_json_object(in, len) : NULL;
        _cleanup_(cJSON_Deletep) cJSON *out = NULL;
        int k;

        if (!j)
                return not_an_object(ret, ret_len);
        out = cJSON_CreateObject();
        if (!out)
                return -ENOMEM;
        k = fill(j, out);
        if (k < 0)
                return k;
        return print_object(out, ret, ret_len);
}

static int fill_hyperpod_config(const cJSON *j, cJSON *out)
{
        const cJSON *groups, *g;
        cJSON *og;

        groups = cJSON_GetObjectItemCaseSensitive(j, "InstanceGroups");
        if (!cJSON_IsArray(groups))
                return 0;
        /* Group and instance names, and the addresses a node finds itself
         * by; never the cluster ARN, instance ids or agent addresses. */
        og = cJSON_AddArrayToObject(out, "InstanceGroups");
        if (!og)
                return -ENOMEM;
        cJSON_ArrayForEach(g, groups)
        {
                cJSON *ng = cJSON_CreateObject(), *ni;
                const cJSON *inst = cJSON_GetObjectItemCaseSensitive(g, "Instances"), *i;

                if (!ng || !cJSON_AddItemToArray(og, ng)) {
                        cJSON_Delete(ng);
                        return -ENOMEM;
                }
                if (!copy_string(ng, g, "Name") || !(ni = cJSON_AddArrayToObject(ng, "Instances")))
                        return -ENOMEM;
                cJSON_ArrayForEach(i, (cJSON_IsArray(inst) ? inst : NULL))
                {
                        cJSON *n = cJSON_CreateObject();

                        if (!n || !cJSON_AddItemToArray(ni, n)) {
                                cJSON_Delete(n);
                                return -ENOMEM;
                        }
                        if (!copy_string(n, i, "InstanceName") ||
                            !copy_string(n, i, "CustomerIpAddress"))
                                return -ENOMEM;
                }
        }
        return 0;
}

static int fill_training_config(const cJSON *j, cJSON *out)
{
        const cJSON *hosts, *h;
        cJSON *oh;

        if (!copy_string(out, j, "current_host"))
                return -ENOMEM;
        /* Only whether it is there: a stand-in value. */
        if (cJSON_GetObjectItemCaseSensitive(j, "network_interface_name") &&
            !cJSON_AddStringToObject(out, "network_interface_name", "eth0"))
                return -ENOMEM;
        hosts = cJSON_GetObjectItemCaseSensitive(j, "hosts");
        if (cJSON_IsArray(hosts)) {
                if (!(oh = cJSON_AddArrayToObject(out, "hosts")))
                        return -ENOMEM;
                cJSON_ArrayForEach(h, hosts)
                {
                        const char *v = cJSON_GetStringValue(h);
                        cJSON *n = cJSON_CreateString(compute_is_local_mode_host(v) ? v : "algo-0");

                        if (!n || !cJSON_AddItemToArray(oh, n)) {
                                cJSON_Delete(n);
                                return -ENOMEM;
                        }
                }
        }
        return 0;
}

int compute_reduce_hyperpod_config(const char *in, size_t len, char **ret, size_t *ret_len)
{
        return reduce_config(in, len, fill_hyperpod_config, ret, ret_len);
}

int compute_reduce_training_config(const char *in, size_t len, char **ret, size_t *ret_len)
{
        return reduce_config(in, len, fill_training_config, ret, ret_len);
}

static void read_hostname(const struct sysroot *root, struct compute_facts *c)
{
        static const char *const paths[] = { PROC_HOSTNAME, ETC_HOSTNAME };

        for (size_t i = 0; i < ARRAY_SIZE(paths) && !c->hostname; i++) {
                _cleanup_free_ char *text = NULL;
                size_t len;

                if (sysroot_read_file(root, paths[i], HOSTNAME_MAX, &text, &len) < 0)
                        continue;
                c->hostname = hostname_from(text, len);
                if (c->hostname && !*c->hostname) {
                        free(c->hostname);
                        c->hostname = NULL;
                }
        }
}

int compute_probe(const struct sysroot *root, struct compute_facts *c, bool training_config_seen,
                  char ***warnings)
{
        _cleanup_free_ char *text = NULL, *cmd = NULL;
        size_t len;
        int k;

        read_hostname(root, c);

        /* Readable by root only (landscape §1.7): EACCES says it is there. */
        k = sysroot_read_file(root, HYPERPOD_RESOURCE_CONFIG, CONFIG_MAX, &text, &len);
        if (k == 0) {
                c->hyperpod_config = 1;
                if (compute_parse_hyperpod_config(text, len, c) < 0) {
                        _cleanup_free_ char *d = sysroot_display(root, HYPERPOD_RESOURCE_CONFIG);
                        (void)strv_extendf(warnings, "%s: not a JSON object, ignoring its content",
                                           strna(d));
                }
        } else if (k != -ENOENT && k != -ENOTDIR)
                c->hyperpod_config = k;
        free(TAKE_PTR(text));

        c->opt_sagemaker = sysroot_exists(root, HYPERPOD_OPT_SAGEMAKER);
        c->opt_ml_model = sysroot_exists(root, INFERENCE_MODEL_DIR);
        if (sysroot_read_file(root, PROC_INIT_CMDLINE, CMDLINE_MAX, &cmd, &len) == 0)
                c->serve = compute_cmdline_serves(cmd, len);

        if (training_config_seen &&
            sysroot_read_file(root, TRAINING_RESOURCECONFIG, CONFIG_MAX, &text, &len) == 0)
                (void)compute_parse_training_config(text, len, c);
        return 0;
}
