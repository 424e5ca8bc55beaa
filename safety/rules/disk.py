"""Rules: disk overwrite, formatting and partitioning."""

from __future__ import annotations

from safety.checks import disk, writes
from safety.rules.rule import CRIT, HIGH, MOD, Rule

RULES: tuple[Rule, ...] = (
    # ---- disks ----------------------------------------------------------------------------
    Rule(
        "disk.write-device",
        "disk",
        CRIT,
        "Writes straight onto the disk device {target}, destroying what is on it",
        writes.writes_device,
        matches=(
            "dd if=ubuntu.iso of=/dev/sdb bs=4M",
            "dd if=/dev/zero of=/dev/nvme0n1",
            "echo hi > /dev/sda",
            "cat image.img > /dev/mmcblk0",
            "sudo tee /dev/disk2 < image.img",
            "cp disk.img /dev/vda",
            "shred -n 1 /dev/sdb",
            "dd if=/dev/urandom of=/dev/mapper/vg-root",
        ),
        non_matches=(
            "dd if=/dev/zero of=./disk.img bs=1M count=10",
            "dd if=/dev/sda of=backup.img",
            "echo hi > /dev/null",
            "ls /dev/sda*",
            "cat /dev/urandom | head -c 10 > key",
        ),
    ),  # fmt: skip
    Rule(
        "disk.format",
        "disk",
        CRIT,
        "Formats {target}, erasing everything on it",
        disk.formats_device,
        matches=(
            "mkfs.ext4 /dev/sdb1",
            "mkfs -t ext4 /dev/sda",
            "sudo mkfs.vfat -F 32 /dev/sdc1",
            "mkswap /dev/nvme0n1p3",
            "mke2fs $DEVICE",
            "diskutil eraseDisk JHFS+ Empty disk2",
        ),
        non_matches=("mkfs.ext4 ./disk.img", "man mkfs", "diskutil list"),
    ),  # fmt: skip
    Rule(
        "disk.format-file",
        "disk",
        MOD,
        "Formats the image file {target}",
        disk.formats_file,
        matches=("mkfs.ext4 ./disk.img", "mkfs.vfat floppy.img"),
        non_matches=("mkfs.ext4 /dev/sdb1", "mkfs --help"),
    ),  # fmt: skip
    Rule(
        "disk.wipe",
        "disk",
        CRIT,
        "Wipes disk signatures or data ({target})",
        disk.wipes_disk,
        matches=(
            "wipefs -a /dev/sdb",
            "wipefs --all /dev/nvme0n1",
            "blkdiscard /dev/sda",
            "hdparm --security-erase pass /dev/sda",
            "shred /dev/sdb",
            "cryptsetup luksFormat /dev/sdb1",
            "badblocks -wsv /dev/sdc",
            "sudo lvremove -f vg0/data",
        ),
        non_matches=(
            "wipefs /dev/sdb",
            "shred secret.txt",
            "hdparm -I /dev/sda",
            "badblocks -sv /dev/sdc",
        ),
    ),  # fmt: skip
    Rule(
        "disk.partition",
        "disk",
        CRIT,
        "Rewrites the partition table of {target}",
        disk.partitions,
        matches=(
            "parted /dev/sda mklabel gpt",
            "sgdisk --zap-all /dev/sda",
            "sgdisk -n 1:0:0 /dev/nvme0n1",
            "echo ',,83' | sfdisk /dev/sdb",
            "printf 'o\\nw\\n' | fdisk /dev/sdb",
            "sfdisk /dev/sda < layout",
        ),
        non_matches=(
            "fdisk -l",
            "fdisk -l /dev/sda",
            "parted /dev/sda print",
            "sgdisk -p /dev/sda",
            "sfdisk -d /dev/sda > table.txt",
            "parted -l",
        ),
    ),  # fmt: skip
    Rule(
        "disk.partition-interactive",
        "disk",
        HIGH,
        "Opens a partition editor on {target}; one wrong key rewrites the disk",
        disk.partitions_interactively,
        matches=("fdisk /dev/sda", "sudo gdisk /dev/nvme0n1", "parted /dev/sdb"),
        non_matches=("fdisk -l /dev/sda", "parted /dev/sda print"),
    ),  # fmt: skip
)
