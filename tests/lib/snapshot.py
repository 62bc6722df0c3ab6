# SPDX-License-Identifier: MIT
"""Fake sysroots for --sysroot tests: the one writer of the files the probe
reads from a snapshot (mountinfo, environ, resource-metadata.json, sysfs block
devices, facts.json), used by tests/fixtures/make-fixtures.py and by every
test that builds a tree at run time.

    from lib import snapshot
    snapshot.build(root, mountinfo=[...], environ={...}, metadata={...},
                   disks=[snapshot.ebs(1, "259:3", "vol0123...", 10485760)],
                   dirs=["/home/sagemaker-user"])
    t = snapshot.Tree(root); t.put(snapshot.MOUNTINFO, b"...")   # break one file

Paths are snapshot paths ("/proc/self/mountinfo"); str or bytes everywhere.
"""

import json
import os
import struct

MOUNTINFO = "/proc/self/mountinfo"
MOUNTSTATS = "/proc/self/mountstats"
ENVIRON = "/proc/self/environ"
METADATA = "/opt/ml/metadata/resource-metadata.json"
FACTS = "/.studio-probe/facts.json"
HOME = "/home/sagemaker-user"


def _b(s):
    return s.encode() if isinstance(s, str) else s


class Tree:
    """Files, directories and symlinks under root, named by snapshot path."""

    def __init__(self, root):
        self.root = root

    def p(self, path):
        return os.path.join(os.fsencode(self.root), _b(path).lstrip(b"/"))

    def mkdir(self, path):
        os.makedirs(self.p(path), exist_ok=True)

    def write(self, path, data):
        full = self.p(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(_b(data))

    def append(self, path, data):
        with open(self.p(path), "ab") as f:
            f.write(_b(data))

    def symlink(self, path, target):
        full = self.p(path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        os.symlink(os.fsencode(target), full)

    def remove(self, path):
        """Whatever is at path (an empty directory, a file, a symlink)."""
        full = self.p(path)
        if os.path.isdir(full) and not os.path.islink(full):
            os.rmdir(full)
        elif os.path.lexists(full):
            os.unlink(full)

    def put(self, path, data):
        """write(), replacing a symlink or file already there."""
        self.remove(path)
        self.write(path, data)

    def link(self, path, target):
        """symlink(), replacing what is already there."""
        self.remove(path)
        self.symlink(path, target)

    def keep_empty_dirs(self):
        """git keeps no empty directory: a mount point must survive a clone."""
        for d, subdirs, files in os.walk(os.fsencode(self.root)):
            if not subdirs and not files:
                open(os.path.join(d, b".keep"), "wb").close()


# ---------------------------------------------------------------------------
# file formats
# ---------------------------------------------------------------------------


def mountinfo_bytes(lines):
    """proc/self/mountinfo from its lines (already escaped as the kernel does)."""
    return b"".join(_b(l) + b"\n" for l in lines)


def environ_bytes(env):
    """/proc/self/environ: every KEY=VALUE ends with a NUL. env: a dict, (key,
    value) pairs or "KEY=VALUE" strings."""
    if isinstance(env, dict):
        env = env.items()
    out = b""
    for kv in env:
        if isinstance(kv, (str, bytes)):
            out += _b(kv) + b"\0"
        else:
            out += _b(kv[0]) + b"=" + _b(kv[1]) + b"\0"
    return out


def json_text(obj, indent):
    """A JSON file as SageMaker or `collect` writes it; str or bytes pass as they are."""
    if isinstance(obj, (str, bytes)):
        return obj
    return json.dumps(obj, indent=indent) + "\n"


# ---------------------------------------------------------------------------
# sysfs, as the kernel lays it out on a Nitro instance
# ---------------------------------------------------------------------------

EBS_MODEL = "Amazon Elastic Block Store"
IS_MODEL = "Amazon EC2 NVMe Instance Storage"


def nvme(ctrl, majmin, model, serial, fw, sectors, parts=(), pci=None, rotational=0,
         stat=None):
    """One NVMe controller with namespace 1. parts: (number, majmin, sectors).
    stat: the namespace's /sys/block/NAME/stat line, when given."""
    return {
        "stat": stat,
        "kind": "nvme",
        "ctrl": ctrl,
        "majmin": majmin,
        "model": model,
        "serial": serial,
        "fw": fw,
        "sectors": sectors,
        "parts": list(parts),
        # Nitro puts NVMe controllers on the root PCI bus, one slot each.
        "pci": pci or "0000:00:%02x.0" % (0x1E + ctrl if ctrl < 2 else 0x1A + ctrl),
        "rotational": rotational,
    }


def ebs(ctrl, majmin, serial, sectors, parts=(), stat=None):
    return nvme(ctrl, majmin, EBS_MODEL, serial, "1.0", sectors, parts, stat=stat)


def block_stat(*fields):
    """A /sys/block/DEV/stat line as the kernel prints it (block/genhd.c
    part_stat_show: "%8lu %8lu ..."; Documentation/block/stat.rst)."""
    return " ".join("%8d" % v for v in fields) + "\n"


EBS_STATS_MAGIC = 0x3C23B510


def ebs_histogram(bins):
    """One latency histogram of the EBS statistics page: u64 number of bins,
    then 64 bins of {u64 lower, u64 upper (us), u32 count, u32 reserved}."""
    out = struct.pack("<Q", len(bins))
    for lower, upper, count in bins:
        out += struct.pack("<QQII", lower, upper, count, 0)
    return out + bytes(24 * (64 - len(bins)))


def ebs_log_page(read_ops, write_ops, read_bytes, write_bytes, read_time_us, write_time_us,
                 exceeded_iops_us, exceeded_tp_us, ec2_exceeded_iops_us, ec2_exceeded_tp_us,
                 queue_length, read_hist=(), write_hist=(), magic=EBS_STATS_MAGIC):
    """The 4096-byte EBS statistics log page (NVMe log page 0xD0) of an EBS
    controller, laid out as amazon-cloudwatch-agent's EBSMetrics and nvme-cli's
    struct amzn_latency_log_page read it: little-endian u32 magic, u32
    reserved, eleven u64 counters (times in us), 416 reserved bytes, the read
    and write latency histograms, 496 reserved bytes."""
    out = struct.pack("<II11Q", magic, 0, read_ops, write_ops, read_bytes, write_bytes,
                      read_time_us, write_time_us, exceeded_iops_us, exceeded_tp_us,
                      ec2_exceeded_iops_us, ec2_exceeded_tp_us, queue_length)
    out += bytes(416) + ebs_histogram(read_hist) + ebs_histogram(write_hist)
    out += bytes(4096 - len(out))
    assert len(out) == 4096
    return out


def instance_store(ctrl, majmin, serial, sectors):
    return nvme(ctrl, majmin, IS_MODEL, serial, "0", sectors)


def sata(name, majmin, model, sectors, parts=(), rotational=0):
    """A laptop disk behind ahci: /sys/devices/pci0000:00/0000:00:17.0/ata1/..."""
    return {
        "kind": "scsi",
        "name": name,
        "majmin": majmin,
        "model": model,
        "sectors": sectors,
        "parts": list(parts),
        "rotational": rotational,
    }


def dm(index, majmin, name, slaves, sectors):
    """Device mapper (LVM striping over instance stores): no device/, only slaves/."""
    return {"kind": "dm", "index": index, "majmin": majmin, "name": name, "slaves": slaves,
            "sectors": sectors}


def xen_vbd(name, majmin, sectors, parts=(), rotational=0):
    """A Xen virtual disk (xen-blkfront, EC2's Xen instance types): /dev/xvdX on
    the Xen bus as /sys/devices/vbd-<id>, with no model or serial attribute.
    parts: (number, majmin, sectors)."""
    major, minor = (int(x) for x in majmin.split(":"))
    return {"kind": "xen", "name": name, "majmin": majmin, "devid": (major << 8) | minor,
            "sectors": sectors, "parts": list(parts), "rotational": rotational}


def pad(s, width):
    """nvme_show_str_function prints the whole fixed-width field, then a newline."""
    if isinstance(s, str):
        s = s.encode()
    return s.ljust(width, b" ") + b"\n"


def write_partitions(t, ndir, prefix, parts):
    """A disk's partitions under its sysfs directory ndir, named prefix + number,
    each linked from /sys/dev/block. Returns ndir."""
    for number, majmin, sectors in parts:
        pdir = "%s/%s%d" % (ndir, prefix, number)
        t.write(pdir + "/dev", majmin + "\n")
        t.write(pdir + "/size", "%d\n" % sectors)
        t.write(pdir + "/partition", "%d\n" % number)
        t.symlink("/sys/dev/block/" + majmin, "../../" + pdir[len("/sys/"):])
    return ndir


def write_nvme(t, d):
    ctrl = "nvme%d" % d["ctrl"]
    ns = ctrl + "n1"
    cdir = "/sys/devices/pci0000:00/%s/nvme/%s" % (d["pci"], ctrl)
    ndir = cdir + "/" + ns
    t.write(cdir + "/model", pad(d["model"], 40))
    t.write(cdir + "/serial", pad(d["serial"], 20))
    t.write(cdir + "/firmware_rev", pad(d["fw"], 8))
    t.write(ndir + "/dev", d["majmin"] + "\n")
    t.write(ndir + "/size", "%d\n" % d["sectors"])
    t.write(ndir + "/queue/rotational", "%d\n" % d["rotational"])
    if d.get("stat"):
        t.write(ndir + "/stat", d["stat"])
    t.symlink(ndir + "/device", "../../" + ctrl)
    link_block(t, ns, ndir, d["majmin"])
    return write_partitions(t, ndir, ns + "p", d["parts"])


def write_scsi(t, d):
    hdir = "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0"
    ndir = hdir + "/block/" + d["name"]
    t.write(hdir + "/model", pad(d["model"], 16))
    t.write(hdir + "/vendor", pad("ATA", 8))
    t.write(ndir + "/dev", d["majmin"] + "\n")
    t.write(ndir + "/size", "%d\n" % d["sectors"])
    t.write(ndir + "/queue/rotational", "%d\n" % d["rotational"])
    t.symlink(ndir + "/device", "../../../0:0:0:0")
    link_block(t, d["name"], ndir, d["majmin"])
    return write_partitions(t, ndir, d["name"], d["parts"])


def write_xen(t, d):
    vdir = "/sys/devices/vbd-%d" % d["devid"]
    ndir = vdir + "/block/" + d["name"]
    t.write(vdir + "/devtype", "vbd\n")
    t.write(vdir + "/nodename", "device/vbd/%d\n" % d["devid"])
    t.write(ndir + "/dev", d["majmin"] + "\n")
    t.write(ndir + "/size", "%d\n" % d["sectors"])
    t.write(ndir + "/queue/rotational", "%d\n" % d["rotational"])
    t.symlink(ndir + "/device", "../../../vbd-%d" % d["devid"])
    link_block(t, d["name"], ndir, d["majmin"])
    return write_partitions(t, ndir, d["name"], d["parts"])


def write_dm(t, d, ns_dirs):
    name = "dm-%d" % d["index"]
    ddir = "/sys/devices/virtual/block/" + name
    t.write(ddir + "/dev", d["majmin"] + "\n")
    t.write(ddir + "/size", "%d\n" % d["sectors"])
    t.write(ddir + "/queue/rotational", "0\n")
    t.write(ddir + "/dm/name", d["name"] + "\n")
    for s in d["slaves"]:
        t.symlink(ddir + "/slaves/" + s, "../../../.." + ns_dirs[s][len("/sys/devices"):])
    link_block(t, name, ddir, d["majmin"])


def link_block(t, name, ddir, majmin):
    rel = ddir[len("/sys/"):]
    t.symlink("/sys/block/" + name, "../" + rel)
    t.symlink("/sys/dev/block/" + majmin, "../../" + rel)


def write_sysfs(t, disks):
    ns_dirs = {}
    for d in disks:
        if d["kind"] == "nvme":
            ns_dirs["nvme%dn1" % d["ctrl"]] = write_nvme(t, d)
        elif d["kind"] == "scsi":
            ns_dirs[d["name"]] = write_scsi(t, d)
        elif d["kind"] == "xen":
            ns_dirs[d["name"]] = write_xen(t, d)
    for d in disks:
        if d["kind"] == "dm":
            write_dm(t, d, ns_dirs)


# ---------------------------------------------------------------------------
# /proc/self/mountstats, as fs/nfs/super.c nfs_show_stats() and
# net/sunrpc/stats.c rpc_clnt_show_stats() write it
# ---------------------------------------------------------------------------


def mountstats_other(device, mountpoint, fstype):
    """The one line of a mount that is no NFS."""
    return "device %s mounted on %s with fstype %s\n" % (device, mountpoint, fstype)


def mountstats_nfs(device, mountpoint, opts, age, xprt, ops, fstype="nfs4", vers=4):
    """An NFS entry. xprt: the words after "xprt:" ("tcp 0 1 ..."); ops:
    (name, [ops, trans, timeouts, sent, recv, queue_ms, rtt_ms, exec_ms(, errors)])."""
    lines = ["device %s mounted on %s with fstype %s statvers=1.1" % (device, mountpoint, fstype),
             "\topts:\t" + opts,
             "\tage:\t%d" % age,
             "\timpl_id:\tname='',domain='',date='0,0'",
             "\tcaps:\tcaps=0x3ffbffff,wtmult=512,dtsize=1048576,bsize=0,namlen=255",
             "\tsec:\tflavor=1,pseudoflavor=1",
             "\tevents:\t" + " ".join(["0"] * 27),
             "\tbytes:\t" + " ".join(["0"] * 8),
             "\tRPC iostats version: 1.1  p/v: 100003/%d (nfs)" % vers,
             "\txprt:\t" + xprt,
             "\tper-op statistics"]
    for name, v in ops:
        lines.append("\t%12s: %s" % (name, " ".join(str(x) for x in v)))
    return "\n".join(lines) + "\n\n"


# ---------------------------------------------------------------------------
# a whole snapshot
# ---------------------------------------------------------------------------


def build(root, mountinfo=None, environ=None, metadata=None, disks=(), dirs=(), files=None,
          symlinks=(), facts=None, metadata_indent=4, facts_indent=2, mountstats=None):
    """Writes a snapshot under root (created if needed) and returns its Tree.
    A part left at None is not written. mountinfo: the file's text or its
    lines; environ: see environ_bytes; metadata, facts: a JSON value (dumped
    with the given indent) or the file's text; disks: nvme(), ebs(), sata(),
    xen_vbd(), dm() descriptions; files: {path: content}; symlinks: (path, target);
    mountstats: the file's text (mountstats_nfs(), mountstats_other())."""
    os.makedirs(root, exist_ok=True)
    t = Tree(root)
    t.mkdir("/proc/self")
    if mountinfo is not None:
        if not isinstance(mountinfo, (str, bytes)):
            mountinfo = mountinfo_bytes(mountinfo)
        t.write(MOUNTINFO, mountinfo)
    if mountstats is not None:
        t.write(MOUNTSTATS, mountstats)
    if environ is not None:
        t.write(ENVIRON, environ_bytes(environ))
    if metadata is not None:
        t.write(METADATA, json_text(metadata, metadata_indent))
    write_sysfs(t, disks)
    for path in dirs:
        t.mkdir(path)
    for path, data in (files or {}).items():
        t.write(path, data)
    for path, target in symlinks:
        t.symlink(path, target)
    if facts is not None:
        t.write(FACTS, json_text(facts, facts_indent))
    return t
