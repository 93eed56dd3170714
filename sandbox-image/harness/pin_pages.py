# The page pinner (docs/ARCHITECTURE.md §5.2): runs in a container of the sandbox image from
# before any codec container of a sandbox starts until the sandbox closes. It maps every regular
# file of the image's root filesystem (MAP_SHARED, read-only) and mlock()s the mapping, so each page of each image file is resident and stays so: the kernel's
# posix_fadvise(DONTNEED) skips mapped pages and reclaim skips mlocked ones. Every container of
# the image shares these pages (overlayfs reads and maps the lower layer's inode), so a codec can
# neither evict an image page nor find one missing: their cache state carries no bit.
#
# It runs as root with one capability, IPC_LOCK (mlock beyond the memlock limit Docker's daemon
# allows), and no other: without DAC_OVERRIDE it opens a file only as its owner, group or other
# may. No codec ever runs in its container. It prints ONE JSON line on stdout:
#   {"pinned_files": N, "pinned_bytes": B, "failed": [[path, error], ...]}
# and then sleeps until it is killed. `failed` lists the regular files it could not open, map or
# lock, and the directories or entries it could not list or stat; the orchestrator refuses to open a sandbox when any is listed (a file left out is a file
# whose cache state a codec might set and read).
import ctypes
import json
import os
import stat
import sys
import time

PROT_READ = 0x1
MAP_SHARED = 0x01
MAP_FAILED = ctypes.c_void_p(-1).value
# Never descended into: kernel filesystems and the container's own writable mounts. Other mounts
# (Docker's per-container /etc/hosts and friends) are skipped as another device than the root.
SKIPPED = {"/proc", "/sys", "/dev", "/tmp"}

libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [
    ctypes.c_void_p,
    ctypes.c_size_t,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_long,
]
libc.mlock.restype = ctypes.c_int
libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]


def regular_files(root_dev, failed):
    """Every regular file on the root's device; a directory or entry it cannot list or stat is
    added to `failed` (its files might be left unpinned), never skipped in silence."""
    stack = ["/"]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as err:
            failed.append([directory, "scandir: " + err.strerror])
            continue
        for entry in entries:
            path = entry.path
            if path in SKIPPED:
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as err:
                failed.append([path, "stat: " + err.strerror])
                continue
            if info.st_dev != root_dev:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(path)
            elif stat.S_ISREG(info.st_mode):
                yield path, info.st_size


def pin(path, size):
    """Maps and locks `path`; returns None when pinned, or the error."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        address = libc.mmap(None, size, PROT_READ, MAP_SHARED, fd, 0)
        if address is None or address == MAP_FAILED:
            return "mmap: " + os.strerror(ctypes.get_errno())
        if libc.mlock(address, size) != 0:
            return "mlock: " + os.strerror(ctypes.get_errno())
        return None  # the mapping outlives the descriptor and is never unmapped
    finally:
        os.close(fd)


def main():
    pinned_files = 0
    pinned_bytes = 0
    failed = []
    for path, size in regular_files(os.stat("/").st_dev, failed):
        if size == 0:
            pinned_files += 1  # nothing cached, nothing to evict
            continue
        try:
            error = pin(path, size)
        except OSError as err:
            error = "open: " + err.strerror
        if error is None:
            pinned_files += 1
            pinned_bytes += size
        else:
            failed.append([path, error])
    report = {
        "pinned_files": pinned_files,
        "pinned_bytes": pinned_bytes,
        "failed": failed,
    }
    sys.stdout.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
