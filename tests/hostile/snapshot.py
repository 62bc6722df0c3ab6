# SPDX-License-Identifier: MIT
"""A small, self-contained SageMaker Studio (new) snapshot for --sysroot tests.

Modelled on the new-jupyterlab-private sample (studio-facts §9): the home is
its own EBS volume (xfs on nvme1n1), the root an overlay, /opt/.sagemakerinternal
bind-mounted from the root disk. Written by code so the tests need nothing
outside the repository and every hostile case can start from it.
"""
import json
import os

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
    "UserProfileName": "alice",
    "ResourceArn": "arn:aws:sagemaker:us-east-1:111122223333:app/d-abcdefghij12/"
                   "alice-jl-private/JupyterLab/default",
    "ResourceName": "default",
    "AppImageVersion": "",
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


def write(root, rel, data, mode="w"):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return path


def build(root):
    """Writes the snapshot under root (created if needed)."""
    os.makedirs(root, exist_ok=True)
    write(root, "proc/self/mountinfo", "\n".join(MOUNTINFO_LINES) + "\n")
    write(root, "proc/self/environ", "\0".join(ENVIRON) + "\0")
    write(root, "opt/ml/metadata/resource-metadata.json", json.dumps(METADATA, indent=4) + "\n")
    for rel, data in SYSFS.items():
        write(root, "sys/" + rel, data)
    for rel, target in SYSFS_LINKS.items():
        path = os.path.join(root, "sys", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.symlink(target, path)
    os.makedirs(os.path.join(root, HOME.lstrip("/")), exist_ok=True)
    os.makedirs(os.path.join(root, "opt/.sagemakerinternal"), exist_ok=True)
    write(root, ".studio-probe/facts.json", json.dumps(FACTS) + "\n")
    return root
