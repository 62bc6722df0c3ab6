# SPDX-License-Identifier: MIT
"""Ready-made snapshots. studio_new(): a small, self-contained SageMaker
Studio (new) snapshot for --sysroot tests, the start of every hostile case
and of the host-isolation trace.

Modelled on the new-jupyterlab-private sample (studio-facts §9): the home is
its own EBS volume (xfs on nvme1n1), the root an overlay, /opt/.sagemakerinternal
bind-mounted from the root disk. Written by code so the tests need nothing
outside the repository and every hostile case can start from it. Its sysfs
is the older flat layout (block/NAME/ holds the attributes), unlike the
fixtures' devices/ tree: the hostile cases break those files in place.
"""
from . import snapshot

HOME = "/home/sagemaker-user"
HOME_MOUNT_LINE = ("1525 1503 259:3 / /home/sagemaker-user rw,relatime - xfs /dev/nvme1n1 "
                   "rw,attr2,inode64,logbufs=8,logbsize=32k,noquota")

MOUNTINFO_LINES = [
    "1503 1384 0:170 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/var/lib/docker/"
    "overlay2/l/XID1A37DBCV4GWQNJGYTC3WJ27,upperdir=/var/lib/docker/overlay2/e8c3/diff,"
    "workdir=/var/lib/docker/overlay2/e8c3/work",
    "1504 1503 0:173 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
    "1505 1503 0:174 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
    "1506 1505 0:175 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620",
    "1507 1503 0:176 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
    "1521 1505 0:178 / /dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm rw,size=401408k",
    "1522 1503 259:1 /var/lib/docker/containers/9b5e/resolv.conf /etc/resolv.conf rw,noatime - "
    "xfs /dev/nvme0n1p1 rw,attr2,inode64,logbufs=8,logbsize=32k,prjquota",
    HOME_MOUNT_LINE,
    "1526 1503 259:1 /opt/.sagemakerinternal /opt/.sagemakerinternal rw,noatime - xfs "
    "/dev/nvme0n1p1 rw,attr2,inode64,logbufs=8,logbsize=32k,prjquota",
]

METADATA = {
    "AppType": "JupyterLab",
    "DomainId": "d-abcdefghij12",
    "SpaceName": "alice-jl-private",
    "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:app/d-abcdefghij12/"
                   "alice-jl-private/JupyterLab/default",
    "ResourceName": "default",
    "AppImageVersion": "",
    # A space's metadata has these, and no UserProfileName (landscape-2026 §1.1).
    "ResourceArnCaseSensitive": "arn:aws:sagemaker:us-east-1:111122223333:app/d-abcdefghij12/"
                                "alice-jl-private/JupyterLab/default",
    "IpAddressType": "ipv4",
}

ENVIRON = [
    "SAGEMAKER_APP_TYPE=JupyterLab",
    "SAGEMAKER_SPACE_NAME=alice-jl-private",
    "SAGEMAKER_SPACE_TYPE_LOWERCASE=private",
    "AWS_REGION=us-east-1",
    "HOME=/home/sagemaker-user",
    "USER=sagemaker-user",
]

# path under sys/ -> content; "->" entries are symlinks (sysfs' dev/block links).
SYSFS = {
    "block/nvme0n1/dev": "259:0\n",
    "block/nvme0n1/size": "377487360\n",
    "block/nvme0n1/queue/rotational": "0\n",
    "block/nvme0n1/device/model": "Amazon Elastic Block Store              \n",
    "block/nvme0n1/device/serial": "vol0a1b2c3d4e5f60718\n",
    "block/nvme0n1/nvme0n1p1/dev": "259:1\n",
    "block/nvme0n1/nvme0n1p1/size": "377481216\n",
    "block/nvme0n1/nvme0n1p1/partition": "1\n",
    "block/nvme1n1/dev": "259:3\n",
    "block/nvme1n1/size": "10485760\n",
    "block/nvme1n1/queue/rotational": "0\n",
    "block/nvme1n1/device/model": "Amazon Elastic Block Store              \n",
    "block/nvme1n1/device/serial": "vol0c4a9e2f7b1d3a5e8\n",
}
SYSFS_LINKS = {
    "dev/block/259:0": "../../block/nvme0n1",
    "dev/block/259:1": "../../block/nvme0n1/nvme0n1p1",
    "dev/block/259:3": "../../block/nvme1n1",
}

FACTS = {
    "statfs": {HOME: {"type": 0x58465342, "size_bytes": 5358223360, "free_bytes": 5120000000}},
    "blkid": {"/dev/nvme1n1": {"type": "xfs", "uuid": "5d1c7a3e-0000-4000-8000-000000000001"}},
}


def studio_new(root):
    """Writes the snapshot under root (created if needed); returns root."""
    snapshot.build(root, mountinfo=MOUNTINFO_LINES, environ=ENVIRON, metadata=METADATA,
                   files={"/sys/" + rel: data for rel, data in SYSFS.items()},
                   symlinks=[("/sys/" + rel, target) for rel, target in SYSFS_LINKS.items()],
                   dirs=[HOME, "/opt/.sagemakerinternal"], facts=FACTS, facts_indent=None)
    return root
